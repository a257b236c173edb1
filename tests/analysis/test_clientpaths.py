"""Client path building on the shapes of real events, as data: each case is a generated
PKI (the AddTrust expiry, DST Root CA X3's, a missing intermediate, a distrust-after, a
OneCRL entry), a chain as sent, a store, and what each client profile must answer. The
profiles of clients that do not run here (OpenSSL 1.0.x, GnuTLS before 3.6.14, LibreSSL,
Android, browsers) are held to what their projects documented about these events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from tests.factories.pki import PKI, Cert, when
from trustgraph.analysis.clientjudge import Pool, TrustedSet
from trustgraph.analysis.clientpaths import build_path
from trustgraph.policy.anchors import AnchorTrust
from trustgraph.policy.clients import PROFILES
from trustgraph.policy.revocations import Revocation, RevocationIndex
from trustgraph.x509.certificate import CertificateRecord, parse_certificate

AT = when("2030-06-01")
OLD = {"not_before": when("2010-01-01"), "not_after": when("2030-05-30")}
NEW = {"not_before": when("2015-01-01"), "not_after": when("2040-01-01")}
LEAF = {"not_before": when("2030-01-01"), "not_after": when("2031-01-01")}


@dataclass
class Setup:
    served: list[Cert]
    store: list[Cert]
    trust: dict[str, AnchorTrust] = field(default_factory=dict)
    preloaded: list[Cert] = field(default_factory=list)
    fetchable: list[Cert] = field(default_factory=list)
    revoked: list[Cert] = field(default_factory=list)


def _parsed(certs: list[Cert]) -> list[CertificateRecord]:
    return [parse_certificate(c.der) for c in certs]


def addtrust(store_old_root: bool = True) -> Setup:
    """USERTrust (new root, valid) cross-signed by AddTrust (expired with its cross)."""
    pki = PKI()
    old, new = pki.ca("AddTrust External CA Root"), pki.ca("USERTrust RSA CA")
    old_root, new_root = pki.root(old, **OLD), pki.root(new, **NEW)
    cross = pki.issue(old, new, **OLD)
    issuing = pki.ca("Sectigo DV CA")
    sectigo = pki.issue(new, issuing, **NEW)
    leaf = pki.leaf(issuing, "shop.example", key_usage="leaf", **LEAF)
    store = [old_root, new_root] if store_old_root else [new_root]
    return Setup([leaf, sectigo, cross], store)


def dst(store: str = "both") -> Setup:
    """ISRG Root X1 (valid root) cross-signed by DST Root CA X3 (expired root), R3 below X1,
    served as Let's Encrypt's long chain."""
    pki = PKI()
    old, new = pki.ca("DST Root CA X3"), pki.ca("ISRG Root X1")
    old_root, new_root = pki.root(old, **OLD), pki.root(new, **NEW)
    cross = pki.issue(old, new, **NEW)
    r3 = pki.ca("R3")
    issuing = pki.issue(new, r3, **NEW)
    leaf = pki.leaf(r3, "blog.example", key_usage="leaf", **LEAF)
    stores = {"both": [old_root, new_root], "old": [old_root], "new": [new_root]}
    return Setup([leaf, issuing, cross], stores[store])


def missing_intermediate() -> Setup:
    """The server sends only its certificate; the intermediate is fetchable by AIA and on
    Firefox's preload list."""
    pki = PKI()
    root = pki.ca("Root")
    root_cert = pki.root(root, **NEW)
    issuing = pki.ca("Issuing CA")
    intermediate = pki.issue(root, issuing, **NEW)
    leaf = pki.leaf(issuing, "site.example", key_usage="leaf", **LEAF)
    return Setup([leaf], [root_cert], preloaded=[intermediate], fetchable=[intermediate])


def distrusted_after() -> Setup:
    """A root whose store distrusts what it issued after 2029-12-31."""
    setup = dst("new")
    setup.trust = {setup.store[0].sha256: AnchorTrust(distrust_after="2029-12-31T23:59:59Z")}
    return setup


def revoked_intermediate() -> Setup:
    """The intermediate of the chain is revoked (OneCRL-style) before the date."""
    setup = dst("new")
    setup.revoked = [setup.served[1]]
    return setup


def _run(name: str, setup: Setup) -> tuple[str, str | None]:
    revocations = RevocationIndex(
        {
            c.sha256: Revocation(c.sha256, "2030-01-01T00:00:00Z", None, "test list")
            for c in setup.revoked
        }
    )
    trusted = TrustedSet(tuple(_parsed(setup.store)), dict(setup.trust), frozenset(), revocations)
    verdict = build_path(
        _parsed(setup.served),
        trusted,
        PROFILES[name].behaviour,
        AT,
        preloaded=Pool(_parsed(setup.preloaded)),
        aia=Pool(_parsed(setup.fetchable)),
    )
    return verdict.outcome, verdict.reason


CASES: list[tuple[str, Callable[[], Setup], dict[str, str]]] = [
    (
        "AddTrust expired, its root still in the store",
        addtrust,
        {
            "openssl-1.0.1": "fails",
            "openssl-1.0.2": "fails",
            "openssl-1.1.1": "ok",
            "openssl-3": "ok",
            "gnutls-3.6.7": "fails",
            "gnutls-3.6.14": "ok",
            "libressl-3.1": "fails",
            "libressl-3.2.2": "ok",
            "firefox": "ok",
            "chrome": "ok",
            "go": "ok",
            "java": "ok",
            "android-7.0": "ok",
        },
    ),
    (
        "AddTrust expired, its root removed from the store",
        lambda: addtrust(store_old_root=False),
        {
            "openssl-1.0.1": "fails",
            "openssl-1.0.2": "ok",
            "gnutls-3.6.7": "ok",
            "gnutls-3.6.14": "ok",
            "openssl-3": "ok",
        },
    ),
    (
        "DST Root CA X3 expired, both roots trusted",
        dst,
        {
            "openssl-1.0.2": "fails",
            "openssl-1.1.1": "ok",
            "gnutls-3.6.7": "fails",
            "gnutls-3.6.14": "ok",
            "libressl-3.1": "fails",
            "android-7.0": "ok",
            "go": "ok",
        },
    ),
    (
        "DST Root CA X3 expired, an old store without ISRG Root X1",
        lambda: dst("old"),
        {
            "android-7.0": "ok",
            "java": "ok",
            "openssl-1.1.1": "fails",
            "openssl-3": "fails",
            "gnutls-3.6.14": "fails",
            "go": "fails",
            "firefox": "fails",
            "chrome": "ok",
        },
    ),
    (
        "DST Root CA X3 expired, removed from the store",
        lambda: dst("new"),
        {"openssl-1.0.1": "fails", "openssl-1.0.2": "ok", "gnutls-3.6.7": "ok", "go": "ok"},
    ),
    (
        "only the end certificate is sent",
        missing_intermediate,
        {
            "firefox": "ok",
            "chrome": "ok",
            "windows": "ok",
            "apple": "ok",
            "openssl-3": "fails",
            "gnutls-3.6.14": "fails",
            "go": "fails",
            "android": "fails",
        },
    ),
    (
        "the root is distrusted for certificates issued after 2029-12-31",
        distrusted_after,
        {"firefox": "fails", "chrome": "fails", "openssl-3": "ok", "go": "ok"},
    ),
    (
        "the intermediate is revoked",
        revoked_intermediate,
        {"firefox": "fails", "chrome": "fails", "windows": "fails", "openssl-3": "ok", "go": "ok"},
    ),
]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [pytest.param(build, expected, id=name) for name, build, expected in CASES],
)
def test_each_client_answers_as_documented(
    setup: Callable[[], Setup], expected: dict[str, str]
) -> None:
    built = setup()
    answers = {name: _run(name, built) for name in expected}
    assert {name: outcome for name, (outcome, _) in answers.items()} == expected, answers


def test_reasons_name_the_certificate_that_breaks_the_path() -> None:
    built = dst()
    outcome, reason = _run("openssl-1.0.2", built)
    assert (outcome, reason) == ("fails", "DST Root CA X3: expired on 2030-05-30")
    assert _run("gnutls-3.6.7", built)[1] == "DST Root CA X3: expired on 2030-05-30"
    assert _run("firefox", distrusted_after())[1] == (
        "ISRG Root X1 is distrusted for certificates issued after 2029-12-31 "
        "(this one from 2030-01-01)"
    )
    assert _run("go", dst("old"))[1] == "DST Root CA X3: expired on 2030-05-30"


def test_the_paths_taken_differ_by_builder() -> None:
    """On the long chain, OpenSSL 1.0.2 climbs to DST Root CA X3 through the sent
    cross-certificate, OpenSSL 1.1.1 stops at the trusted ISRG Root X1."""
    built = dst()
    served = _parsed(built.served)
    trusted = TrustedSet(tuple(_parsed(built.store)))
    old = build_path(served, trusted, PROFILES["openssl-1.0.2"].behaviour, AT)
    new = build_path(served, trusted, PROFILES["openssl-1.1.1"].behaviour, AT)
    assert [(s.label, s.source) for s in old.path] == [
        ("blog.example", "served"),
        ("R3", "served"),
        ("ISRG Root X1", "served"),
        ("DST Root CA X3", "store"),
    ]
    assert [(s.label, s.source) for s in new.path] == [
        ("blog.example", "served"),
        ("R3", "served"),
        ("ISRG Root X1", "store"),
    ]


def test_an_end_certificate_that_is_itself_trusted_is_accepted() -> None:
    built = dst("new")
    root = built.store[0]
    for name in ("openssl-3", "go", "gnutls-3.6.14"):
        assert _run(name, Setup([root], [root]))[0] == "ok", name


def test_a_search_stops_at_its_bound_and_says_so() -> None:
    """Many same-named, mutually cross-signed CAs: the backtracking search gives up after
    its bound and the verdict names it."""
    import trustgraph.analysis.clientpaths as clientpaths

    pki = PKI()
    cas = [pki.ca("Loop CA") for _ in range(6)]
    certs = [pki.issue(a, b, **NEW) for a in cas for b in cas if a is not b]
    leaf = pki.leaf(cas[0], "loop.example", key_usage="leaf", **LEAF)
    unrelated = pki.root(pki.ca("Unrelated Root"), **NEW)
    behaviour = PROFILES["go"].behaviour
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clientpaths, "MAX_ATTEMPTS", 50)
        verdict = build_path(
            _parsed([leaf, *certs]), TrustedSet(tuple(_parsed([unrelated]))), behaviour, AT
        )
    assert verdict.outcome == "fails"
    assert verdict.limits == ("the search stopped after 50 partial paths",)
