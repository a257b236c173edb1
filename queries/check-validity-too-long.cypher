// name: check-validity-too-long
// description: Subscriber certificates issued since 2015-04-01 valid for more than 398 days, the shortest maximum of the Baseline Requirements (the check applies the maximum in force at issuance).
// parameters: since (ISO time or '')
// returns: certificate
MATCH (c:Certificate)
WHERE c.has_bytes AND coalesce(c.is_ca, false) = false
  AND c.not_before >= '2015-04-01T00:00:00Z' AND c.not_before >= $since
  AND duration.inSeconds(datetime(c.not_before), datetime(c.not_after)).seconds + 1 > 398 * 86400
RETURN c.sha256 AS certificate ORDER BY certificate
