// name: edges
// description: Issuance edges by certificate fingerprint, with the facts the path rules need, and their CAs.
// parameters: certificates (SHA-256 fingerprints)
// returns: edge (relationship properties with issuer_ca and subject_ca), issuer (CA properties), subject (CA properties)
MATCH (i:CA)-[r:ISSUED]->(s:CA)
USING INDEX r:ISSUED(certificate)
WHERE r.certificate IN $certificates
RETURN r {.*, issuer_ca: i.id, subject_ca: s.id} AS edge, i {.*} AS issuer, s {.*} AS subject
ORDER BY edge.certificate
