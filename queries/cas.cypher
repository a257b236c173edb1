// name: cas
// description: CAs by id.
// parameters: ids (CA ids)
// returns: ca (CA properties)
MATCH (c:CA) WHERE c.id IN $ids
RETURN c {.*} AS ca
