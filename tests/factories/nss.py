"""NSS ``certdata.txt`` text for tests: certificate objects and trust objects, written the
way NSS writes them (``MULTILINE_OCTAL`` values ending in ``END``)."""

from __future__ import annotations

import hashlib


def certdata(objects: list[str]) -> str:
    return "BEGINDATA\n" + "\n".join(objects)


def octal(data: bytes) -> str:
    body = "".join(f"\\{byte:03o}" for byte in data)
    return (
        "MULTILINE_OCTAL\n"
        + "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
        + ("\nEND")
    )


def cert_object(label: str, der: bytes) -> str:
    return (
        f'CKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\nCKA_LABEL UTF8 "{label}"\n'
        f"CKA_VALUE {octal(der)}\n"
    )


def trust_object(
    label: str,
    der: bytes,
    trust: str,
    distrust_after: bytes | None = None,
    issuer: bytes = b"",
    serial: bytes = b"",
) -> str:
    text = (
        f'CKA_CLASS CK_OBJECT_CLASS CKO_NSS_TRUST\nCKA_LABEL UTF8 "{label}"\n'
        f"CKA_CERT_SHA1_HASH {octal(hashlib.sha1(der).digest())}\n"
        f"CKA_ISSUER {octal(issuer)}\nCKA_SERIAL_NUMBER {octal(serial)}\n"
        f"CKA_TRUST_SERVER_AUTH CK_TRUST {trust}\n"
    )
    if distrust_after is not None:
        text += f"CKA_NSS_SERVER_DISTRUST_AFTER {octal(distrust_after)}\n"
    return text
