// name: cross-signs
// description: Every CA certified by two or more different issuers (a root's own self-signature counts as one), with the certificates from other CAs; only certificates valid at $at when it is not null.
// parameters: at (ISO time or null)
// returns: ca, root, certificates
MATCH (i:CA)-[r:ISSUED]->(s:CA)
WHERE $at IS NULL OR ((r.not_before IS NULL OR r.not_before <= $at)
                      AND (r.not_after IS NULL OR r.not_after >= $at))
WITH s, collect(DISTINCT i.id) AS issuers, collect(r.certificate) AS certificates
WITH s, issuers, certificates,
     CASE WHEN coalesce(s.root, false) AND NOT s.id IN issuers THEN 1 ELSE 0 END AS own
WHERE size(issuers) + own > 1
RETURN s.id AS ca, coalesce(s.root, false) AS root, certificates
ORDER BY ca
