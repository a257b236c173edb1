// name: roots
// description: Every root: a CA with a self-issued certificate that no other key signed.
// parameters: none
// returns: ca, certificates
MATCH (c:CA) WHERE c.root
RETURN c.id AS ca, c.root_certificates AS certificates
ORDER BY ca
