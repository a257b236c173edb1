"""One parsed X.509 certificate, read by ``cryptography`` or, where it refuses, ``asn1crypto``.

Real Web PKI data contains certificates that ``cryptography`` will not read (legacy time
encodings, explicitly encoded DEFAULT values, PrintableStrings with forbidden characters,
malformed extensions it does not need). trustgraph must not drop them: one of them is the
Certum -> WoSign G2 cross-certificate. The outer structure, serial, validity, key and
signature come from trustgraph's own DER walker for every certificate; names and extensions
come from ``cryptography`` when it accepts the certificate and from ``asn1crypto`` otherwise.
"""

from __future__ import annotations

import hashlib
import ipaddress
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.x509.oid import ExtensionOID

from trustgraph.errors import CertificateParseError
from trustgraph.x509 import der, names
from trustgraph.x509.keyusage import KEY_CERT_SIGN as KEY_CERT_SIGN
from trustgraph.x509.keyusage import KEY_USAGE_BITS
from trustgraph.x509.signatures import SignatureSpec, signature_spec
from trustgraph.x509.stored import GeneralName, NameConstraints

_ASN1_KEY_USAGE = {
    "digital_signature": "digital_signature",
    "non_repudiation": "content_commitment",
    "key_encipherment": "key_encipherment",
    "data_encipherment": "data_encipherment",
    "key_agreement": "key_agreement",
    "key_cert_sign": "key_cert_sign",
    "crl_sign": "crl_sign",
    "encipher_only": "encipher_only",
    "decipher_only": "decipher_only",
}

KEY_ALGORITHMS = {
    "1.2.840.113549.1.1.1": "rsa",
    "1.2.840.113549.1.1.10": "rsa-pss",
    "1.2.840.10045.2.1": "ec",
    "1.2.840.10040.4.1": "dsa",
    "1.3.101.112": "ed25519",
    "1.3.101.113": "ed448",
}
CURVES = {
    "1.2.840.10045.3.1.7": "P-256",
    "1.3.132.0.34": "P-384",
    "1.3.132.0.35": "P-521",
    "1.3.132.0.10": "secp256k1",
    "1.2.156.10197.1.301": "SM2",
    "1.3.36.3.3.2.8.1.1.7": "brainpoolP256r1",
    "1.3.36.3.3.2.8.1.1.11": "brainpoolP384r1",
    "1.3.36.3.3.2.8.1.1.13": "brainpoolP512r1",
}


@dataclass(frozen=True, slots=True)
class Extensions:
    """The extensions that path rules need, decoded; None where the extension is absent."""

    is_ca: bool | None = None
    path_len: int | None = None
    key_usage: int | None = None
    eku: tuple[str, ...] | None = None
    name_constraints: NameConstraints | None = None
    san: tuple[GeneralName, ...] = ()
    ski: str | None = None
    aki: str | None = None
    unreadable_critical: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KeyInfo:
    algorithm: str
    size: int | None
    curve: str | None

    @property
    def description(self) -> str:
        if self.curve:
            return f"{self.algorithm}-{self.curve}"
        return f"{self.algorithm}-{self.size}" if self.size else self.algorithm


@dataclass(frozen=True, slots=True)
class CertificateRecord:
    """A parsed certificate: what the graph, path rules and reports need of it."""

    sha256: str
    der: bytes
    version: int
    serial: str
    subject: names.RDNSequence
    issuer: names.RDNSequence
    not_before: datetime
    not_after: datetime
    spki: bytes
    key: KeyInfo
    signature: SignatureSpec
    extensions: Extensions
    parser: str
    warnings: tuple[str, ...] = field(default=())
    tbs: bytes = field(default=b"", repr=False, compare=False)
    signature_value: bytes = field(default=b"", repr=False, compare=False)

    @property
    def subject_key(self) -> str:
        return names.name_key(self.subject)

    @property
    def issuer_key(self) -> str:
        return names.name_key(self.issuer)

    @property
    def spki_sha256(self) -> str:
        return hashlib.sha256(self.spki).hexdigest()

    @property
    def ca_id(self) -> str:
        return ca_id(self.subject_key, self.spki_sha256)

    @property
    def self_issued(self) -> bool:
        return self.subject_key == self.issuer_key


def ca_id(subject_key: str, spki_sha256: str) -> str:
    """The id of the CA (key identity) with this normalized subject and key hash."""
    return hashlib.sha256(f"{subject_key}\n{spki_sha256}".encode()).hexdigest()


def serial_hex(content: bytes) -> str:
    """The serial number as lower-case hex of its value (``-`` prefix if negative)."""
    value = int.from_bytes(content, "big", signed=True)
    return f"-{-value:x}" if value < 0 else f"{value:x}"


def parse_certificate(der_bytes: bytes) -> CertificateRecord:
    """Parse one DER certificate.

    Raises:
        CertificateParseError: the bytes are not a certificate either parser can read; the
            message carries both parsers' reasons.
    """
    try:
        parts = der.split_certificate(der_bytes)
        not_before, not_after = der.parse_validity(parts.validity)
        spec = signature_spec(parts.signature_algorithm)
        key = describe_key(parts.spki)
        subject = names.rdns_from_der(parts.subject)
        issuer = names.rdns_from_der(parts.issuer)
    except der.DerError as exc:
        raise CertificateParseError(f"not a DER certificate: {exc}") from exc
    warn: list[str] = []
    try:
        extensions = _extensions_with_cryptography(der_bytes)
        parser = "cryptography"
    except Exception as crypto_exc:
        try:
            extensions, notes = _extensions_with_asn1crypto(parts)
        except der.DerError as exc:
            raise CertificateParseError(f"malformed extensions: {exc}") from exc
        parser = "asn1crypto"
        warn.append(f"extensions read by asn1crypto (cryptography: {_one_line(crypto_exc)})")
        warn.extend(notes)
    return CertificateRecord(
        sha256=hashlib.sha256(der_bytes).hexdigest(),
        der=der_bytes,
        version=parts.version,
        serial=serial_hex(parts.serial),
        subject=subject,
        issuer=issuer,
        not_before=not_before,
        not_after=not_after,
        spki=parts.spki,
        key=key,
        signature=spec,
        extensions=extensions,
        parser=parser,
        warnings=tuple(warn),
        tbs=parts.tbs,
        signature_value=parts.signature,
    )


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return (text[:200] + "...") if len(text) > 200 else text or type(exc).__name__


def describe_key(spki: bytes) -> KeyInfo:
    """Algorithm, size (RSA, DSA) and curve (EC) of a SubjectPublicKeyInfo.

    Raises:
        der.DerError: the bytes are not a SubjectPublicKeyInfo.
    """
    oid, params = der.spki_algorithm(spki)
    algorithm = KEY_ALGORITHMS.get(oid, oid)
    curve = None
    size = None
    if algorithm == "ec" and params:
        param_tlv = der.read_tlv(params, 0)
        if param_tlv.tag == der.OID:
            curve_oid = der.decode_oid(param_tlv.content(params))
            curve = CURVES.get(curve_oid, curve_oid)
        else:
            curve = "explicit"
    elif algorithm in ("rsa", "rsa-pss"):
        size = _rsa_modulus_bits(spki)
    return KeyInfo(algorithm, size, curve)


def _rsa_modulus_bits(spki: bytes) -> int | None:
    try:
        seq = der.read_tlv(spki, 0)
        bit_string = der.children(spki, seq)[1]
        inner = bit_string.content(spki)[1:]
        modulus = der.children(inner, der.read_tlv(inner, 0))[0].content(inner)
    except (der.DerError, IndexError):
        return None
    return int.from_bytes(modulus, "big").bit_length()


def _extensions_with_cryptography(der_bytes: bytes) -> Extensions:
    with warnings.catch_warnings():
        # cryptography warns about non-conformant certificates; they are still data to load.
        warnings.simplefilter("ignore")
        cert = x509.load_der_x509_certificate(der_bytes)
        return _extensions_from_cryptography(cert.extensions)


def _extensions_from_cryptography(exts: x509.Extensions) -> Extensions:
    values: dict[str, Any] = {}
    for ext in exts:
        value = ext.value
        oid = ext.oid
        if oid == ExtensionOID.BASIC_CONSTRAINTS:
            values["is_ca"] = value.ca
            values["path_len"] = value.path_length
        elif oid == ExtensionOID.KEY_USAGE:
            values["key_usage"] = _key_usage_from_cryptography(value)
        elif oid == ExtensionOID.EXTENDED_KEY_USAGE:
            values["eku"] = tuple(item.dotted_string for item in value)
        elif oid == ExtensionOID.NAME_CONSTRAINTS:
            values["name_constraints"] = NameConstraints(
                None
                if value.permitted_subtrees is None
                else tuple(_general_name(n) for n in value.permitted_subtrees),
                tuple(_general_name(n) for n in value.excluded_subtrees or ()),
            )
        elif oid == ExtensionOID.SUBJECT_ALTERNATIVE_NAME:
            values["san"] = tuple(_general_name(n) for n in value)
        elif oid == ExtensionOID.SUBJECT_KEY_IDENTIFIER:
            values["ski"] = value.digest.hex()
        elif oid == ExtensionOID.AUTHORITY_KEY_IDENTIFIER and value.key_identifier:
            values["aki"] = value.key_identifier.hex()
    return Extensions(**values)


def _key_usage_from_cryptography(value: x509.KeyUsage) -> int:
    bits = 0
    # encipher_only and decipher_only raise ValueError without key_agreement: skip them then.
    attributes = KEY_USAGE_BITS if value.key_agreement else KEY_USAGE_BITS[:7]
    for index, attribute in enumerate(attributes):
        if getattr(value, attribute):
            bits |= 1 << index
    return bits


def _general_name(general_name: x509.GeneralName) -> GeneralName:
    if isinstance(general_name, x509.DNSName):
        return ("dns", general_name.value)
    if isinstance(general_name, x509.RFC822Name):
        return ("email", general_name.value)
    if isinstance(general_name, x509.IPAddress):
        return ("ip", str(general_name.value))
    if isinstance(general_name, x509.UniformResourceIdentifier):
        return ("uri", general_name.value)
    if isinstance(general_name, x509.DirectoryName):
        return ("dn", names.name_key(names.rdns_from_der(general_name.value.public_bytes())))
    if isinstance(general_name, x509.OtherName):
        return ("other", general_name.type_id.dotted_string)
    return ("other", type(general_name).__name__)


def _extensions_with_asn1crypto(parts: der.CertificateParts) -> tuple[Extensions, list[str]]:
    """Decode each extension on its own, so one malformed extension spoils only itself.

    An unreadable critical extension makes the certificate unusable in paths (RFC 5280
    6.1.3: a validator must reject it) but keeps it in the graph, with the reason.
    """
    values: dict[str, Any] = {}
    notes: list[str] = []
    unreadable: list[str] = []
    for raw in parts.extensions:
        decoder = _ASN1_DECODERS.get(raw.oid)
        if decoder is None:
            continue
        try:
            values.update(decoder(raw.value))
        except Exception as exc:
            state = "critical" if raw.critical else "non-critical"
            notes.append(f"{state} extension {raw.oid} unreadable: {_one_line(exc)}")
            if raw.critical:
                unreadable.append(raw.oid)
    return Extensions(**values, unreadable_critical=tuple(unreadable)), notes


def _asn1_basic_constraints(value: bytes) -> dict[str, Any]:
    parsed = asn1_x509.BasicConstraints.load(value).native
    return {"is_ca": bool(parsed["ca"]), "path_len": parsed["path_len_constraint"]}


def _asn1_key_usage(value: bytes) -> dict[str, Any]:
    bits = 0
    for name in asn1_x509.KeyUsage.load(value).native:
        bits |= 1 << KEY_USAGE_BITS.index(_ASN1_KEY_USAGE[name])
    return {"key_usage": bits}


def _asn1_eku(value: bytes) -> dict[str, Any]:
    parsed = asn1_x509.ExtKeyUsageSyntax.load(value)
    return {"eku": tuple(item.dotted for item in parsed)}


_ASN1_TEXT_NAMES = {"dns_name": "dns", "rfc822_name": "email", "uniform_resource_identifier": "uri"}


def _asn1_general_name(general_name: Any) -> GeneralName:
    kind = general_name.name
    chosen = general_name.chosen
    if kind in _ASN1_TEXT_NAMES:
        # The raw IA5 text: asn1crypto would turn punycode into Unicode, cryptography does not.
        return (_ASN1_TEXT_NAMES[kind], chosen.contents.decode("latin-1"))
    if kind == "directory_name":
        return ("dn", names.name_key(names.rdns_from_der(chosen.untag().dump())))
    if kind == "ip_address":
        return ("ip", _asn1_ip(chosen.contents))
    if kind == "other_name":
        return ("other", chosen["type_id"].dotted)
    return ("other", kind)


def _asn1_ip(contents: bytes) -> str:
    if len(contents) in (4, 16):
        return str(ipaddress.ip_address(contents))
    half = len(contents) // 2
    address = ipaddress.ip_address(contents[:half])
    mask = int.from_bytes(contents[half:], "big")
    prefix = bin(mask).count("1")
    return f"{address}/{prefix}"


def _asn1_name_constraints(value: bytes) -> dict[str, Any]:
    parsed = asn1_x509.NameConstraints.load(value)

    def subtrees(key: str) -> tuple[GeneralName, ...] | None:
        item = parsed[key]
        if item.native is None:
            return None
        return tuple(_asn1_general_name(sub["base"]) for sub in item)

    return {
        "name_constraints": NameConstraints(
            subtrees("permitted_subtrees"), subtrees("excluded_subtrees") or ()
        )
    }


def _asn1_san(value: bytes) -> dict[str, Any]:
    parsed = asn1_x509.GeneralNames.load(value)
    return {"san": tuple(_asn1_general_name(item) for item in parsed)}


def _asn1_ski(value: bytes) -> dict[str, Any]:
    return {"ski": asn1_x509.OctetString.load(value).native.hex()}


def _asn1_aki(value: bytes) -> dict[str, Any]:
    key_id = asn1_x509.AuthorityKeyIdentifier.load(value)["key_identifier"].native
    return {"aki": key_id.hex()} if key_id else {}


_ASN1_DECODERS = {
    "2.5.29.19": _asn1_basic_constraints,
    "2.5.29.15": _asn1_key_usage,
    "2.5.29.37": _asn1_eku,
    "2.5.29.30": _asn1_name_constraints,
    "2.5.29.17": _asn1_san,
    "2.5.29.14": _asn1_ski,
    "2.5.29.35": _asn1_aki,
}
