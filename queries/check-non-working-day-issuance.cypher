// name: check-non-working-day-issuance
// description: Every certificate of the issuers with $cluster or more certificates dated on one local day (the check then asks the issuer's calendar whether that day was a working day).
// parameters: since (ISO time or ''), cluster (certificates on one day)
// returns: certificate
MATCH (c:Certificate)
WHERE c.has_bytes AND c.not_before >= $since
WITH coalesce(c.issuer_ca, c.issuer_hash) AS issuer, c.local_date AS day, count(*) AS n
WHERE n >= $cluster
WITH DISTINCT issuer
MATCH (c:Certificate)
WHERE c.has_bytes AND c.not_before >= $since AND coalesce(c.issuer_ca, c.issuer_hash) = issuer
RETURN c.sha256 AS certificate ORDER BY certificate
