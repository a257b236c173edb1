"""Path building as a client does it: from the chain a server sends (end certificate
first), a client's :class:`~trustgraph.policy.clients.Behaviour` and the certificates it
trusts, the path it takes and whether it accepts it.

Certificate-level, not CA-level: a client meets certificates (an expired cross-certificate
and the valid root of the same name and key are different choices to it). Three builders,
over the checks of :mod:`trustgraph.analysis.clientjudge`:

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

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from trustgraph.analysis.clientjudge import (
    AIA,
    MAX_PATH,
    PRELOADED,
    SERVED,
    STAND_IN,
    STORE,
    PathJudge,
    Pool,
    TrustedSet,
    Verdict,
    label_of,
    no_issuer,
    stand_in_leaf,
    steps_of,
)
from trustgraph.policy.anchors import SERVER_AUTH
from trustgraph.policy.clients import Alternatives, Behaviour, IssuerOrder
from trustgraph.x509.certificate import CertificateRecord

MAX_ATTEMPTS = 10_000
"""Partial paths a backtracking search extends at most before it gives up (said)."""


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
class _Builder(PathJudge):
    """The three strategies over one judge."""

    _attempts: int = field(default=0, init=False)

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
                anchor = self.pick(self.issuers(self.store_pool, top))
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
        anchor = self.pick(self.issuers(self.store_pool, top))
        if anchor is None:
            return False
        chain.append(anchor)
        sources.append(STORE)
        return True

    def _alternative(self, chain: list[CertificateRecord], sources: list[str]) -> bool:
        for index in range(len(chain) - 2, -1, -1):
            anchor = self.pick(self.issuers(self.store_pool, chain[index]))
            if anchor is not None:
                del chain[index + 1 :], sources[index + 1 :]
                chain.append(anchor)
                sources.append(STORE)
                return True
        return False

    def _judge(self, chain: list[CertificateRecord], sources: list[str], trusted: bool) -> Verdict:
        path = steps_of(chain, sources)
        if not trusted:
            return Verdict("fails", path, no_issuer(chain[-1]))
        problem = self.path_problem(chain, anchored=True)
        return Verdict("fails" if problem else "ok", path, problem)

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
            problem = self.time_problem(copy, "anchor")
            if problem:
                verdict = Verdict("fails", steps_of(path, path_sources), problem)
                return _Attempt(verdict, expired=self.expired(copy, "anchor"))
            if index == 0:
                return _Attempt(Verdict("ok", steps_of(path, path_sources)))
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
            return _Attempt(Verdict("fails", steps_of(work, sources), no_issuer(top)), True)
        anchor = matching[0]
        for later in matching[1:]:
            if later.not_before <= self.at <= later.not_after:
                anchor = later
        path, path_sources = [*work, anchor], [*sources, STORE]
        steps = steps_of(path, path_sources)
        if not self.issued(anchor, top):
            return _Attempt(Verdict("fails", steps, f"{label_of(top)}: signature does not verify"))
        for record, role in ((anchor, "anchor"), (top, "end")):
            problem = self.time_problem(record, role)
            if problem:
                return _Attempt(
                    Verdict("fails", steps, problem), expired=self.expired(record, role)
                )
        for index in range(len(work) - 1, 0, -1):
            child, parent = work[index - 1], work[index]
            if not self.named_issuer(parent, child):
                return _Attempt(Verdict("fails", steps, no_issuer(child)), True)
            if not self.issued(parent, child):
                return _Attempt(
                    Verdict("fails", steps, f"{label_of(child)}: signature does not verify")
                )
            problem = self.time_problem(child, "end")
            if problem:
                return _Attempt(
                    Verdict("fails", steps, problem), expired=self.expired(child, "end")
                )
        problem = self.path_problem(path, anchored=True)
        return _Attempt(Verdict("fails" if problem else "ok", steps, problem))

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
        return Verdict("fails", steps_of([leaf], [SERVED]), no_issuer(leaf), limits)

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
        anchors = self.issuers(self.store_pool, top)
        if self.behaviour.prefers_valid_issuer:
            anchors.sort(key=lambda c: not c.not_before <= self.at <= c.not_after)
        if len(chain) == 1 and any(a.sha256 == top.sha256 for a in self.trusted.anchors):
            anchors = [top]  # the end certificate is itself trusted
            chain, sources = [], []
        for anchor in anchors:
            candidate = [*chain, anchor]
            problem = self.path_problem(candidate, anchored=True)
            verdict = Verdict(
                "fails" if problem else "ok", steps_of(candidate, [*sources, STORE]), problem
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
                            steps_of([*chain, issuer], [*sources, source]),
                            self.certificate_problem(issuer, "intermediate"),
                        )
                    )
                continue
            found = self._extend([*chain, issuer], [*sources, source], failures)
            if found is not None:
                return found
        return None


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
