// name: serials-by-issuer-name
// description: Groups of two or more certificates sharing an issuer name and a serial number (RFC 5280 4.1.2.2); scope 'ca' keeps CA certificates only.
// parameters: scope ('all' or 'ca')
// returns: issuer_hash, serial, certificates
MATCH (c:Certificate)
WHERE c.serial IS NOT NULL AND c.has_bytes AND ($scope = 'all' OR c.is_ca = true)
WITH c.issuer_hash AS issuer_hash, c.serial AS serial, collect(c.sha256) AS certificates
WHERE size(certificates) > 1
RETURN issuer_hash, serial, certificates
ORDER BY issuer_hash, serial
