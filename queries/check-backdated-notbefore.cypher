// name: check-backdated-notbefore
// description: Certificates with embedded SCTs whose earliest timestamp is later than notBefore (the check applies its tolerance).
// parameters: since (ISO time or '')
// returns: certificate
MATCH (c:Certificate)
WHERE c.has_bytes AND c.earliest_sct IS NOT NULL AND c.earliest_sct > c.not_before
  AND c.not_before >= $since
RETURN c.sha256 AS certificate ORDER BY certificate
