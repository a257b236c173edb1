"""crt.sh root-program files in the forms crt.sh writes them (one statement per line), for
tests: each function gives one statement."""

from __future__ import annotations

import base64
import hashlib


def hexed(der: bytes) -> str:
    return "E'\\\\x" + der.hex().upper() + "'"


def import_cert(der: bytes) -> str:
    return f"SELECT import_cert({hexed(der)});"


def delete(context: int, below: int | None = None) -> str:
    extra = f" AND TRUST_PURPOSE_ID < {below}" if below is not None else ""
    return f"DELETE FROM root_trust_purpose WHERE TRUST_CONTEXT_ID = {context}{extra};"


def _date(value: str | None) -> str:
    return "NULL" if value is None else f"'{value}'"


def by_sha1(der: bytes, context: int, purpose: int, until: str | None = None) -> str:
    """Mozilla's form: a root by the SHA-1 of its bytes, one purpose, a distrust-after."""
    digest = hexed(hashlib.sha1(der).digest())
    return (
        "INSERT INTO root_trust_purpose (CERTIFICATE_ID, TRUST_CONTEXT_ID, TRUST_PURPOSE_ID, "
        f"NOTBEFORE_UNTIL) SELECT c.ID, {context}, {purpose}, {_date(until)} FROM certificate c "
        f"WHERE digest(c.CERTIFICATE,'sha1')={digest};"
    )


def by_oid(
    der: bytes,
    context: int,
    oid: str,
    disabled: str | None = None,
    until: str | None = None,
    at_most: int | None = 12,
) -> str:
    """Microsoft's and Chrome's form: a root by SHA-256, its purpose chosen by OID."""
    digest = hexed(hashlib.sha256(der).digest())
    bound = f" AND (tp.ID <= {at_most})" if at_most is not None else ""
    return (
        "INSERT INTO root_trust_purpose ( CERTIFICATE_ID, TRUST_CONTEXT_ID, TRUST_PURPOSE_ID, "
        f"DISABLED_FROM, NOTBEFORE_UNTIL ) SELECT c.ID, {context}, tp.ID, {_date(disabled)}, "
        f"{_date(until)} FROM certificate c, trust_purpose tp WHERE "
        f"(digest(c.CERTIFICATE, 'sha256') = {digest}){bound} AND (tp.PURPOSE_OID = '{oid}');"
    )


def by_bytes(der: bytes, context: int, purpose: int, disabled: str | None = None) -> str:
    """The EU list's form: the root's bytes in base64, a disabled date."""
    text = base64.b64encode(der).decode()
    return (
        "INSERT INTO root_trust_purpose (CERTIFICATE_ID, TRUST_CONTEXT_ID, TRUST_PURPOSE_ID, "
        f"DISABLED_FROM) SELECT import_cert(decode('{text}', 'base64')), {context}, {purpose}, "
        f"{_date(disabled)};"
    )


def copy_all(context: int, purpose: int) -> str:
    """Java's form: every root inserted so far gains a purpose."""
    return (
        "INSERT INTO root_trust_purpose ( CERTIFICATE_ID, TRUST_CONTEXT_ID, TRUST_PURPOSE_ID ) "
        f"SELECT rtp.CERTIFICATE_ID, rtp.TRUST_CONTEXT_ID, {purpose} FROM root_trust_purpose rtp "
        f"WHERE rtp.TRUST_CONTEXT_ID = {context};"
    )


def sql_file(*statements: str, transaction: bool = True) -> str:
    lines = list(statements)
    if transaction:
        lines = ["BEGIN WORK;", "LOCK TABLE root_trust_purpose;", *lines, "COMMIT WORK;"]
    return "\n".join(lines) + "\n"
