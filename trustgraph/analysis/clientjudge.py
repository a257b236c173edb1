"""What a client's path builder judges, whatever its strategy: issuer candidates (name,
key identifier, signature; GnuTLS's name-and-key-id test), the choice among them, and the
checks of a certificate and of a path (validity, anchor validity per client, distrust,
revocation, CA flags, path length, a store's partial distrust), with the records a path
is made of (:class:`Step`, :class:`Verdict`) and the stand-in leaf a CA's chain is judged
for. The strategies are in :mod:`trustgraph.analysis.clientpaths`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.x509.oid import NameOID

from trustgraph.core.times import as_iso
from trustgraph.policy.anchors import SERVER_AUTH, AnchorTrust
from trustgraph.policy.clients import Behaviour
from trustgraph.policy.revocations import EMPTY, RevocationIndex
from trustgraph.x509.certificate import CertificateRecord, Extensions
from trustgraph.x509.keyusage import KEY_CERT_SIGN
from trustgraph.x509.names import COMMON_NAME, display_name, first_value, rdns_from_der
from trustgraph.x509.signatures import Outcome, verify

MAX_PATH = 10
"""Certificates on a path at most (OpenSSL's default depth limit is 100; real chains are
under ten)."""

STAND_IN = "stand-in leaf"
"""The fingerprint of the leaf :func:`stand_in_leaf` makes (no certificate has it)."""
SERVED = "served"
STORE = "store"
PRELOADED = "preloaded"
AIA = "aia"


class Pool:
    """Certificates by subject name, for issuer lookups (in the order given)."""

    def __init__(self, records: Iterable[CertificateRecord] = ()) -> None:
        self._by_subject: dict[str, list[CertificateRecord]] = {}
        for record in records:
            self._by_subject.setdefault(record.subject_key, []).append(record)

    def named(self, subject_key: str) -> Sequence[CertificateRecord]:
        return self._by_subject.get(subject_key, ())


class LazyPool(Pool):
    """A pool filled on demand, one subject at a time (loaded CA certificates for AIA)."""

    def __init__(self, fetch: Callable[[str], Sequence[CertificateRecord]]) -> None:
        super().__init__()
        self._fetch = fetch

    def named(self, subject_key: str) -> Sequence[CertificateRecord]:
        if subject_key not in self._by_subject:
            self._by_subject[subject_key] = list(self._fetch(subject_key))
        return self._by_subject[subject_key]


@dataclass(frozen=True)
class TrustedSet:
    """What a client trusts: its store's anchor certificates (trusted for TLS servers), what
    the store says of each (by certificate SHA-256), the certificates it distrusts
    outright, and the revocations its clients honour."""

    anchors: tuple[CertificateRecord, ...]
    trust: dict[str, AnchorTrust] = field(default_factory=dict)
    blocked: frozenset[str] = frozenset()
    revocations: RevocationIndex = field(default=EMPTY, compare=False)


@dataclass(frozen=True)
class Step:
    """One certificate of a client's path and where the client got it."""

    sha256: str
    subject: str
    source: str
    not_after: str
    label: str
    """The subject's common name (else the whole subject): what tables show."""


@dataclass(frozen=True)
class Verdict:
    """A client's outcome: ``ok`` or ``fails``, the path it took (or got furthest with),
    why it fails, and what bounded the search."""

    outcome: str
    path: tuple[Step, ...]
    reason: str | None = None
    limits: tuple[str, ...] = ()
    cutoffs: tuple[str | None, str | None] = (None, None)
    """For an accepted chain that stands for its leaves (``judge_end`` False): the
    anchor's distrust-after and SCT cut-off that the client applies to each leaf."""

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass
class PathJudge:
    """One client's view of one served chain: its candidates, choices and checks, with
    the signatures it has verified (memoized)."""

    served: tuple[CertificateRecord, ...]
    trusted: TrustedSet
    behaviour: Behaviour
    at: datetime
    preloaded: Pool | None = None
    aia: Pool | None = None
    sct_time: datetime | None = None
    judge_end: bool = True
    store_pool: Pool = field(init=False)
    """The trusted certificates by subject."""
    _signed: dict[tuple[str, str], bool] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.store_pool = Pool(self.trusted.anchors)

    # -- issuer candidates ---------------------------------------------------------------

    def issued(self, parent: CertificateRecord, child: CertificateRecord) -> bool:
        """Whether ``parent`` could be ``child``'s issuer: its name, key id and signature."""
        if parent.subject_key != child.issuer_key:
            return False
        if child.sha256 == STAND_IN:
            return parent.spki == child.spki  # the stand-in carries its issuer's key
        child_aki, parent_ski = child.extensions.aki, parent.extensions.ski
        if child_aki and parent_ski and child_aki != parent_ski:
            return False
        key = (child.sha256, parent.spki_sha256)
        if key not in self._signed:
            checked = verify(parent.spki, child.signature, child.tbs, child.signature_value)
            self._signed[key] = checked.outcome is Outcome.VERIFIED
        return self._signed[key]

    def self_signed(self, record: CertificateRecord) -> bool:
        return record.sha256 != STAND_IN and record.self_issued and self.issued(record, record)

    def issuers(
        self, pool: Pool | Sequence[CertificateRecord], child: CertificateRecord
    ) -> list[CertificateRecord]:
        named = (
            pool.named(child.issuer_key)
            if isinstance(pool, Pool)
            else [r for r in pool if r.subject_key == child.issuer_key]
        )
        return [parent for parent in named if self.issued(parent, child)]

    def pick(self, candidates: list[CertificateRecord]) -> CertificateRecord | None:
        """The candidate the client takes: the first valid at the time if it prefers valid
        issuers (else the one expiring last), or simply the first."""
        if not candidates:
            return None
        if not self.behaviour.prefers_valid_issuer:
            return candidates[0]
        for candidate in candidates:
            if candidate.not_before <= self.at <= candidate.not_after:
                return candidate
        return max(candidates, key=lambda c: c.not_after)

    # -- judging -------------------------------------------------------------------------

    def certificate_problem(self, record: CertificateRecord, role: str) -> str | None:
        """Why the client refuses ``record`` in ``role`` (end, intermediate or anchor)."""
        timing = self.time_problem(record, role)
        if timing:
            return timing
        if record.sha256 in self.trusted.blocked:
            return f"{label_of(record)}: distrusted by the store"
        if role != "anchor" and self.behaviour.revocations:
            revoked = self.trusted.revocations.refusal(record.sha256, as_iso(self.at))
            if revoked:
                return f"{label_of(record)}: {revoked}"
        if role != "end" and not _may_issue(record, role):
            return f"{label_of(record)}: not a CA certificate allowed to sign certificates"
        return None

    def path_problem(self, path: list[CertificateRecord], anchored: bool) -> str | None:
        """Why the client refuses ``path`` (end certificate first, anchor last if
        ``anchored``), nearest the anchor first as clients verify top-down."""
        roles = ["end"] + ["intermediate"] * (len(path) - 1)
        if anchored:
            roles[-1] = "anchor"
        for index in range(len(path) - 1, -1, -1):
            problem = self.certificate_problem(path[index], roles[index])
            if problem:
                return problem
        problem = _path_length_problem(path)
        if problem or not anchored or not self.judge_end:
            return problem
        return self.distrust_problem(path[0], path[-1])

    def distrust_problem(self, end: CertificateRecord, anchor: CertificateRecord) -> str | None:
        """The store's partial distrust of ``anchor`` as it bears on ``end``."""
        if not self.behaviour.partial_distrust:
            return None
        trust = self.trusted.trust.get(anchor.sha256)
        if trust is None:
            return None
        cutoff = trust.cutoff_for(SERVER_AUTH)
        if cutoff and as_iso(end.not_before) > cutoff:
            return (
                f"{label_of(anchor)} is distrusted for certificates issued after "
                f"{cutoff[:10]} (this one from {as_iso(end.not_before)[:10]})"
            )
        if trust.sct_not_after and self.sct_time and as_iso(self.sct_time) > trust.sct_not_after:
            return (
                f"{label_of(anchor)} is distrusted for certificates logged after "
                f"{trust.sct_not_after[:10]}"
            )
        return None

    def named_issuer(self, parent: CertificateRecord, child: CertificateRecord) -> bool:
        """GnuTLS's issuer test: the name, and the key identifiers where both are present
        (the signature is checked later, on the path)."""
        if child.sha256 == STAND_IN:
            return parent.subject_key == child.issuer_key and parent.spki == child.spki
        child_aki, parent_ski = child.extensions.aki, parent.extensions.ski
        return parent.subject_key == child.issuer_key and not (
            child_aki and parent_ski and child_aki != parent_ski
        )

    def expired(self, record: CertificateRecord, role: str) -> bool:
        """Expired (not merely not yet valid), as the role's checks see it."""
        checked = role != "anchor" or self.behaviour.checks_anchor_validity
        return checked and self.at > record.not_after

    def time_problem(self, record: CertificateRecord, role: str) -> str | None:
        if role == "anchor" and not self.behaviour.checks_anchor_validity:
            return None
        if self.at < record.not_before:
            return f"{label_of(record)}: not yet valid (from {as_iso(record.not_before)[:10]})"
        if self.at > record.not_after:
            return f"{label_of(record)}: expired on {as_iso(record.not_after)[:10]}"
        return None


def _may_issue(record: CertificateRecord, role: str) -> bool:
    ext = record.extensions
    if ext.is_ca is None and role == "anchor" and record.version < 3:
        return True  # a v1 root: clients accept it as an anchor
    if not ext.is_ca:
        return False
    return ext.key_usage is None or bool(ext.key_usage & KEY_CERT_SIGN)


def _path_length_problem(path: list[CertificateRecord]) -> str | None:
    for index in range(1, len(path)):
        limit = path[index].extensions.path_len
        if limit is None:
            continue
        below = sum(1 for r in path[1:index] if not r.self_issued)
        if below > limit:
            return (
                f"{label_of(path[index])}: path length constraint {limit} "
                f"exceeded ({below} CA certificates below it)"
            )
    return None


def stand_in_leaf(issuer: CertificateRecord, at: datetime) -> CertificateRecord:
    """A leaf of ``issuer``'s CA (its name and key), valid around ``at``: what a client is
    given when a CA's chain is judged for its leaves. It has no bytes and no signature;
    :class:`_Builder` matches its issuer by name and key."""
    label = f"a leaf of {label_of(issuer)}"[:64]  # the longest common name X.520 allows
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, label)]).public_bytes()
    return replace(
        issuer,
        sha256=STAND_IN,
        der=b"",
        version=3,
        subject=rdns_from_der(name),
        issuer=issuer.subject,
        not_before=at - timedelta(days=1),
        not_after=at + timedelta(days=1),
        extensions=Extensions(is_ca=False, aki=issuer.extensions.ski),
        tbs=b"",
        signature_value=b"",
    )


def label_of(record: CertificateRecord) -> str:
    return first_value(record.subject, COMMON_NAME) or display_name(record.subject)


def no_issuer(record: CertificateRecord) -> str:
    return f"no trusted issuer found for {label_of(record)}"


def steps_of(chain: list[CertificateRecord], sources: list[str]) -> tuple[Step, ...]:
    return tuple(
        Step(r.sha256, display_name(r.subject), s, as_iso(r.not_after), label_of(r))
        for r, s in zip(chain, sources, strict=True)
    )
