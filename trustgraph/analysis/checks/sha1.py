"""SHA-1 signatures after the Baseline Requirements' deadlines."""

from __future__ import annotations

from collections.abc import Iterator

from trustgraph.analysis.checks.base import HIGH, NOTICE, CertRow, CheckInfo, Finding
from trustgraph.analysis.checks.scope import TLS

MUST_NOT_FROM = "2016-01-01T00:00:00Z"
SHOULD_NOT_FROM = "2015-01-16T00:00:00Z"
SHOULD_NOT_EXPIRY = "2017-01-01T00:00:00Z"


class Sha1AfterDeadline:
    info = CheckInfo(
        "sha1-after-deadline",
        "SHA-1-signed subscriber or subordinate CA certificates issued on or after "
        "2016-01-01 (high); SHA-1 subscriber certificates issued after 2015-01-16 that expire "
        "after 2017-01-01 (notice: a SHOULD NOT, not a violation).",
        "CA/B Forum Baseline Requirements 7.1.3: MUST NOT from 2016-01-01; SHOULD NOT (expiry "
        "beyond 2017-01-01) from 2015-01-16",
        HIGH,
        TLS,
    )

    def run(self, rows: list[CertRow]) -> Iterator[Finding]:
        for row in rows:
            if row.sig_hash != "sha1" or row.is_root:
                continue
            kind = "subscriber" if row.is_subscriber else "subordinate CA"
            if row.not_before >= MUST_NOT_FROM:
                yield Finding(
                    self.info.name,
                    HIGH,
                    f"SHA-1 {kind} certificate issued {row.not_before[:10]}",
                    [row.sha256],
                    row.subject,
                    row.issuer,
                    {"not_before": row.not_before, "signature_hash": "sha1"},
                )
            elif (
                row.is_subscriber
                and row.not_before > SHOULD_NOT_FROM
                and row.not_after > SHOULD_NOT_EXPIRY
            ):
                yield Finding(
                    self.info.name,
                    NOTICE,
                    f"SHA-1 subscriber certificate issued {row.not_before[:10]} "
                    f"valid until {row.not_after[:10]}",
                    [row.sha256],
                    row.subject,
                    row.issuer,
                    {"not_before": row.not_before, "not_after": row.not_after},
                )
