"""Signed checkpoints of a CT log (c2sp.org/tlog-checkpoint, c2sp.org/signed-note, and the
RFC 6962 note signature of c2sp.org/static-ct-api).

A checkpoint is the log's origin, its size, its root hash (base64) and, after a blank line,
signature lines ``— <key name> <base64(key id || signature)>``. The log's signature is the
one whose key name is the origin and whose key id is the first four bytes of
SHA-256(key name || 0x0A || 0x05 || LogID), LogID being the SHA-256 of the log's public key
(SubjectPublicKeyInfo). Its body is a timestamp and an RFC 6962 ``TreeHeadSignature``
signature over (version 0, type 1, timestamp, size, root). Other signatures (witnesses)
are ignored. A checkpoint that is not signed by the log's key is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from trustgraph.errors import InputError

MAX_CHECKPOINT_BYTES = 1 << 20
_SIGNATURE_PREFIX = "\u2014 "
_SHA256, _RSA, _ECDSA = 4, 1, 3


@dataclass(frozen=True)
class LogKey:
    """A log's public key, and the id RFC 6962 derives from it."""

    spki: bytes

    @property
    def log_id(self) -> bytes:
        return hashlib.sha256(self.spki).digest()

    def key_id(self, name: str) -> bytes:
        """The note key id of this key under ``name``."""
        return hashlib.sha256(name.encode() + b"\n\x05" + self.log_id).digest()[:4]

    @classmethod
    def from_pem(cls, data: bytes, label: str) -> LogKey:
        """A key from PEM (a public key, or the private key the log signs with).

        Raises:
            InputError: the bytes are no EC P-256 or RSA key.
        """
        try:
            key = serialization.load_pem_public_key(data)
        except ValueError:
            try:
                key = serialization.load_pem_private_key(data, None).public_key()
            except (ValueError, TypeError) as exc:
                raise InputError(f"{label}: not a PEM public key ({exc})") from exc
        if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
            raise InputError(f"{label}: a CT log key is ECDSA or RSA")
        spki = key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return cls(spki)


@dataclass(frozen=True)
class Checkpoint:
    """A verified checkpoint: origin, size, root hash, and the signed tree head's time
    (milliseconds since the epoch)."""

    origin: str
    size: int
    root: bytes
    timestamp: int
    text: str


def verify_checkpoint(data: bytes, key: LogKey, label: str) -> Checkpoint:
    """The checkpoint ``data`` holds, verified with ``key``.

    Raises:
        InputError: it is malformed, or carries no valid signature by ``key`` (the
            message names ``label`` and the reason).
    """
    if len(data) > MAX_CHECKPOINT_BYTES:
        raise InputError(f"{label}: a checkpoint of {len(data)} bytes; refused")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{label}: the checkpoint is not UTF-8") from exc
    body, separator, signatures = text.partition("\n\n")
    lines = body.split("\n")
    if not separator or len(lines) < 3:
        raise InputError(f"{label}: not a checkpoint (origin, size, root, then signatures)")
    origin, size_text, root_text = lines[:3]
    if len(lines) > 3:
        raise InputError(f"{label}: a checkpoint with extension lines is not an RFC 6962 one")
    if not size_text.isdecimal() or (size_text.startswith("0") and size_text != "0"):
        raise InputError(f"{label}: tree size {size_text[:40]!r} is not a number")
    root = _b64(root_text, label, "root hash")
    if len(root) != 32:
        raise InputError(f"{label}: a root hash of {len(root)} bytes")
    size = int(size_text)
    for line in signatures.split("\n"):
        found = _log_signature(line, origin, key, label)
        if found is None:
            continue
        timestamp, signature = found
        _check(key, _tree_head(timestamp, size, root), signature, label)
        return Checkpoint(origin, size, root, timestamp, text)
    raise InputError(f"{label}: no signature by the log's key (key name {origin!r})")


def _log_signature(line: str, origin: str, key: LogKey, label: str) -> tuple[int, bytes] | None:
    """(timestamp, DigitallySigned) of the log's signature line; None for another line."""
    if not line.startswith(_SIGNATURE_PREFIX):
        return None
    name, _space, encoded = line[len(_SIGNATURE_PREFIX) :].rpartition(" ")
    if name != origin:
        return None
    raw = _b64(encoded, label, "signature")
    if raw[:4] != key.key_id(name):
        return None
    if len(raw) < 4 + 8 + 4:
        raise InputError(f"{label}: a signature of {len(raw)} bytes is too short")
    timestamp = int.from_bytes(raw[4:12], "big")
    return timestamp, raw[12:]


def _tree_head(timestamp: int, size: int, root: bytes) -> bytes:
    return b"\x00\x01" + timestamp.to_bytes(8, "big") + size.to_bytes(8, "big") + root


def _check(key: LogKey, message: bytes, signed: bytes, label: str) -> None:
    """Verify an RFC 6962 DigitallySigned value over ``message``.

    Raises:
        InputError: the structure is malformed, or the signature does not verify.
    """
    hash_id, algorithm = signed[0], signed[1]
    length = int.from_bytes(signed[2:4], "big")
    signature = signed[4:]
    if hash_id != _SHA256 or length != len(signature):
        raise InputError(f"{label}: the signature is not a SHA-256 DigitallySigned value")
    public = serialization.load_der_public_key(key.spki)
    try:
        if algorithm == _ECDSA and isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        elif algorithm == _RSA and isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        else:
            raise InputError(f"{label}: signature algorithm {algorithm} does not fit the key")
    except InvalidSignature as exc:
        raise InputError(f"{label}: the checkpoint's signature does not verify") from exc


def _b64(text: str, label: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InputError(f"{label}: the {what} is not base64") from exc
