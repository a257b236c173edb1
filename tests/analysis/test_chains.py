"""Path enumeration on generated PKIs with known answers (RFC 4158 topologies, RFC 5280
chain rules). Each test's docstring says what the PKI looks like."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.conftest import load_certs
from tests.factories.pki import PKI, when
from tests.queries import chains, fps, paths, reached
from trustgraph.storage.database import Database


def test_mutual_cross_certification(db: Database, pki: PKI, tmp_path: Path) -> None:
    """Roots A and B certify each other (RFC 4158 2.3); B issues intermediate I. From A the
    only way to I is through the A -> B cross-certificate; from B it is direct."""
    a, b = pki.ca("Root A"), pki.ca("Root B")
    root_a, root_b = pki.root(a), pki.root(b)
    a_to_b, b_to_a = pki.issue(a, b), pki.issue(b, a)
    inter = pki.issue(b, "Intermediate I")
    load_certs(db, tmp_path, pki.certs)
    assert paths(db, "Intermediate I", [root_a]) == [fps(root_a, a_to_b, inter)]
    both = paths(db, "Intermediate I", [root_a, root_b])
    assert fps(root_b, inter) in both and fps(root_a, a_to_b, inter) in both
    assert len(both) == 2  # B -> A -> B would visit B twice
    assert b_to_a.sha256 not in {fp for path in both for fp in path}


def test_bridge_ca(db: Database, pki: PKI, tmp_path: Path) -> None:
    """Three enterprise roots cross-certified with a bridge CA in both directions (RFC 4158
    2.4). From root X, a CA under root Z is reached through X -> bridge -> Z."""
    bridge = pki.ca("Bridge CA")
    roots = {cn: pki.ca(cn) for cn in ("Root X", "Root Y", "Root Z")}
    root_certs = {cn: pki.root(ca) for cn, ca in roots.items()}
    into_bridge = {cn: pki.issue(ca, bridge) for cn, ca in roots.items()}
    out_of_bridge = {cn: pki.issue(bridge, ca) for cn, ca in roots.items()}
    issuing = pki.issue(roots["Root Z"], "Z Issuing CA")
    load_certs(db, tmp_path, pki.certs)
    found = paths(db, "Z Issuing CA", [root_certs["Root X"]])
    assert found == [
        fps(root_certs["Root X"], into_bridge["Root X"], out_of_bridge["Root Z"], issuing)
    ]


def test_same_name_different_keys(db: Database, pki: PKI, tmp_path: Path) -> None:
    """Two CAs share a name but not a key. A certificate signed by the second key links to
    the second CA only; the name as a target covers both keys."""
    old, new = pki.ca("Shared Name CA"), pki.ca("Shared Name CA")
    root_old, root_new = pki.root(old), pki.root(new)
    child = pki.issue(new, "Child CA")
    load_certs(db, tmp_path, pki.certs)
    assert paths(db, "Child CA", [root_old]) == []
    assert paths(db, "Child CA", [root_new]) == [fps(root_new, child)]
    assert sorted(paths(db, "Shared Name CA", [root_old, root_new])) == sorted(
        [fps(root_old), fps(root_new)]
    )


def test_same_key_two_issuers(db: Database, pki: PKI, tmp_path: Path) -> None:
    """CA K is certified by roots R1 and R2 (a cross-certificate): two paths, one per root,
    ordered by the anchors' fingerprints."""
    r1, r2 = pki.ca("R1"), pki.ca("R2")
    root1, root2 = pki.root(r1), pki.root(r2)
    k = pki.ca("K")
    from_r1, from_r2 = pki.issue(r1, k), pki.issue(r2, k)
    load_certs(db, tmp_path, pki.certs)
    expected = sorted([fps(root1, from_r1), fps(root2, from_r2)])
    assert paths(db, "K", [root1, root2]) == expected


def test_expired_alternative_path(db: Database, pki: PKI, tmp_path: Path) -> None:
    """K has a cross-certificate from R2 that expires in 2015; in 2014 two paths, in 2016
    only the one through R1."""
    r1, r2, k = pki.ca("R1"), pki.ca("R2"), pki.ca("K")
    root1, root2 = pki.root(r1), pki.root(r2)
    from_r1 = pki.issue(r1, k)
    from_r2 = pki.issue(r2, k, not_after=when("2015-01-01"))
    load_certs(db, tmp_path, pki.certs)
    assert len(paths(db, "K", [root1, root2], at="2014-06-01")) == 2
    assert paths(db, "K", [root1, root2], at="2016-06-01") == [fps(root1, from_r1)]
    assert from_r2.sha256 not in str(paths(db, "K", [root1, root2], at="2016-06-01"))
    assert paths(db, "K", [root1, root2], at="2009-06-01") == []


def test_path_len_constraint_counts_intermediates(db: Database, pki: PKI, tmp_path: Path) -> None:
    """Root -> A (pathLen 0) -> B -> C: B may sit under A only as the last certificate, so
    B is reachable and C is not."""
    root = pki.ca("Root")
    root_cert = pki.root(root)
    a = pki.ca("A")
    pki.issue(root, a, path_len=0)
    b = pki.ca("B")
    pki.issue(a, b)
    pki.issue(b, "C")
    load_certs(db, tmp_path, pki.certs)
    assert len(paths(db, "B", [root_cert])) == 1
    assert paths(db, "C", [root_cert]) == []
    assert reached(db, "C", [root_cert]) == set()


def test_self_issued_certificates_do_not_count_for_path_len(
    db: Database, pki: PKI, tmp_path: Path
) -> None:
    """Root -> A-old (pathLen 1) -> A-new (self-issued key rollover) -> B -> leaf CA C.
    The rollover certificate does not count, so C is within A-old's pathLen of 1."""
    root = pki.ca("Root")
    root_cert = pki.root(root)
    a_old, a_new = pki.ca("Rolled CA"), pki.ca("Rolled CA")
    pki.issue(root, a_old, path_len=1)
    rollover = pki.issue(a_old, a_new)
    b = pki.ca("B")
    pki.issue(a_new, b)
    pki.issue(b, "C", ca=False, key_usage="leaf")
    load_certs(db, tmp_path, pki.certs)
    found = paths(db, "C", [root_cert])
    assert len(found) == 1 and rollover.sha256 in found[0]


def test_non_ca_issuers_break_the_path(db: Database, pki: PKI, tmp_path: Path) -> None:
    """A certificate with cA=FALSE, one without basicConstraints, and one whose keyUsage
    lacks keyCertSign cannot issue; each makes the CA below it unreachable."""
    root = pki.ca("Root")
    root_cert = pki.root(root)
    cases: dict[str, dict[str, Any]] = {
        "not a CA": {"ca": False},
        "no basicConstraints": {"ca": None},
        "no keyCertSign": {"key_usage": "leaf"},
    }
    for label, options in cases.items():
        middle = pki.ca(f"Middle {label}")
        pki.issue(root, middle, **options)
        pki.issue(middle, f"Below {label}")
    load_certs(db, tmp_path, pki.certs)
    for label in ("not a CA", "no basicConstraints", "no keyCertSign"):
        assert len(paths(db, f"Middle {label}", [root_cert])) == 1
        assert paths(db, f"Below {label}", [root_cert]) == []


def test_v1_anchor_is_allowed(db: Database, pki: PKI, tmp_path: Path) -> None:
    """An X.509 v1 self-signed root (no extensions) is an anchor; its certificate is not
    judged, so a CA below it is reachable."""
    root = pki.ca("V1 Root")
    root_cert = pki.root(root, version1=True)
    child = pki.issue(root, "Under V1")
    load_certs(db, tmp_path, pki.certs)
    assert paths(db, "Under V1", [root_cert]) == [fps(root_cert, child)]


def test_name_constraints_apply_with_a_purpose(db: Database, pki: PKI, tmp_path: Path) -> None:
    """Root -> CA constrained to example.com -> leaves for www.example.com and www.other.org.
    With --purpose serverAuth the second leaf has no path; with any, both do."""
    root = pki.ca("Root")
    root_cert = pki.root(root)
    constrained = pki.ca("Constrained CA")
    pki.issue(root, constrained, permitted_dns=["example.com"])
    inside = pki.leaf(constrained, "www.example.com")
    outside = pki.leaf(constrained, "www.other.org")
    load_certs(db, tmp_path, pki.certs)
    assert len(paths(db, inside.sha256, [root_cert], purpose="serverAuth")) == 1
    assert paths(db, outside.sha256, [root_cert], purpose="serverAuth") == []
    assert len(paths(db, outside.sha256, [root_cert], purpose="any")) == 1


def test_directory_name_constraints(db: Database, pki: PKI, tmp_path: Path) -> None:
    """A CA permitted only subjects under O=Good: a sub-CA named O=Good,CN=Sub2 passes,
    O=Bad,CN=Sub3 does not (with a purpose; without one, name constraints do not apply)."""
    root = pki.ca("Root")
    root_cert = pki.root(root)
    org_only = pki.ca("Org Constrained")
    good_org = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Good")])
    pki.issue(root, org_only, permitted_dn=[good_org])
    pki.issue(org_only, pki.ca("Sub2", org="Good"))
    pki.issue(org_only, pki.ca("Sub3", org="Bad"))
    load_certs(db, tmp_path, pki.certs)
    assert len(paths(db, "Sub2", [root_cert], purpose="serverAuth")) == 1
    assert paths(db, "Sub3", [root_cert], purpose="serverAuth") == []
    assert len(paths(db, "Sub3", [root_cert], purpose="any")) == 1


def test_eku_along_the_chain(db: Database, pki: PKI, tmp_path: Path) -> None:
    """An intermediate restricted to clientAuth breaks serverAuth paths below it."""
    root = pki.ca("Root")
    root_cert = pki.root(root)
    client_only = pki.ca("Client Only CA")
    pki.issue(root, client_only, eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
    leaf = pki.leaf(client_only, "www.example.com")
    load_certs(db, tmp_path, pki.certs)
    assert paths(db, leaf.sha256, [root_cert], purpose="serverAuth") == []
    assert len(paths(db, leaf.sha256, [root_cert], purpose="any")) == 1


def test_sha1_edges_by_date(db: Database, pki: PKI, tmp_path: Path) -> None:
    """Root -> SHA-1-signed intermediate. The verified SHA-1 edge is usable in 2016 and
    refused from 2017-01-01 by the default signature policy, but accepted by permissive."""
    root = pki.ca("Root", key=pki.new_key("rsa"))
    root_cert = pki.root(root)
    child = pki.issue(root, "SHA1 Child", hash_name="sha1")
    load_certs(db, tmp_path, pki.certs)
    assert paths(db, "SHA1 Child", [root_cert], at="2016-06-01") == [fps(root_cert, child)]
    assert paths(db, "SHA1 Child", [root_cert], at="2017-06-01") == []
    assert (
        len(paths(db, "SHA1 Child", [root_cert], at="2017-06-01", signature_policy="permissive"))
        == 1
    )


def test_sha1_anchor_is_not_judged(db: Database, pki: PKI, tmp_path: Path) -> None:
    """A SHA-1 self-signed root still anchors SHA-256 paths in 2020."""
    root = pki.ca("Old Root", key=pki.new_key("rsa"))
    root_cert = pki.root(root, hash_name="sha1")
    child = pki.issue(root, "Modern Child")
    load_certs(db, tmp_path, pki.certs)
    assert paths(db, "Modern Child", [root_cert], at="2020-06-01") == [fps(root_cert, child)]


def test_cycle_of_three(db: Database, pki: PKI, tmp_path: Path) -> None:
    """A -> B -> C -> A (a cycle of cross-certificates) plus C -> D: every simple path from
    A to D, none visiting a CA twice."""
    a, b, c = pki.ca("A"), pki.ca("B"), pki.ca("C")
    root_a = pki.root(a)
    ab, bc, _ca = pki.issue(a, b), pki.issue(b, c), pki.issue(c, a)
    cd = pki.issue(c, "D")
    load_certs(db, tmp_path, pki.certs)
    assert paths(db, "D", [root_a]) == [fps(root_a, ab, bc, cd)]


def test_mesh_is_bounded_and_says_so(db: Database, pki: PKI, tmp_path: Path) -> None:
    """Twenty CAs, every pair mutually cross-signed, under one root: exponentially many
    paths. chains stops at --max-paths and reports truncation; reach answers at once."""
    root = pki.ca("Mesh Root")
    root_cert = pki.root(root)
    mesh = [pki.ca(f"Mesh {i:02d}") for i in range(20)]
    for member in mesh:
        pki.issue(root, member)
    for x in mesh:
        for y in mesh:
            if x is not y:
                pki.issue(x, y)
    load_certs(db, tmp_path, pki.certs)
    started = time.monotonic()
    result = chains(db, "Mesh 19", [root_cert], max_paths=500)
    assert time.monotonic() - started < 20
    assert len(result.paths) == 500 and "max_paths" in result.truncated
    lengths = [p.length for p in result.paths]
    assert lengths == sorted(lengths) and lengths[0] == 1
    assert reached(db, "Mesh 19", [root_cert]) == {root_cert.sha256}
    timed = chains(db, "Mesh 19", [root_cert], max_paths=10**9, timeout=0.5)
    assert "timeout" in timed.truncated


def test_depth_bound_is_reported(db: Database, pki: PKI, tmp_path: Path) -> None:
    """A chain of six CAs under a root: with --max-depth 3 there is no path and the result
    says longer paths may exist."""
    root = pki.ca("Root")
    root_cert = pki.root(root)
    previous = root
    for index in range(6):
        current = pki.ca(f"Level {index}")
        pki.issue(previous, current)
        previous = current
    load_certs(db, tmp_path, pki.certs)
    cut = chains(db, "Level 5", [root_cert], max_depth=3)
    assert cut.paths == [] and "max_depth" in cut.truncated
    assert len(chains(db, "Level 5", [root_cert], max_depth=6).paths) == 1


def test_anchor_is_the_target(db: Database, pki: PKI, tmp_path: Path) -> None:
    """When the target CA is itself an anchor, the path is the anchor certificate alone."""
    root_cert = pki.root("Lonely Root")
    load_certs(db, tmp_path, pki.certs)
    result = chains(db, "Lonely Root", [root_cert])
    assert [p.certificates for p in result.paths] == [[root_cert.sha256]]
    assert result.paths[0].weakest_edge == "verified"


def test_certificate_target_is_the_last_certificate(db: Database, pki: PKI, tmp_path: Path) -> None:
    """Targeting one of two cross-certificates of K gives only the paths that end with it."""
    r1, r2, k = pki.ca("R1"), pki.ca("R2"), pki.ca("K")
    root1, root2 = pki.root(r1), pki.root(r2)
    pki.issue(r1, k)
    from_r2 = pki.issue(r2, k)
    load_certs(db, tmp_path, pki.certs)
    assert paths(db, from_r2.sha256, [root1, root2]) == [fps(root2, from_r2)]
    assert paths(db, from_r2.sha256[:20], [root1, root2]) == [fps(root2, from_r2)]
