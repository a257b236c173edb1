// name: check-unapproved-key
// description: Certificates whose subject key is not RSA or EC on P-256, P-384 or P-521, or is RSA under 2048 bits.
// parameters: since (ISO time or '')
// returns: certificate
MATCH (c:Certificate)
WHERE c.has_bytes AND c.not_before >= $since
  AND NOT (c.key_algorithm = 'ec' AND c.key_curve IN ['P-256', 'P-384', 'P-521'])
  AND NOT (c.key_algorithm IN ['rsa', 'rsa-pss'] AND (c.key_size IS NULL OR c.key_size >= 2048))
RETURN c.sha256 AS certificate ORDER BY certificate
