// name: region-step
// description: One step up a search region: the issuance edges into the CAs $cas that could be usable at $at (an allowed kind, valid then, neither revoked nor blocked, signed with a hash still accepted, no unreadable critical extension), with their CAs. chains, reach and impact walk up from their target one step per call until no new issuer appears; trustgraph's path rules then search that region exactly as they search the whole graph.
// parameters: cas (CA ids), at (ISO time), kinds (edge kinds allowed), blocked (fingerprints), revoked (fingerprints), signature_cutoffs (hash name -> ISO time from which it is refused; '' means always)
// returns: edge (relationship properties with issuer_ca and subject_ca), issuer (CA properties), subject (CA properties)
MATCH (i:CA)-[r:ISSUED]->(s:CA)
USING INDEX s:CA(id)
WHERE s.id IN $cas
  AND r.kind IN $kinds
  AND (r.not_before IS NULL OR r.not_before <= $at)
  AND (r.not_after IS NULL OR r.not_after >= $at)
  AND (r.revoked_at IS NULL OR r.revoked_at > $at)
  AND r.unreadable_critical IS NULL
  AND NOT r.certificate IN $blocked
  AND NOT r.certificate IN $revoked
  AND (r.sig_hash IS NULL OR $signature_cutoffs[r.sig_hash] IS NULL
       OR $signature_cutoffs[r.sig_hash] > $at)
RETURN r {.*, issuer_ca: i.id, subject_ca: s.id} AS edge, i {.*} AS issuer, s {.*} AS subject
ORDER BY edge.certificate
