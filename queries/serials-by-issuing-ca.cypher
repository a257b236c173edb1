// name: serials-by-issuing-ca
// description: Groups of two or more certificates issued by one CA (name and key, per signature) with the same serial number.
// parameters: scope ('all' or 'ca')
// returns: issuer_ca, serial, certificates
MATCH (c:Certificate)
WHERE c.serial IS NOT NULL AND c.has_bytes AND c.issuer_ca IS NOT NULL
  AND ($scope = 'all' OR c.is_ca = true)
WITH c.issuer_ca AS issuer_ca, c.serial AS serial, collect(c.sha256) AS certificates
WHERE size(certificates) > 1
RETURN issuer_ca, serial, certificates
ORDER BY issuer_ca, serial
