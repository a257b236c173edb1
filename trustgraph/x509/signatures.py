"""Certificate signature algorithms, and checking a signature with an issuer's key.

``cryptography``'s ``verify_directly_issued_by`` refuses SHA-1 and MD5 signatures; real
issuance edges of the Web PKI use both, so trustgraph checks the signature itself: the
issuer's public key over the to-be-signed bytes, with the padding and hash named by the
certificate's signature AlgorithmIdentifier.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import lru_cache

from asn1crypto import algos as asn1_algos
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa

from trustgraph.x509 import der

_RSA = "rsa-pkcs1v15"
_PSS = "rsa-pss"
_ECDSA = "ecdsa"
_DSA = "dsa"
_ED25519 = "ed25519"
_ED448 = "ed448"

# OID -> (scheme, hash name). Hash names are those of the signature-algorithm policy.
SIGNATURE_ALGORITHMS: dict[str, tuple[str, str | None]] = {
    "1.2.840.113549.1.1.2": (_RSA, "md2"),
    "1.2.840.113549.1.1.3": (_RSA, "md4"),
    "1.2.840.113549.1.1.4": (_RSA, "md5"),
    "1.2.840.113549.1.1.5": (_RSA, "sha1"),
    "1.3.14.3.2.29": (_RSA, "sha1"),
    "1.2.840.113549.1.1.14": (_RSA, "sha224"),
    "1.2.840.113549.1.1.11": (_RSA, "sha256"),
    "1.2.840.113549.1.1.12": (_RSA, "sha384"),
    "1.2.840.113549.1.1.13": (_RSA, "sha512"),
    "2.16.840.1.101.3.4.3.13": (_RSA, "sha3-224"),
    "2.16.840.1.101.3.4.3.14": (_RSA, "sha3-256"),
    "2.16.840.1.101.3.4.3.15": (_RSA, "sha3-384"),
    "2.16.840.1.101.3.4.3.16": (_RSA, "sha3-512"),
    "1.2.840.113549.1.1.10": (_PSS, None),
    "1.2.840.10045.4.1": (_ECDSA, "sha1"),
    "1.2.840.10045.4.3.1": (_ECDSA, "sha224"),
    "1.2.840.10045.4.3.2": (_ECDSA, "sha256"),
    "1.2.840.10045.4.3.3": (_ECDSA, "sha384"),
    "1.2.840.10045.4.3.4": (_ECDSA, "sha512"),
    "2.16.840.1.101.3.4.3.9": (_ECDSA, "sha3-224"),
    "2.16.840.1.101.3.4.3.10": (_ECDSA, "sha3-256"),
    "2.16.840.1.101.3.4.3.11": (_ECDSA, "sha3-384"),
    "2.16.840.1.101.3.4.3.12": (_ECDSA, "sha3-512"),
    "1.2.840.10040.4.3": (_DSA, "sha1"),
    "2.16.840.1.101.3.4.3.1": (_DSA, "sha224"),
    "2.16.840.1.101.3.4.3.2": (_DSA, "sha256"),
    "1.3.101.112": (_ED25519, None),
    "1.3.101.113": (_ED448, None),
    "1.2.156.10197.1.501": ("sm2", "sm3"),
}

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "md5": hashes.MD5,
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha3-224": hashes.SHA3_224,
    "sha3-256": hashes.SHA3_256,
    "sha3-384": hashes.SHA3_384,
    "sha3-512": hashes.SHA3_512,
}

_ASN1_HASH_NAMES = {"sha512_224": "sha512-224", "sha512_256": "sha512-256"}
HASH_NAMES = frozenset(
    {name for _scheme, name in SIGNATURE_ALGORITHMS.values() if name}
    | set(_ASN1_HASH_NAMES.values())
)
"""Every signature hash name trustgraph tells apart."""


@dataclass(frozen=True, slots=True)
class SignatureSpec:
    """How a certificate was signed: the scheme, its hash, and PSS parameters if any."""

    oid: str
    scheme: str
    hash: str | None
    pss_mgf_hash: str | None = None
    pss_salt_length: int | None = None

    @property
    def name(self) -> str:
        """A short readable name such as ``sha256-rsa-pkcs1v15`` or ``unknown-1.2.3``."""
        if self.scheme == "unknown":
            return f"unknown-{self.oid}"
        return f"{self.hash}-{self.scheme}" if self.hash else self.scheme


class Outcome(enum.Enum):
    VERIFIED = "verified"
    FAILED = "failed"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True, slots=True)
class Verification:
    outcome: Outcome
    reason: str = ""


@lru_cache(maxsize=1024)
def signature_spec(algorithm_identifier: bytes) -> SignatureSpec:
    """The signature scheme named by a DER AlgorithmIdentifier.

    Unknown OIDs give a spec with scheme ``unknown`` rather than an error: such a certificate
    still loads, and its edge becomes *unverifiable*.

    Raises:
        der.DerError: the bytes are not an AlgorithmIdentifier.
    """
    oid = der.algorithm_oid(algorithm_identifier)
    scheme, hash_name = SIGNATURE_ALGORITHMS.get(oid, ("unknown", None))
    if scheme != _PSS:
        return SignatureSpec(oid, scheme, hash_name)
    try:
        params = asn1_algos.SignedDigestAlgorithm.load(algorithm_identifier)["parameters"]
        hash_name = _asn1_hash(params["hash_algorithm"]["algorithm"].native)
        mgf_hash = _asn1_hash(params["mask_gen_algorithm"]["parameters"]["algorithm"].native)
        salt = int(params["salt_length"].native)
    except (ValueError, KeyError, TypeError):
        return SignatureSpec(oid, _PSS, None)
    return SignatureSpec(oid, _PSS, hash_name, mgf_hash, salt)


def _asn1_hash(name: str) -> str:
    return _ASN1_HASH_NAMES.get(name, name)


@lru_cache(maxsize=4096)
def load_public_key(spki: bytes) -> object:
    """The public key of a DER SubjectPublicKeyInfo, cached (issuers sign many certificates).

    Raises:
        UnsupportedAlgorithm: the key type or curve is not supported by ``cryptography``.
        ValueError: the key bytes are malformed.
    """
    return _load_public_key(spki)


@lru_cache(maxsize=4096)
def _load_public_key(spki: bytes) -> object:
    return serialization.load_der_public_key(spki)


def _hash(name: str | None) -> hashes.HashAlgorithm | None:
    factory = _HASHES.get(name or "")
    return factory() if factory else None


def verify(spki: bytes, spec: SignatureSpec, tbs: bytes, signature: bytes) -> Verification:
    """Check ``signature`` over ``tbs`` with the key in ``spki``.

    Never raises for bad input: a signature that cannot be checked (MD2, SM2, an unknown
    algorithm, a key type ``cryptography`` does not load) is UNSUPPORTED with the reason; a
    key of the wrong type, or a signature that does not verify, is FAILED.
    """
    if spec.scheme in ("unknown", "sm2"):
        return Verification(Outcome.UNSUPPORTED, f"signature algorithm {spec.name} not supported")
    if spec.hash is not None and spec.scheme != _PSS and _hash(spec.hash) is None:
        return Verification(Outcome.UNSUPPORTED, f"hash {spec.hash} cannot be checked")
    try:
        key = load_public_key(spki)
    except (UnsupportedAlgorithm, ValueError) as exc:
        return Verification(Outcome.UNSUPPORTED, f"issuer key not supported: {_first_line(exc)}")
    try:
        return _verify_with(key, spec, tbs, signature)
    except InvalidSignature:
        return Verification(Outcome.FAILED, "signature does not verify with this key")
    except UnsupportedAlgorithm as exc:
        return Verification(Outcome.UNSUPPORTED, _first_line(exc))
    except (ValueError, TypeError) as exc:
        return Verification(Outcome.FAILED, f"signature cannot match this key: {_first_line(exc)}")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _verify_with(key: object, spec: SignatureSpec, tbs: bytes, signature: bytes) -> Verification:
    wrong_key = Verification(Outcome.FAILED, f"issuer key type does not fit {spec.name}")
    hash_algorithm = _hash(spec.hash)
    if spec.scheme == _RSA:
        if not isinstance(key, rsa.RSAPublicKey) or hash_algorithm is None:
            return wrong_key
        key.verify(signature, tbs, padding.PKCS1v15(), hash_algorithm)
    elif spec.scheme == _PSS:
        mgf_hash = _hash(spec.pss_mgf_hash)
        if hash_algorithm is None or mgf_hash is None or spec.pss_salt_length is None:
            return Verification(Outcome.UNSUPPORTED, "RSA-PSS parameters not supported")
        if not isinstance(key, rsa.RSAPublicKey):
            return wrong_key
        pss = padding.PSS(mgf=padding.MGF1(mgf_hash), salt_length=spec.pss_salt_length)
        key.verify(signature, tbs, pss, hash_algorithm)
    elif spec.scheme == _ECDSA:
        if not isinstance(key, ec.EllipticCurvePublicKey) or hash_algorithm is None:
            return wrong_key
        key.verify(signature, tbs, ec.ECDSA(hash_algorithm))
    elif spec.scheme == _DSA:
        if not isinstance(key, dsa.DSAPublicKey) or hash_algorithm is None:
            return wrong_key
        key.verify(signature, tbs, hash_algorithm)
    elif spec.scheme == _ED25519:
        if not isinstance(key, ed25519.Ed25519PublicKey):
            return wrong_key
        key.verify(signature, tbs)
    elif spec.scheme == _ED448:
        if not isinstance(key, ed448.Ed448PublicKey):
            return wrong_key
        key.verify(signature, tbs)
    else:
        return Verification(Outcome.UNSUPPORTED, f"signature scheme {spec.scheme} not supported")
    return Verification(Outcome.VERIFIED)
