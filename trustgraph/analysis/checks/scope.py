"""Which certificates a rule of the Baseline Requirements speaks of: TLS server
certificates and the CAs that can issue them.

A certificate is in TLS scope when its own extended key usage allows serverAuth (no EKU
extension, anyExtendedKeyUsage or id-kp-serverAuth) and its issuing CA can issue TLS
certificates: a root whose certificate allows serverAuth, or a CA certified, on some path
from such a root, by CA certificates that all allow it. A CA whose EKU excludes serverAuth
is technically constrained against TLS in the sense of Mozilla's Root Store Policy (5.3.1),
and neither it nor what it issues is in scope. When the issuer of a certificate is not
loaded, its own EKU decides, and the finding says so.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from typing import Any

from trustgraph.analysis.records import Records
from trustgraph.x509.keyusage import allows_server_auth, eku_name

TLS, ALL = "tls", "all"
SCOPES = (TLS, ALL)


def eku_names(eku: tuple[str, ...]) -> str:
    return ", ".join(eku_name(oid) for oid in eku) or "none"


@dataclass(frozen=True)
class Scope:
    """Whether one certificate is in TLS scope, and why."""

    tls: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"tls": self.tls, "reason": self.reason}


@dataclass(frozen=True)
class TlsScope:
    """The CAs that can issue TLS certificates, and each CA certificate's EKU."""

    tls_cas: frozenset[str]
    known_cas: frozenset[str]

    @classmethod
    def from_records(cls, records: Records) -> TlsScope:
        issued: dict[str, list[tuple[str, tuple[str, ...] | None]]] = {}
        start: set[str] = set()
        known: set[str] = set()
        for _fingerprint, issuer, subject, eku_json, is_root in records.scope_rows():
            eku = None if eku_json is None else tuple(json.loads(eku_json))
            known.add(subject)
            if is_root and allows_server_auth(eku):
                start.add(subject)
            elif issuer is not None and issuer != subject:
                issued.setdefault(issuer, []).append((subject, eku))
        capable = set(start)
        queue = deque(start)
        while queue:
            for subject, eku in issued.get(queue.popleft(), ()):
                if subject not in capable and allows_server_auth(eku):
                    capable.add(subject)
                    queue.append(subject)
        return cls(frozenset(capable), frozenset(known))

    def of(self, eku: tuple[str, ...] | None, issuer_ca: str | None, is_root: bool) -> Scope:
        """The scope of a certificate with this EKU, issued by ``issuer_ca``."""
        if not allows_server_auth(eku):
            return Scope(False, f"its EKU ({eku_names(eku or ())}) excludes serverAuth")
        if is_root:
            return Scope(True, "a root whose EKU allows serverAuth")
        if issuer_ca is None or issuer_ca not in self.known_cas:
            return Scope(True, "its EKU allows serverAuth; its issuer is not loaded")
        if issuer_ca in self.tls_cas:
            return Scope(True, "its EKU and those of a path above it allow serverAuth")
        return Scope(
            False, "every path above it has a CA certificate whose EKU excludes serverAuth"
        )
