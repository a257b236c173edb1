"""Subject keys: types and sizes the Baseline Requirements allow, and keys reused across
subject names."""

from __future__ import annotations

from collections.abc import Iterator

from trustgraph.analysis.checks.base import HIGH, INFO, CertRow, CheckInfo, Finding
from trustgraph.analysis.checks.scope import ALL, TLS

APPROVED_CURVES = ("P-256", "P-384", "P-521")
RSA_2048_FROM = "2013-12-31T23:59:59Z"


class UnapprovedKey:
    info = CheckInfo(
        "unapproved-key",
        "Subject keys the Baseline Requirements do not allow: EC keys not on P-256, P-384 or "
        "P-521 (SM2, for example), RSA keys under 2048 bits (for certificates valid after "
        "2013-12-31), and other key types (DSA, EdDSA, unknown).",
        "CA/B Forum Baseline Requirements 6.1.5",
        HIGH,
        TLS,
    )

    def run(self, rows: list[CertRow]) -> Iterator[Finding]:
        for row in rows:
            problem = self._problem(row)
            if problem:
                yield Finding(
                    "unapproved-key",
                    HIGH,
                    problem,
                    [row.sha256],
                    row.subject,
                    row.issuer,
                    {
                        "key_algorithm": row.key_algorithm,
                        "key_size": row.key_size,
                        "curve": row.key_curve,
                    },
                )

    @staticmethod
    def _problem(row: CertRow) -> str | None:
        algorithm = row.key_algorithm or "unknown"
        if algorithm == "ec":
            if row.key_curve not in APPROVED_CURVES:
                return f"EC key on curve {row.key_curve}, not P-256, P-384 or P-521"
            return None
        if algorithm in ("rsa", "rsa-pss"):
            if row.key_size is not None and row.key_size < 2048 and row.not_after > RSA_2048_FROM:
                return f"RSA key of {row.key_size} bits"
            return None
        return f"{algorithm} key: not a type the Baseline Requirements allow"


class KeyReuseAcrossNames:
    info = CheckInfo(
        "key-reuse-across-names",
        "One public key certified under different subject names (a renamed or rolled-over "
        "CA, or a key shared between CAs), listed for review.",
        "Review aid (a CA is a name and a key)",
        INFO,
        ALL,
    )

    def run(self, rows: list[CertRow]) -> Iterator[Finding]:
        by_key: dict[str, dict[str, list[str]]] = {}
        for row in rows:
            if row.spki_sha256:
                by_key.setdefault(row.spki_sha256, {}).setdefault(row.subject, []).append(
                    row.sha256
                )
        for key, subjects in sorted(by_key.items()):
            if len(subjects) < 2:
                continue
            yield Finding(
                "key-reuse-across-names",
                INFO,
                f"one key under {len(subjects)} subject names",
                sorted(fp for fps in subjects.values() for fp in fps),
                evidence={
                    "spki_sha256": key,
                    "subjects": {s: sorted(f) for s, f in subjects.items()},
                },
            )
