// name: check-sha1-after-deadline
// description: Certificates the sha1-after-deadline check judges: SHA-1-signed, not roots, issued since the SHOULD NOT date.
// parameters: since (ISO time or '')
// returns: certificate
MATCH (c:Certificate)
WHERE c.has_bytes AND c.sig_hash = 'sha1' AND NOT c.is_root
  AND c.not_before >= '2015-01-16T00:00:00Z' AND c.not_before >= $since
RETURN c.sha256 AS certificate ORDER BY certificate
