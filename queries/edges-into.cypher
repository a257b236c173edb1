// name: edges-into
// description: Issuance edges into the given CAs (their certificates, at any time), with the facts the path rules need, and their CAs; one step of a walk up from a target.
// parameters: cas (CA ids)
// returns: edge (relationship properties with issuer_ca and subject_ca), issuer (CA properties), subject (CA properties)
MATCH (i:CA)-[r:ISSUED]->(s:CA)
USING INDEX s:CA(id)
WHERE s.id IN $cas
RETURN r {.*, issuer_ca: i.id, subject_ca: s.id} AS edge, i {.*} AS issuer, s {.*} AS subject
ORDER BY edge.certificate
