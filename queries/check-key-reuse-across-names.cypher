// name: check-key-reuse-across-names
// description: Certificates of public keys certified under two or more subject names.
// parameters: since (ISO time or '')
// returns: certificate
MATCH (c:Certificate)
WHERE c.has_bytes AND c.not_before >= $since AND c.spki_sha256 IS NOT NULL
WITH c.spki_sha256 AS key, collect(DISTINCT c.subject_hash) AS subjects,
     collect(c.sha256) AS certificates
WHERE size(subjects) > 1
UNWIND certificates AS certificate
RETURN certificate ORDER BY certificate
