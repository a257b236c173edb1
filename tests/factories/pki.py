"""Building test PKIs with ``cryptography`` (in the style of C2SP/x509-limbo builders).

A :class:`CA` is a name and a key; :meth:`PKI.root` and :meth:`PKI.issue` make
certificates. Cross-certification is ``pki.issue(other_ca, to=existing_ca)``: the same name
and key certified by another issuer. ``resign`` re-signs a certificate with a legacy hash
(SHA-1, MD5, MD2) that ``cryptography`` no longer signs with.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import itertools
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import algos as asn1_algos
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.factories import der

UTC = dt.UTC
DEFAULT_FROM = dt.datetime(2010, 1, 1, tzinfo=UTC)
DEFAULT_TO = dt.datetime(2040, 1, 1, tzinfo=UTC)


def when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def make_name(cn: str, org: str | None = None, country: str | None = None) -> x509.Name:
    attrs = []
    if country:
        attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, country))
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


@dataclass
class CA:
    """A CA identity: a subject name and a private key."""

    name: x509.Name
    key: Any

    @property
    def cn(self) -> str:
        return str(self.name.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


@dataclass
class Cert:
    der: bytes
    subject: CA
    issuer: CA

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.der).hexdigest()

    @property
    def cert(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.der)

    @property
    def pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()


class PKI:
    """A factory of keys and certificates; everything it makes is kept in ``certs``."""

    def __init__(self) -> None:
        self.certs: list[Cert] = []
        self._serials = itertools.count(1000)
        self._key_index = 0

    def new_key(self, kind: str = "ec") -> Any:
        if kind == "rsa":
            return rsa.generate_private_key(65537, 2048)
        return ec.generate_private_key(ec.SECP256R1())

    def ca(self, cn: str, org: str | None = None, key: Any = None) -> CA:
        return CA(make_name(cn, org), key or self.new_key())

    def root(self, ca: CA | str, **options: Any) -> Cert:
        """A self-signed root certificate of ``ca`` (or a new CA of that common name)."""
        identity = self.ca(ca) if isinstance(ca, str) else ca
        options.setdefault("ca", True)
        return self._make(identity, identity, **options)

    def issue(self, issuer: CA, to: CA | str, **options: Any) -> Cert:
        """A certificate for ``to`` (a CA identity, or a new CA of that name) by ``issuer``."""
        subject = self.ca(to) if isinstance(to, str) else to
        return self._make(issuer, subject, **options)

    def leaf(self, issuer: CA, dns: str, **options: Any) -> Cert:
        options.setdefault("ca", False)
        options.setdefault("san", [dns])
        options.setdefault("eku", [ExtendedKeyUsageOID.SERVER_AUTH])
        return self._make(issuer, CA(make_name(dns), self.new_key()), **options)

    def _make(
        self,
        issuer: CA,
        subject: CA,
        *,
        ca: bool | None = True,
        path_len: int | None = None,
        key_usage: str | None = "ca",
        eku: list[Any] | None = None,
        san: list[str] | None = None,
        permitted_dns: list[str] | None = None,
        excluded_dns: list[str] | None = None,
        permitted_dn: list[x509.Name] | None = None,
        not_before: dt.datetime = DEFAULT_FROM,
        not_after: dt.datetime = DEFAULT_TO,
        serial: int | None = None,
        key_ids: bool = True,
        hash_name: str = "sha256",
        version1: bool = False,
        extra: list[Any] | None = None,
    ) -> Cert:
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject.name)
            .issuer_name(issuer.name)
            .public_key(subject.key.public_key())
            .serial_number(serial if serial is not None else next(self._serials))
            .not_valid_before(not_before)
            .not_valid_after(not_after)
        )
        for extension in extra or []:
            builder = builder.add_extension(extension, critical=False)
        if not version1:
            builder = self._extensions(
                builder,
                issuer,
                subject,
                ca,
                path_len,
                key_usage,
                eku,
                san,
                permitted_dns,
                excluded_dns,
                permitted_dn,
                key_ids,
            )
        signed = builder.sign(issuer.key, hashes.SHA256())
        encoded = signed.public_bytes(serialization.Encoding.DER)
        if version1:
            encoded = _make_version1(encoded, issuer.key)
        if hash_name != "sha256":
            encoded = resign(encoded, issuer.key, hash_name)
        cert = Cert(encoded, subject, issuer)
        self.certs.append(cert)
        return cert

    @staticmethod
    def _extensions(
        builder: x509.CertificateBuilder,
        issuer: CA,
        subject: CA,
        ca: bool | None,
        path_len: int | None,
        key_usage: str | None,
        eku: list[Any] | None,
        san: list[str] | None,
        permitted_dns: list[str] | None,
        excluded_dns: list[str] | None,
        permitted_dn: list[x509.Name] | None,
        key_ids: bool,
    ) -> x509.CertificateBuilder:
        if ca is not None:
            builder = builder.add_extension(
                x509.BasicConstraints(ca=ca, path_length=path_len if ca else None), critical=True
            )
        if key_usage == "ca":
            builder = builder.add_extension(_key_usage(cert_sign=True), critical=True)
        elif key_usage == "leaf":
            builder = builder.add_extension(_key_usage(cert_sign=False), critical=True)
        if eku:
            builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
        if san:
            names: list[x509.GeneralName] = []
            for item in san:
                try:
                    names.append(x509.IPAddress(ipaddress.ip_address(item)))
                except ValueError:
                    names.append(x509.DNSName(item))
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        if permitted_dns or excluded_dns or permitted_dn:
            permitted: list[x509.GeneralName] = [x509.DNSName(d) for d in permitted_dns or []]
            permitted += [x509.DirectoryName(n) for n in permitted_dn or []]
            builder = builder.add_extension(
                x509.NameConstraints(
                    permitted or None, [x509.DNSName(d) for d in excluded_dns or []] or None
                ),
                critical=True,
            )
        if key_ids:
            builder = builder.add_extension(
                x509.SubjectKeyIdentifier.from_public_key(subject.key.public_key()), critical=False
            )
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
                critical=False,
            )
        return builder


def _key_usage(cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


_ALGORITHMS = {
    ("rsa", "sha1"): "sha1_rsa",
    ("rsa", "md5"): "md5_rsa",
    ("rsa", "md2"): "md2_rsa",
    ("rsa", "sha256"): "sha256_rsa",
    ("ec", "sha1"): "sha1_ecdsa",
    ("ec", "sha256"): "sha256_ecdsa",
    ("ec", "md2"): "md2_rsa",
}
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "md5": hashes.MD5,
    "sha256": hashes.SHA256,
}


def resign(certificate: bytes, issuer_key: Any, hash_name: str) -> bytes:
    """Re-sign a certificate with ``hash_name`` (md2 gets a signature nobody can check)."""
    cert = asn1_x509.Certificate.load(certificate)
    kind = "rsa" if isinstance(issuer_key, rsa.RSAPrivateKey) else "ec"
    algorithm = asn1_algos.SignedDigestAlgorithm({"algorithm": _ALGORITHMS[(kind, hash_name)]})
    tbs = cert["tbs_certificate"]
    tbs["signature"] = algorithm
    tbs_der = tbs.dump(force=True)
    if hash_name == "md2":
        signature = b"\x01" * 64
    else:
        signature = der.sign(issuer_key, tbs_der, _HASHES[hash_name]())
    rebuilt = asn1_x509.Certificate(
        {
            "tbs_certificate": asn1_x509.TbsCertificate.load(tbs_der),
            "signature_algorithm": algorithm,
            "signature_value": signature,
        }
    )
    return bytes(rebuilt.dump())


def _make_version1(certificate: bytes, issuer_key: Any) -> bytes:
    """The same certificate as X.509 v1 (no version field, no extensions), re-signed."""
    cert = asn1_x509.Certificate.load(certificate)
    tbs = cert["tbs_certificate"]
    fields = {
        name: tbs[name]
        for name in (
            "serial_number",
            "signature",
            "issuer",
            "validity",
            "subject",
            "subject_public_key_info",
        )
    }
    v1 = asn1_x509.TbsCertificate({"version": "v1", **fields})
    tbs_der = v1.dump(force=True)
    signature = der.sign(issuer_key, tbs_der, hashes.SHA256())
    rebuilt = asn1_x509.Certificate(
        {
            "tbs_certificate": asn1_x509.TbsCertificate.load(tbs_der),
            "signature_algorithm": cert["signature_algorithm"],
            "signature_value": signature,
        }
    )
    return bytes(rebuilt.dump())


def write_pem(path: Path, certs: list[Cert]) -> Path:
    path.write_text("".join(c.pem for c in certs), encoding="utf-8")
    return path


def resign_tbs(certificate: bytes, tbs: bytes, issuer_key: Any) -> bytes:
    """``certificate`` with its to-be-signed bytes replaced by ``tbs`` and signed again
    (SHA-256)."""
    from trustgraph.x509 import der as der_walker

    algorithm = der_walker.split_certificate(certificate).signature_algorithm
    return der.certificate(tbs, algorithm, der.sign(issuer_key, tbs, hashes.SHA256()))


SCT_OID = "1.3.6.1.4.1.11129.2.4.2"


def sct_extension(*timestamps: dt.datetime) -> x509.UnrecognizedExtension:
    """An embedded SCT list (RFC 6962 3.3) with one SCT per timestamp: an OCTET STRING
    holding the TLS-encoded SignedCertificateTimestampList."""
    scts = b""
    for moment in timestamps:
        millis = int(moment.timestamp() * 1000)
        signature = b"\x30\x06\x02\x01\x01\x02\x01\x01"
        body = (
            b"\x00"
            + hashlib.sha256(b"log").digest()
            + millis.to_bytes(8, "big")
            + b"\x00\x00"
            + b"\x04\x03"
            + len(signature).to_bytes(2, "big")
            + signature
        )
        scts += len(body).to_bytes(2, "big") + body
    tls = len(scts).to_bytes(2, "big") + scts
    value = der.tlv(0x04, tls)
    return x509.UnrecognizedExtension(x509.ObjectIdentifier(SCT_OID), value)


def random_pki(seed: int) -> tuple[PKI, list[Cert], list[Cert]]:
    """A random PKI: roots, CAs with several issuers (cycles included), leaves; random
    pathLen, validity windows, EKU and name constraints."""
    rng = random.Random(seed)
    pki = PKI()
    cas: list[CA] = [pki.ca(f"CA {seed}-{i}") for i in range(rng.randint(6, 11))]
    roots = [pki.root(ca) for ca in cas[: rng.randint(2, 3)]]
    for index, ca in enumerate(cas):
        issuers = rng.sample(cas, k=min(len(cas), rng.randint(1, 3)))
        for issuer in issuers:
            if issuer is ca or (index < len(roots) and rng.random() < 0.5):
                continue
            start = rng.choice(["2008-01-01", "2012-01-01", "2016-01-01"])
            end = rng.choice([e for e in ("2014-01-01", "2019-01-01", "2030-01-01") if e > start])
            options: dict[str, Any] = {"not_before": when(start), "not_after": when(end)}
            if rng.random() < 0.25:
                options["path_len"] = rng.choice([0, 1])
            if rng.random() < 0.1:
                options["ca"] = False
            if rng.random() < 0.1:
                options["eku"] = [ExtendedKeyUsageOID.CLIENT_AUTH]
            if rng.random() < 0.15:
                options["permitted_dns"] = [rng.choice(["example.com", "example.org"])]
            pki.issue(issuer, ca, **options)
    leaves = [
        pki.leaf(rng.choice(cas), rng.choice(["a.example.com", "b.example.org"])) for _ in range(3)
    ]
    return pki, roots, leaves
