"""A generated Web PKI with leaves for a CT log, and the truth about them.

Three roots: R1 (distrusted in the Mozilla-style store for certificates issued after
:data:`DISTRUST_AFTER`), R2 (an SCT cut-off in the Chrome-style store, set between the two
phases of submission), R3 (trusted plainly). I1 is issued by R1 and cross-signed by R2 (two
certificates of one CA); I2 by R3, with a precertificate signing certificate P2 that signs
its precertificates; R3 also issues leaves itself. Leaves name registered domains under
multi-label public suffixes (``co.uk``), private ones (``github.io``) and plain ``.com``;
some are expired at :data:`QUERY`, some issued after the distrust-after date; some are
logged as a precertificate in the first phase and as a certificate in the second (earliest
SCT before the cut-off), some only in the second. Every count a test expects comes from
:meth:`CtWorld.truth`, computed here from what was generated, not by trustgraph.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

QUERY = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
DISTRUST_AFTER = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
POISON = x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.3")
PRECERT_SIGNING = x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.4")
SUFFIXES = ("co.uk", "github.io", "com")


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CT World"),
        ]
    )


@dataclass
class Ca:
    name: x509.Name
    key: ec.EllipticCurvePrivateKey
    certs: list[bytes] = field(default_factory=list)


@dataclass(frozen=True)
class Leaf:
    """One generated certificate: its issuing CA, validity, registered domains, and how
    it is logged (phase 1 or 2; as a precertificate, a certificate, or both)."""

    issuer: str
    serial: int
    not_before: dt.datetime
    not_after: dt.datetime
    domains: tuple[str, ...]
    precert_phase: int | None
    cert_phase: int | None


@dataclass
class CtWorld:
    cas: dict[str, Ca]
    leaves: list[Leaf]
    submissions: dict[int, list[tuple[bool, list[bytes]]]]

    def roots_pem(self) -> bytes:
        return b"".join(
            x509.load_der_x509_certificate(self.cas[r].certs[0]).public_bytes(
                serialization.Encoding.PEM
            )
            for r in ("R1", "R2", "R3")
        )

    def ca_certificates(self) -> list[bytes]:
        return [der for ca in self.cas.values() for der in ca.certs]

    def truth(
        self,
        issuers: Iterable[str],
        issued_after: dt.datetime | None = None,
        logged_only_in: int | None = None,
    ) -> tuple[int, int]:
        """(unexpired leaves at :data:`QUERY`, their registered domains) issued by
        ``issuers``; only those issued after ``issued_after``, or logged only in phase
        ``logged_only_in``, when given."""
        wanted = set(issuers)
        chosen = [
            leaf
            for leaf in self.leaves
            if leaf.issuer in wanted
            and leaf.not_before <= QUERY <= leaf.not_after
            and (issued_after is None or leaf.not_before > issued_after)
            and (logged_only_in is None or _first_phase(leaf) == logged_only_in)
        ]
        return len(chosen), len({d for leaf in chosen for d in leaf.domains})


def _first_phase(leaf: Leaf) -> int:
    return min(p for p in (leaf.precert_phase, leaf.cert_phase) if p is not None)


def _certificate(
    issuer: Ca,
    subject: x509.Name,
    key: ec.EllipticCurvePublicKey,
    serial: int,
    not_before: dt.datetime,
    not_after: dt.datetime,
    extensions: list[tuple[x509.ExtensionType, bool]],
) -> bytes:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.name)
        .public_key(key)
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _ca_extensions(
    eku: list[x509.ObjectIdentifier] | None = None,
) -> list[tuple[x509.ExtensionType, bool]]:
    found: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=True, path_length=None), True),
        (
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            True,
        ),
    ]
    if eku:
        found.append((x509.ExtendedKeyUsage(eku), False))
    return found


def build_world(count: int, seed: int = 7) -> CtWorld:
    """``count`` leaves and their CAs (see the module's description)."""
    rng = random.Random(seed)
    start, end = dt.datetime(2020, 1, 1, tzinfo=dt.UTC), dt.datetime(2040, 1, 1, tzinfo=dt.UTC)
    cas = {
        name: Ca(_name(f"CT World {name}"), ec.generate_private_key(ec.SECP256R1()))
        for name in ("R1", "R2", "R3", "I1", "I2", "P2")
    }
    serials = iter(range(10, 10_000_000))

    def issue(issuer: str, subject: str, eku: list[x509.ObjectIdentifier] | None = None) -> None:
        der = _certificate(
            cas[issuer],
            cas[subject].name,
            cas[subject].key.public_key(),
            next(serials),
            start,
            end,
            _ca_extensions(eku),
        )
        cas[subject].certs.append(der)

    for root in ("R1", "R2", "R3"):
        issue(root, root)
    issue("R1", "I1")
    issue("R2", "I1")  # the cross-certificate: I1's name and key, signed by R2
    issue("R3", "I2")
    issue("I2", "P2", [PRECERT_SIGNING])
    leaf_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    pool = [f"site-{n}.{SUFFIXES[n % 3]}" for n in range(max(count // 3, 10))]
    leaves: list[Leaf] = []
    submissions: dict[int, list[tuple[bool, list[bytes]]]] = {1: [], 2: []}
    issuers = ("I1", "I1", "I2", "I2", "R3")
    for _ in range(count):
        issuer = rng.choice(issuers)
        not_before = dt.datetime(2025, 3, 1, tzinfo=dt.UTC) + dt.timedelta(
            days=rng.randrange(450), seconds=rng.randrange(86400)
        )
        not_after = not_before + dt.timedelta(days=rng.choice((30, 90, 200, 398)))
        domains = tuple(sorted(set(rng.sample(pool, rng.choice((1, 1, 2, 3))))))
        way = rng.choice(("pair", "precert", "cert", "late-cert", "late-pair"))
        phases = {
            "pair": (1, 2),
            "precert": (1, None),
            "cert": (None, 1),
            "late-cert": (None, 2),
            "late-pair": (2, 2),
        }[way]
        leaf = Leaf(issuer, next(serials), not_before, not_after, domains, *phases)
        leaves.append(leaf)
        for precert, phase in ((True, phases[0]), (False, phases[1])):
            if phase is not None:
                submissions[phase].append((precert, _leaf_chain(cas, leaf, leaf_key, precert, rng)))
    return CtWorld(cas, leaves, submissions)


def _leaf_chain(
    cas: dict[str, Ca],
    leaf: Leaf,
    key: ec.EllipticCurvePublicKey,
    precert: bool,
    rng: random.Random,
) -> list[bytes]:
    names: list[x509.GeneralName] = []
    for domain in leaf.domains:
        names += [x509.DNSName(domain), x509.DNSName(f"www.{domain}")]
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (x509.SubjectAlternativeName(names), False),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
    ]
    signer = leaf.issuer
    if precert:
        extensions.append((x509.UnrecognizedExtension(POISON, b"\x05\x00"), True))
        if leaf.issuer == "I2":
            signer = "P2"
    der = _certificate(
        cas[signer],
        _name(f"www.{leaf.domains[0]}"),
        key,
        leaf.serial,
        leaf.not_before,
        leaf.not_after,
        extensions,
    )
    chain = [der]
    if signer == "P2":
        chain += [cas["P2"].certs[0], cas["I2"].certs[0], cas["R3"].certs[0]]
    elif leaf.issuer == "I1":
        cross = rng.random() < 0.5
        chain += [cas["I1"].certs[1 if cross else 0], cas["R2" if cross else "R1"].certs[0]]
    elif leaf.issuer == "I2":
        chain += [cas["I2"].certs[0], cas["R3"].certs[0]]
    else:
        chain += [cas["R3"].certs[0]]
    return chain
