"""Values derived from a certificate's bytes that the checks need server-side, where the
bytes are not: the earliest embedded SCT, a digest of the content without notBefore, and
notBefore as a date in the issuer's country."""

from __future__ import annotations

from typing import Any

from trustgraph.analysis.checks.calendar_days import local_issuance_date
from trustgraph.analysis.checks.duplicates import content_without_not_before
from trustgraph.core.times import iso
from trustgraph.x509 import der
from trustgraph.x509.details import SCT_LIST, sct_timestamps


def certificate_extras(
    der_bytes: bytes | None, not_before: str | None, issuer_key: str
) -> dict[str, Any]:
    """Derived facts checks need server-side: earliest SCT, content digest, local date."""
    if der_bytes is None:
        return {"earliest_sct": None, "content_digest": None, "local_date": None}
    extras: dict[str, Any] = {
        "earliest_sct": None,
        "content_digest": None,
        "local_date": local_issuance_date(not_before, issuer_key),
    }
    try:
        parts = der.split_certificate(der_bytes)
        extras["content_digest"] = content_without_not_before(parts)
        if _SCT_OID in (parts.extensions_der or b""):  # most certificates have none
            for ext in parts.extensions:
                if ext.oid == SCT_LIST:
                    stamps = sct_timestamps(ext.value)
                    extras["earliest_sct"] = iso(min(stamps)) if stamps else None
    except (der.DerError, ValueError):
        pass
    return extras


_SCT_OID = bytes.fromhex("060a2b06010401d679020402")  # DER of 1.3.6.1.4.1.11129.2.4.2
