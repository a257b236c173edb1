// name: cas
// description: CAs by id.
// parameters: ids (CA ids)
// returns: ca (CA properties)
MATCH (c:CA) USING INDEX c:CA(id) WHERE c.id IN $ids
RETURN c {.*} AS ca
