// name: check-duplicate-except-notbefore
// description: Certificates whose to-be-signed content, notBefore left out, is shared with another certificate of a different notBefore.
// parameters: since (ISO time or '')
// returns: certificate
MATCH (c:Certificate)
WHERE c.has_bytes AND c.not_before >= $since AND c.content_digest IS NOT NULL
WITH c.content_digest AS digest, collect(c.sha256) AS certificates,
     collect(DISTINCT c.not_before) AS starts
WHERE size(certificates) > 1 AND size(starts) > 1
UNWIND certificates AS certificate
RETURN certificate ORDER BY certificate
