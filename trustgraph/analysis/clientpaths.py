"""Path building as a client does it: from the chain a server sends (end certificate
first), a client's :class:`~trustgraph.policy.clients.Behaviour` and the certificates it
trusts, the path it takes and whether it accepts it.

Certificate-level, not CA-level: a client meets certificates (an expired cross-certificate
and the valid root of the same name and key are different choices to it). Two builders:

- *greedy* (OpenSSL, old LibreSSL): one issuer per step, from the served chain or the
  store in the client's order; a served self-signed certificate on top is replaced by the
  store's lookup; with alternative chains, only a path that does not reach the store is
  retried from a lower certificate. The path found is then judged: an expired certificate
  on it is final.
- *as sent* (GnuTLS): the served chain sorted into runs of issuer order and used whole; the
  store is asked for the issuer of the top certificate (or, failing that, for a trusted
  certificate with the top's name and key).
- *backtracking* (browsers, platforms, Go, Java, cryptography): every candidate issuer,
  trusted ones first, until a path passes every check.

An issuer candidate has the child's issuer name, a matching key identifier where both
certificates carry one, and a signature over the child that verifies with its key. Not
modelled: name constraints, policies, EKU chaining and signature-algorithm policy (real
clients differ on these beyond the choice of path; the outcome names only path choice).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.x509.oid import NameOID

from trustgraph.core.times import as_iso
from trustgraph.policy.anchors import SERVER_AUTH, AnchorTrust
from trustgraph.policy.clients import Alternatives, Behaviour, IssuerOrder
from trustgraph.policy.revocations import EMPTY, RevocationIndex
from trustgraph.x509.certificate import CertificateRecord, Extensions
from trustgraph.x509.keyusage import KEY_CERT_SIGN
from trustgraph.x509.names import COMMON_NAME, display_name, first_value, rdns_from_der
from trustgraph.x509.signatures import Outcome, verify

MAX_PATH = 10
"""Certificates on a path at most (OpenSSL's default depth limit is 100; real chains are
under ten)."""
MAX_ATTEMPTS = 10_000
"""Partial paths a backtracking search extends at most before it gives up (said)."""

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


@dataclass(frozen=True)
class _Attempt:
    """One GnuTLS verification attempt: its verdict, and whether it failed for an unknown
    issuer or an expired certificate (what decides a retry)."""

    verdict: Verdict
    signer_unknown: bool = False
    expired: bool = False

    @property
    def ok(self) -> bool:
        return self.verdict.ok


@dataclass
class _Builder:
    served: tuple[CertificateRecord, ...]
    trusted: TrustedSet
    behaviour: Behaviour
    at: datetime
    preloaded: Pool | None = None
    aia: Pool | None = None
    sct_time: datetime | None = None
    judge_end: bool = True
    _store: Pool = field(init=False)
    _signed: dict[tuple[str, str], bool] = field(default_factory=dict, init=False)
    _attempts: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._store = Pool(self.trusted.anchors)

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
        timing = self._time_problem(record, role)
        if timing:
            return timing
        if record.sha256 in self.trusted.blocked:
            return f"{_label(record)}: distrusted by the store"
        if role != "anchor" and self.behaviour.revocations:
            revoked = self.trusted.revocations.refusal(record.sha256, as_iso(self.at))
            if revoked:
                return f"{_label(record)}: {revoked}"
        if role != "end" and not _may_issue(record, role):
            return f"{_label(record)}: not a CA certificate allowed to sign certificates"
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
                f"{_label(anchor)} is distrusted for certificates issued after "
                f"{cutoff[:10]} (this one from {as_iso(end.not_before)[:10]})"
            )
        if trust.sct_not_after and self.sct_time and as_iso(self.sct_time) > trust.sct_not_after:
            return (
                f"{_label(anchor)} is distrusted for certificates logged after "
                f"{trust.sct_not_after[:10]}"
            )
        return None

    # -- the greedy builder --------------------------------------------------------------

    def greedy(self) -> Verdict:
        leaf = self.served[0]
        chain, sources = [leaf], [SERVED]
        remaining = list(self.served[1:])
        trusted = False
        while len(chain) < MAX_PATH:
            top = chain[-1]
            if self.self_signed(top):
                if len(chain) > 1:  # a served root: the store's lookup below replaces it
                    chain.pop()
                    sources.pop()
                break
            if self.behaviour.issuer_order is IssuerOrder.TRUSTED_FIRST:
                anchor = self.pick(self.issuers(self._store, top))
                if anchor is not None:
                    chain.append(anchor)
                    sources.append(STORE)
                    trusted = True
                    break
            issuer = self.pick([r for r in self.issuers(remaining, top) if r not in chain])
            if issuer is None:
                break
            chain.append(issuer)
            sources.append(SERVED)
            remaining.remove(issuer)
        if not trusted:
            trusted = self._anchor_greedy(chain, sources)
        if not trusted and self.behaviour.alternatives is Alternatives.WHEN_NO_TRUSTED_ISSUER:
            trusted = self._alternative(chain, sources)
        return self._judge(chain, sources, trusted)

    def _anchor_greedy(self, chain: list[CertificateRecord], sources: list[str]) -> bool:
        top = chain[-1]
        if len(chain) == 1 and self.self_signed(top):
            if any(a.sha256 == top.sha256 for a in self.trusted.anchors):
                sources[-1] = STORE
                return True
            return False
        anchor = self.pick(self.issuers(self._store, top))
        if anchor is None:
            return False
        chain.append(anchor)
        sources.append(STORE)
        return True

    def _alternative(self, chain: list[CertificateRecord], sources: list[str]) -> bool:
        for index in range(len(chain) - 2, -1, -1):
            anchor = self.pick(self.issuers(self._store, chain[index]))
            if anchor is not None:
                del chain[index + 1 :], sources[index + 1 :]
                chain.append(anchor)
                sources.append(STORE)
                return True
        return False

    def _judge(self, chain: list[CertificateRecord], sources: list[str], trusted: bool) -> Verdict:
        path = _steps(chain, sources)
        if not trusted:
            return Verdict("fails", path, _no_issuer(chain[-1]))
        problem = self.path_problem(chain, anchored=True)
        return Verdict("fails" if problem else "ok", path, problem)

    # -- the as-sent builder (GnuTLS) ------------------------------------------------------

    def named_issuer(self, parent: CertificateRecord, child: CertificateRecord) -> bool:
        """GnuTLS's issuer test: the name, and the key identifiers where both are present
        (the signature is checked later, on the path)."""
        if child.sha256 == STAND_IN:
            return parent.subject_key == child.issuer_key and parent.spki == child.spki
        child_aki, parent_ski = child.extensions.aki, parent.extensions.ski
        return parent.subject_key == child.issuer_key and not (
            child_aki and parent_ski and child_aki != parent_ski
        )

    def as_sent(self) -> Verdict:
        chain = self._sorted_runs(list(dict.fromkeys(self.served)))
        chain = self._shortened(chain)
        top = chain[-1]
        first = self._verify_as_sent(chain, top.issuer_key)
        if first.ok or top.self_issued:
            return first.verdict
        retry = first.signer_unknown or (
            first.expired and self.behaviour.alternatives is Alternatives.TRUSTED_COPY_OF_TOP
        )
        if not retry:
            return first.verdict
        second = self._verify_as_sent(chain, top.subject_key)
        if second.ok or not first.signer_unknown:
            return second.verdict if second.ok else first.verdict
        return second.verdict

    def _sorted_runs(self, sent: list[CertificateRecord]) -> list[CertificateRecord]:
        """The served chain in runs of issuer order (the first candidate in the order sent;
        sent self-signed certificates end a run), each run followed by the next until one
        ends at a certificate whose issuer the store has."""
        done = 0
        while done < len(sent):
            run = self._run(sent[done:])
            sent[done:] = run + [r for r in sent[done:] if r not in run]
            done += len(run)
            top = sent[done - 1]
            if any(self.named_issuer(anchor, top) for anchor in self.trusted.anchors):
                return sent[:done]
        return sent

    def _run(self, tail: list[CertificateRecord]) -> list[CertificateRecord]:
        issuer: dict[int, int] = {}
        for index, record in enumerate(tail):
            if self.named_issuer(record, record):
                continue
            found = next(
                (
                    j
                    for j in range(1, len(tail))
                    if j != index and self.named_issuer(tail[j], record)
                ),
                None,
            )
            if found is not None:
                issuer[index] = found
        run, at = [tail[0]], 0
        while len(run) < len(tail) and at in issuer:
            at = issuer[at]
            run.append(tail[at])
        return run

    def _shortened(self, chain: list[CertificateRecord]) -> list[CertificateRecord]:
        if len(chain) > 1 and self.named_issuer(chain[-1], chain[-1]):
            chain = chain[:-1]
        trusted = {anchor.sha256 for anchor in self.trusted.anchors}
        for index in range(1, len(chain)):
            if chain[index].sha256 in trusted:
                return chain[: index + 1]
        return chain

    def _verify_as_sent(self, chain: list[CertificateRecord], bucket: str) -> _Attempt:
        """GnuTLS's verification of ``chain`` against the trusted certificates named
        ``bucket``."""
        candidates = [a for a in self.trusted.anchors if a.subject_key == bucket]
        work = list(chain)
        if len(work) > 1 and self.named_issuer(work[-1], work[-1]):
            work.pop()
        sources = [SERVED] * len(work)
        for index, record in enumerate(work):
            copy = next(
                (
                    a
                    for a in candidates
                    if a.subject_key == record.subject_key and a.spki == record.spki
                ),
                None,
            )
            if copy is None:
                continue
            path, path_sources = [*work[:index], copy], [*sources[:index], STORE]
            problem = self._time_problem(copy, "anchor")
            if problem:
                verdict = Verdict("fails", _steps(path, path_sources), problem)
                return _Attempt(verdict, expired=self._expired(copy, "anchor"))
            if index == 0:
                return _Attempt(Verdict("ok", _steps(path, path_sources)))
            work, sources = work[:index], sources[:index]
            break
        return self._check_as_sent(work, sources, candidates)

    def _check_as_sent(
        self,
        work: list[CertificateRecord],
        sources: list[str],
        candidates: list[CertificateRecord],
    ) -> _Attempt:
        top = work[-1]
        matching = [a for a in candidates if self.named_issuer(a, top)]
        if not matching:
            return _Attempt(Verdict("fails", _steps(work, sources), _no_issuer(top)), True)
        anchor = matching[0]
        for later in matching[1:]:
            if later.not_before <= self.at <= later.not_after:
                anchor = later
        path, path_sources = [*work, anchor], [*sources, STORE]
        steps = _steps(path, path_sources)
        if not self.issued(anchor, top):
            return _Attempt(Verdict("fails", steps, f"{_label(top)}: signature does not verify"))
        for record, role in ((anchor, "anchor"), (top, "end")):
            problem = self._time_problem(record, role)
            if problem:
                return _Attempt(
                    Verdict("fails", steps, problem), expired=self._expired(record, role)
                )
        for index in range(len(work) - 1, 0, -1):
            child, parent = work[index - 1], work[index]
            if not self.named_issuer(parent, child):
                return _Attempt(Verdict("fails", steps, _no_issuer(child)), True)
            if not self.issued(parent, child):
                return _Attempt(
                    Verdict("fails", steps, f"{_label(child)}: signature does not verify")
                )
            problem = self._time_problem(child, "end")
            if problem:
                return _Attempt(
                    Verdict("fails", steps, problem), expired=self._expired(child, "end")
                )
        problem = self.path_problem(path, anchored=True)
        return _Attempt(Verdict("fails" if problem else "ok", steps, problem))

    def _expired(self, record: CertificateRecord, role: str) -> bool:
        """Expired (not merely not yet valid), as the role's checks see it."""
        checked = role != "anchor" or self.behaviour.checks_anchor_validity
        return checked and self.at > record.not_after

    def _time_problem(self, record: CertificateRecord, role: str) -> str | None:
        if role == "anchor" and not self.behaviour.checks_anchor_validity:
            return None
        if self.at < record.not_before:
            return f"{_label(record)}: not yet valid (from {as_iso(record.not_before)[:10]})"
        if self.at > record.not_after:
            return f"{_label(record)}: expired on {as_iso(record.not_after)[:10]}"
        return None

    # -- the backtracking builder --------------------------------------------------------

    def backtracking(self) -> Verdict:
        leaf = self.served[0]
        first_failure: list[Verdict] = []
        found = self._extend([leaf], [SERVED], first_failure)
        if found is not None:
            return found
        limits: tuple[str, ...] = ()
        if self._attempts >= MAX_ATTEMPTS:
            limits = (f"the search stopped after {MAX_ATTEMPTS} partial paths",)
        if first_failure:
            failed = first_failure[0]
            return Verdict("fails", failed.path, failed.reason, limits)
        return Verdict("fails", _steps([leaf], [SERVED]), _no_issuer(leaf), limits)

    def _candidates(self, top: CertificateRecord) -> list[tuple[CertificateRecord, str]]:
        pools: list[tuple[Pool | Sequence[CertificateRecord], str]] = [(self.served[1:], SERVED)]
        if self.preloaded is not None:
            pools.append((self.preloaded, PRELOADED))
        if self.aia is not None:
            pools.append((self.aia, AIA))
        found: list[tuple[CertificateRecord, str]] = []
        for pool, source in pools:
            ordered = self.issuers(pool, top)
            if self.behaviour.prefers_valid_issuer:
                ordered.sort(key=lambda c: not c.not_before <= self.at <= c.not_after)
            found.extend((record, source) for record in ordered)
        return found

    def _extend(
        self, chain: list[CertificateRecord], sources: list[str], failures: list[Verdict]
    ) -> Verdict | None:
        self._attempts += 1
        if self._attempts > MAX_ATTEMPTS or len(chain) > MAX_PATH:
            return None
        top = chain[-1]
        anchors = self.issuers(self._store, top)
        if self.behaviour.prefers_valid_issuer:
            anchors.sort(key=lambda c: not c.not_before <= self.at <= c.not_after)
        if len(chain) == 1 and any(a.sha256 == top.sha256 for a in self.trusted.anchors):
            anchors = [top]  # the end certificate is itself trusted
            chain, sources = [], []
        for anchor in anchors:
            candidate = [*chain, anchor]
            problem = self.path_problem(candidate, anchored=True)
            verdict = Verdict(
                "fails" if problem else "ok", _steps(candidate, [*sources, STORE]), problem
            )
            if not problem:
                return verdict
            failures.append(verdict)
        if not chain:
            return None
        for issuer, source in self._candidates(top):
            if issuer in chain or any(issuer.sha256 == c.sha256 for c in chain):
                continue
            if self.self_signed(issuer):
                continue  # an untrusted root ends nothing
            if self.certificate_problem(issuer, "intermediate"):
                if not failures:
                    failures.append(
                        Verdict(
                            "fails",
                            _steps([*chain, issuer], [*sources, source]),
                            self.certificate_problem(issuer, "intermediate"),
                        )
                    )
                continue
            found = self._extend([*chain, issuer], [*sources, source], failures)
            if found is not None:
                return found
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
                f"{_label(path[index])}: path length constraint {limit} "
                f"exceeded ({below} CA certificates below it)"
            )
    return None


def stand_in_leaf(issuer: CertificateRecord, at: datetime) -> CertificateRecord:
    """A leaf of ``issuer``'s CA (its name and key), valid around ``at``: what a client is
    given when a CA's chain is judged for its leaves. It has no bytes and no signature;
    :class:`_Builder` matches its issuer by name and key."""
    label = f"a leaf of {_label(issuer)}"[:64]  # the longest common name X.520 allows
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


def _label(record: CertificateRecord) -> str:
    return first_value(record.subject, COMMON_NAME) or display_name(record.subject)


def _no_issuer(record: CertificateRecord) -> str:
    return f"no trusted issuer found for {_label(record)}"


def _steps(chain: list[CertificateRecord], sources: list[str]) -> tuple[Step, ...]:
    return tuple(
        Step(r.sha256, display_name(r.subject), s, as_iso(r.not_after), _label(r))
        for r, s in zip(chain, sources, strict=True)
    )


def build_path(
    served: Sequence[CertificateRecord],
    trusted: TrustedSet,
    behaviour: Behaviour,
    at: datetime,
    *,
    preloaded: Pool | None = None,
    aia: Pool | None = None,
    sct_time: datetime | None = None,
    judge_end: bool = True,
) -> Verdict:
    """The path a client with ``behaviour`` takes from ``served`` (end certificate first)
    to ``trusted`` at ``at``, and whether it accepts it.

    ``preloaded`` and ``aia`` are used only when the behaviour says so; ``sct_time`` is the
    end certificate's SCT time, for a store's SCT cut-offs. With ``judge_end`` False,
    ``served`` starts at an issuing CA's certificate and the path is built for a leaf of
    that CA valid at ``at`` (:func:`stand_in_leaf`; the client may reach the CA by another
    of its certificates); the store's partial distrust, which depends on each leaf's dates,
    is left to the caller (``Verdict.cutoffs``).

    Raises:
        ValueError: ``served`` is empty.
    """
    if not served:
        raise ValueError("a served chain needs at least the end certificate")
    if not judge_end:
        served = [stand_in_leaf(served[0], at), *served]
    builder = _Builder(
        tuple(served),
        trusted,
        behaviour,
        at,
        preloaded if behaviour.preloaded_intermediates else None,
        aia if behaviour.fetches_aia else None,
        sct_time,
        judge_end,
    )
    if behaviour.alternatives is Alternatives.ON_ANY_FAILURE:
        verdict = builder.backtracking()
    elif behaviour.issuer_order is IssuerOrder.AS_SENT:
        verdict = builder.as_sent()
    else:
        verdict = builder.greedy()
    if not judge_end:
        verdict = replace(verdict, path=tuple(s for s in verdict.path if s.sha256 != STAND_IN))
    if judge_end or not verdict.ok or not behaviour.partial_distrust:
        return verdict
    trust = trusted.trust.get(verdict.path[-1].sha256)
    if trust is None:
        return verdict
    return replace(verdict, cutoffs=(trust.cutoff_for(SERVER_AUTH), trust.sct_not_after))
