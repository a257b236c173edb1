"""The demo's story as plain text, from its JSON document so that both agree."""

from __future__ import annotations

from typing import Any


def demo_lines(document: dict[str, Any]) -> list[str]:
    """The demo's story as plain text lines (from its JSON document, so both agree)."""

    def label(item: dict[str, Any]) -> str:
        operator = (item.get("operator") or {}).get("owner")
        return f"{item['label']} [{operator}]" if operator else item["label"]

    lines = [
        "trustgraph demo: WoSign and StartCom, 2016 (facts and sources: data/wosign-2016)",
        f"database: {document['database']}  edges: "
        + ", ".join(
            f"{k.removeprefix('edges_')} {v}" for k, v in sorted(document["edges"].items())
        ),
        f"map: {document['map']} (open it in any browser, offline)",
        f"owner under study: {document['owner']}"
        + (
            f"; certificate bytes from {document['mirror']}"
            if document["mirror"]
            else "; certificates of the case known by metadata only (declared edges)"
        ),
    ]
    for day in document["dates"]:
        snapshot = day["snapshot"]
        lines += [
            "",
            f"{day['at'][:10]}: store mozilla as of {snapshot['as_of'][:10]} "
            f"({snapshot['description']}), {day['anchors']} anchors; WoSign's own roots "
            f"in it: {len(day['wosign_roots_in_store'])}",
        ]
        lines.append("  ways into CAs WoSign operates, from other anchors:")
        lines += _way_lines(day["ways_in"]) or ["    none"]
        lines.append("  CAs named WoSign but operated by others, reachable from the store:")
        lines += _way_lines(day["ways_into_lookalikes"]) or ["    none"]
        reachable = day["reachable_without_wosign_roots"]
        total = len(reachable) + len(day["unreachable_without_wosign_roots"])
        via = sorted({label(a) for item in reachable for a in item["anchors"]})
        lines.append(
            f"  with WoSign's roots distrusted, {len(reachable)} of {total} WoSign CAs "
            f"stay reachable" + (f", through {', '.join(via)}" if via else "")
        )
        lines += _program_lines(day.get("other_programs") or [])
    lines += ["", "when each way in closes (from the store's history, revocations and expiry):"]
    for fingerprint, intervals in document["entry_certificate_timelines"].items():
        for interval in intervals:
            closed = "; ".join(e["detail"] for e in interval["closed_by"]) or "still open"
            until = (interval["until"] or "")[:10] or "open"
            lines.append(
                f"  {fingerprint[:16]} {interval['issuer']} -> {interval['subject']}: "
                f"reachable {interval['from'][:10]} to {until} ({closed})"
            )
    return lines + _entrust_lines(document.get("entrust_2024") or [])


_KINDS = {
    "distrust-after": "certificates issued after {at} distrusted",
    "sct-not-after": "certificates logged after {at} distrusted",
    "disabled": "disabled from {at}",
}
SERVER_AUTH = "1.3.6.1.5.5.7.3.1"


def _entrust_lines(fates: list[dict[str, Any]]) -> list[str]:
    """Entrust's distrust of 2024, a few lines per program: its constraints for server
    authentication (the others counted), its removals, what it still lists."""
    if not fates:
        return []
    lines = [
        "",
        "beside it, a recent one: what each root program did with Entrust's roots "
        "(and AffirmTrust's, Entrust's since 2016), from its own history:",
    ]
    for fate in fates:
        stale = " (outdated)" if fate["outdated"] else ""
        lines.append(
            f"  {fate['store']}: listed {len(fate['listed'])} of them; latest snapshot "
            f"{(fate['latest_snapshot'] or '')[:10]}{stale}"
        )
        lines += _constraint_lines(fate["constraints"])
        for removal in fate["removals"]:
            names = ", ".join(c["label"] for c in removal["cas"])
            lines.append(
                f"    removed between {removal['last_seen'][:10]} and "
                f"{removal['gone_by'][:10]}: {names}"
            )
        still = ", ".join(c["label"] for c in fate["still_listed"])
        lines.append(f"    still listed: {still}" if still else "    none left")
    return lines


def _constraint_lines(constraints: list[dict[str, Any]]) -> list[str]:
    """A line per kind and date of the constraints that reach server authentication."""
    grouped: dict[tuple[str, str], dict[str, str]] = {}
    others = 0
    for item in constraints:
        if item["purposes"] is not None and SERVER_AUTH not in item["purposes"]:
            others += 1
            continue
        cas = grouped.setdefault((item["kind"], item["at"][:10]), {})
        first = cas.get(item["ca"]["ca"], item["first_listed"])
        cas[item["ca"]["ca"]] = min(first, item["first_listed"])
    lines = [
        f"    {_KINDS[kind].format(at=at)} for server authentication: {len(cas)} roots, "
        f"first listed {min(cas.values())[:10]}"
        for (kind, at), cas in sorted(grouped.items(), key=lambda g: (g[0][1], g[0][0]))
    ]
    if not grouped:
        lines.append("    no constraint for server authentication in its published data")
    if others:
        lines.append(f"    and {others} constraints for other purposes (JSON lists them)")
    return lines


def _way_lines(ways: list[dict[str, Any]]) -> list[str]:
    seen = set()
    lines = []
    for way in ways:
        key = (way["anchor"]["ca"], way["entry_certificate"])
        if key in seen:
            continue
        seen.add(key)
        operator = (way["entered"].get("operator") or {}).get("owner")
        lines.append(
            f"    {way['anchor']['label']} -> {way['entered']['label']}"
            + (f" [{operator}]" if operator else "")
            + f" via {way['entry_certificate'][:16]} issued by {way['entry_issuer']['label']} "
            f"({way['edge_kind']}, valid to {(way['entry_not_after'] or '?')[:10]})"
        )
    return lines


def _program_lines(views: list[dict[str, Any]]) -> list[str]:
    """Each other program's view of WoSign's CAs at one date."""
    if not views:
        return []
    lines = ["  other root programs (anchors reaching CAs WoSign operates):"]
    for view in views:
        snapshot = view["snapshot"]
        if snapshot is None:
            lines.append(f"    {view['store']}: no snapshot yet")
            continue
        approximate = (
            " (release month: approximate)" if snapshot["as_of_precision"] != "day" else ""
        )
        stale = view["staleness"]
        if stale and stale["reason"] == "superseded":
            approximate += f" (replaced {stale['stale_since'][:10]}, not observed since)"
        elif stale:
            approximate += f" ({stale['age_days']} days old: outdated)"
        if view["anchors_without_certificates"]:
            approximate += f" ({view['anchors_without_certificates']} anchors not loaded)"
        version = f" {snapshot['sequence']}" if snapshot.get("sequence") else ""
        others = view["anchors_reaching_without_wosign_roots"]
        lines.append(
            f"    {view['store']} as of {snapshot['as_of'][:10]}{version}{approximate}: "
            f"{len(view['anchors_reaching'])} anchors, {len(view['wosign_roots_in_store'])} "
            f"of them WoSign's own roots; without those, "
            + (", ".join(a["label"] for a in others) if others else "none")
        )
    return lines
