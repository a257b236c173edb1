"""Synthetic Web PKIs for benchmarks: real, verifiable certificates with a realistic shape.

``generate(total, seed, out)`` writes ``total`` certificates: a few hundred roots (some
rolled over to a new key under the same name) grouped into organisations; deep and wide
intermediate trees; cross-certificates between organisations, root-to-root included; rings
of CAs certifying each other (cycles) and bridge-like meshes; and leaves, most of them. Some
are expired at the benchmark date, some revoked (listed in a case file), a few use SHA-1,
a few reuse a serial number. Keys come from a pool (RSA 2048, EC P-256 and P-384), so a
million certificates cost signatures, not key generation; certificates are encoded directly
in DER and signed with ``cryptography`` in parallel.

The same ``(total, seed)`` gives the same bytes: the key pool is derived from a fixed seed
(and cached), everything else from ``seed``, and ECDSA signatures are deterministic
(RFC 6979).

Output in ``out``: ``certs/*.pem`` (all certificates), ``roots.pem``, ``case.toml`` (a trust
store of the roots with two snapshots, owners, revocations) and ``shape.json``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.factories.der import certificate, extension, integer, name, oid, seq, sign, tlv
from tests.factories.der import time as der_time
from trustgraph.core.progress import NullProgress, Progress
from trustgraph.ingest.parallel import process_context

BENCH_DATE = datetime(2025, 6, 1, tzinfo=UTC)
CERTIFICATES_PER_FILE = 10_000
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_COUNTRIES = ("US", "DE", "GB", "FR", "PL", "JP", "ES", "NL", "CH", "BE", "IT", "SE")

_KU_CA = extension("2.5.29.15", tlv(0x03, b"\x01\x06"), critical=True)
_KU_LEAF = extension("2.5.29.15", tlv(0x03, b"\x07\x80"), critical=True)
_EKU_SERVER = extension("2.5.29.37", seq(oid("1.3.6.1.5.5.7.3.1")))
_EKU_SERVER_CLIENT = extension("2.5.29.37", seq(oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2")))
_BC_LEAF = extension("2.5.29.19", seq(), critical=True)
_SIGNATURES = {
    ("ec", "sha256"): seq(oid("1.2.840.10045.4.3.2")),
    ("ec", "sha384"): seq(oid("1.2.840.10045.4.3.3")),
    ("rsa", "sha256"): seq(oid("1.2.840.113549.1.1.11"), b"\x05\x00"),
    ("rsa", "sha1"): seq(oid("1.2.840.113549.1.1.5"), b"\x05\x00"),
}


def _basic_constraints(path_len: int | None) -> bytes:
    body = tlv(0x01, b"\xff") + (integer(path_len) if path_len is not None else b"")
    return extension("2.5.29.19", seq(body), critical=True)


def _name_constraints(dns: str) -> bytes:
    subtree = seq(tlv(0x82, dns.encode()))
    return extension("2.5.29.30", seq(tlv(0xA0, subtree)), critical=True)


# -- keys -------------------------------------------------------------------------------


def _small_primes_product(limit: int = 20_000) -> int:
    sieve = bytearray([1]) * limit
    sieve[:2] = b"\x00\x00"
    for n in range(2, int(limit**0.5) + 1):
        if sieve[n]:
            sieve[n * n :: n] = bytearray(len(sieve[n * n :: n]))
    return math.prod(n for n in range(3, limit) if sieve[n])


_SMALL_PRIMES = _small_primes_product()


def _probable_prime(rng: random.Random, bits: int) -> int:
    while True:
        candidate = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if math.gcd(candidate, _SMALL_PRIMES) != 1:  # one C-level test for 2000 primes
            continue
        d, r = candidate - 1, 0
        while d % 2 == 0:
            d, r = d // 2, r + 1
        if all(
            _witness_passes(rng.randrange(2, candidate - 2), d, r, candidate) for _ in range(24)
        ):
            return candidate


def _witness_passes(a: int, d: int, r: int, n: int) -> bool:
    x = pow(a, d, n)
    if x in (1, n - 1):
        return True
    for _ in range(r - 1):
        x = pow(x, 2, n)
        if x == n - 1:
            return True
    return False


def _rsa_key(rng: random.Random, bits: int = 2048) -> rsa.RSAPrivateKey:
    e = 65537
    while True:
        p, q = _probable_prime(rng, bits // 2), _probable_prime(rng, bits // 2)
        if p != q and math.gcd(e, (p - 1) * (q - 1)) == 1:
            break
    d = pow(e, -1, (p - 1) * (q - 1))
    numbers = rsa.RSAPrivateNumbers(
        p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p), rsa.RSAPublicNumbers(e, p * q)
    )
    return numbers.private_key()


# The key pool: (kind, size or curve, signature hash, how many). Roots and issuing CAs draw
# from it with the weights below, roughly CCADB's mix of CA keys (RSA 2048 and 4096 most,
# then P-384 and P-256); leaves get P-256 keys of their own.
POOL = (
    ("rsa", 2048, "sha256", 6),
    ("rsa", 4096, "sha256", 2),
    ("ec", 384, "sha384", 3),
    ("ec", 256, "sha256", 3),
    ("leaf", 256, "sha256", 8),
)
# The pool is the same for every seed (deriving RSA keys in Python takes seconds, so it is
# done once and cached); the seed decides everything else.
KEYS_VERSION = 1
ROOT_KEYS = {("rsa", 4096): 40, ("rsa", 2048): 40, ("ec", 384): 20}
ISSUER_KEYS = {("rsa", 2048): 70, ("ec", 256): 15, ("ec", 384): 15}


@dataclass(frozen=True)
class KeyPool:
    """Keys derived from a seed: ``(kind, hash, private key, SubjectPublicKeyInfo DER)``,
    with the indices each role draws from."""

    keys: tuple[tuple[str, str, Any, bytes], ...]
    groups: dict[tuple[str, int], list[int]]

    @classmethod
    def derive(cls) -> KeyPool:
        """The pool (the same for every seed), cached on disk: RSA primes take seconds in
        Python.

        Raises:
            OSError: the cache cannot be written.
        """
        cache = _cache_dir() / f"synthetic-keys-{KEYS_VERSION}.pem"
        if cache.is_file():
            pems = cache.read_bytes().split(b"\n\n")
            private = [serialization.load_pem_private_key(p, None) for p in pems if p.strip()]
        else:
            private = _derive_keys()
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_bytes(
                b"\n".join(
                    key.private_bytes(
                        serialization.Encoding.PEM,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    )
                    for key in private
                )
            )
        keys: list[tuple[str, str, Any, bytes]] = []
        groups: dict[tuple[str, int], list[int]] = {}
        specs = [(kind, size, hash_name) for kind, size, hash_name, n in POOL for _ in range(n)]
        for index, ((kind, size, hash_name), key) in enumerate(zip(specs, private, strict=True)):
            spki = key.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            keys.append(("ec" if kind == "leaf" else kind, hash_name, key, spki))
            groups.setdefault((kind, size), []).append(index)
        return cls(tuple(keys), groups)

    def pick(self, rng: random.Random, weights: dict[tuple[str, int], int]) -> int:
        """A key for a CA, by the role's weights."""
        group = rng.choices(list(weights), weights=list(weights.values()))[0]
        return rng.choice(self.groups[group])

    def leaf_key(self, number: int) -> bytes:
        """The SubjectPublicKeyInfo of leaf ``number`` (leaves never sign)."""
        leaves = self.groups[("leaf", 256)]
        return self.keys[leaves[number % len(leaves)]][3]

    def sign(self, index: int, tbs: bytes, sha1: bool = False) -> tuple[bytes, bytes]:
        """The signature algorithm identifier and signature of key ``index`` over ``tbs``."""
        kind, hash_name, key, _spki = self.keys[index]
        if kind == "rsa":
            chosen = "sha1" if sha1 else "sha256"
            digest: hashes.HashAlgorithm = hashes.SHA1() if sha1 else hashes.SHA256()
            return _SIGNATURES[("rsa", chosen)], sign(key, tbs, digest)
        digest = hashes.SHA384() if hash_name == "sha384" else hashes.SHA256()
        return _SIGNATURES[("ec", hash_name)], sign(key, tbs, digest, deterministic=True)


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "trustgraph"


def _derive_keys() -> list[Any]:
    rng = random.Random(f"trustgraph-synthetic-keys-{KEYS_VERSION}")
    keys: list[Any] = []
    for kind, size, _hash, count in POOL:
        for _ in range(count):
            if kind == "rsa":
                keys.append(_rsa_key(rng, size))
            else:
                curve = ec.SECP384R1() if size == 384 else ec.SECP256R1()
                keys.append(ec.derive_private_key(rng.randrange(1, 2 ** (size - 1)), curve))
    return keys


# -- the plan ---------------------------------------------------------------------------


@dataclass
class PlannedCA:
    """A CA: a name and a key; ``depth`` is its distance below a root."""

    number: int
    name_der: bytes
    label: str
    key: int
    org: int
    depth: int
    not_before: datetime
    not_after: datetime

    def key_id(self, pool: KeyPool) -> bytes:
        return hashlib.sha1(pool.keys[self.key][3]).digest()


@dataclass(frozen=True)
class PlannedCert:
    """A CA certificate to sign: ``subject`` certified by ``issuer`` (CA numbers)."""

    subject: int
    issuer: int
    kind: str  # root, intermediate, cross, ring, mesh
    serial: int
    not_before: datetime
    not_after: datetime
    path_len: int | None = None
    constraint: str | None = None
    sha1: bool = False


@dataclass
class Plan:
    seed: int
    total: int
    cas: list[PlannedCA] = field(default_factory=list)
    certificates: list[PlannedCert] = field(default_factory=list)
    leaves: int = 0
    leaf_issuers: list[int] = field(default_factory=list)
    leaf_weights: list[float] = field(default_factory=list)
    orgs: int = 0
    rings: int = 0
    meshes: int = 0


def _moment(rng: random.Random, start_year: int, end_year: int) -> datetime:
    span = (datetime(end_year, 1, 1, tzinfo=UTC) - datetime(start_year, 1, 1, tzinfo=UTC)).days
    return datetime(start_year, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(max(1, span)))


def plan(total: int, seed: int, pool: KeyPool) -> Plan:
    """Decide every CA and CA certificate, and how many leaves each issuing CA gets."""
    rng = random.Random(f"trustgraph-synthetic-{seed}")
    result = Plan(seed, total)
    roots = min(400, max(20, total // 250))
    intermediates = max(10, total * 8 // 100)
    result.orgs = max(8, roots * 2 // 3)

    def new_ca(
        label: str,
        org: int,
        depth: int,
        key: int | None = None,
        start: datetime | None = None,
        years: int = 20,
    ) -> PlannedCA:
        nb = start or _moment(rng, 2000, 2020)
        ca = PlannedCA(
            len(result.cas),
            name(label, f"Synthetic Org {org:04d}", _COUNTRIES[org % len(_COUNTRIES)]),
            label,
            key if key is not None else pool.pick(rng, ISSUER_KEYS if depth else ROOT_KEYS),
            org,
            depth,
            nb,
            nb + timedelta(days=365 * years),
        )
        result.cas.append(ca)
        return ca

    def certify(subject: PlannedCA, issuer: PlannedCA, kind: str, **extra: Any) -> None:
        start = max(subject.not_before, issuer.not_before)
        end = min(subject.not_after, issuer.not_after)
        if end <= start:
            end = start + timedelta(days=365 * 5)
        result.certificates.append(
            PlannedCert(
                subject.number, issuer.number, kind, rng.getrandbits(126) | 1, start, end, **extra
            )
        )

    root_cas = []
    for number in range(roots):
        org = number % result.orgs
        root = new_ca(f"Synthetic Root CA {number:04d}", org, 0, years=25)
        certify(root, root, "root", sha1=root.not_before.year < 2012 and rng.random() < 0.3)
        root_cas.append(root)
        if rng.random() < 0.03:  # a key rollover: same name, new key, new root
            rolled = PlannedCA(
                len(result.cas),
                root.name_der,
                root.label,
                pool.pick(rng, ROOT_KEYS),
                org,
                0,
                root.not_before + timedelta(days=3650),
                root.not_after + timedelta(days=3650),
            )
            result.cas.append(rolled)
            certify(rolled, rolled, "root")
            root_cas.append(rolled)
    by_depth: dict[int, list[PlannedCA]] = {0: list(root_cas)}
    for number in range(intermediates):
        depth = rng.choices((1, 2, 3, 4, 5), weights=(50, 30, 12, 5, 3))[0]
        while depth - 1 not in by_depth:
            depth -= 1
        parent = rng.choice(by_depth[depth - 1])
        child = new_ca(
            f"Synthetic Org {parent.org:04d} CA {number:06d}",
            parent.org,
            depth,
            start=parent.not_before + timedelta(days=rng.randrange(0, 3650)),
            years=rng.choice((5, 8, 10, 12)),
        )
        certify(
            child,
            parent,
            "intermediate",
            path_len=rng.choice((0, 1, 2)) if rng.random() < 0.2 else None,
            constraint=f"org{parent.org}.test" if rng.random() < 0.02 else None,
            sha1=child.not_before.year < 2015 and rng.random() < 0.2,
        )
        by_depth.setdefault(depth, []).append(child)
    for ladder in range(3):  # deep chains
        below = rng.choice(root_cas)
        for step in range(1, 11):
            rung = new_ca(
                f"Synthetic Ladder {ladder} Rung {step:02d}",
                below.org,
                below.depth + 1,
                start=below.not_before,
                years=20,
            )
            certify(rung, below, "intermediate")
            below = rung
    cas_only = [ca for ca in result.cas if ca.depth <= 3]
    for _ in range(max(4, len(cas_only) * 6 // 100)):  # cross-certificates between orgs
        subject, signer = rng.choice(cas_only), rng.choice(cas_only)
        if subject.org != signer.org:
            certify(subject, signer, "cross")
    result.rings = max(2, intermediates // 500)
    for _ in range(result.rings):  # cycles: A certifies B certifies C ... certifies A
        members = rng.sample(cas_only, rng.choice((2, 3, 4)))
        for upper, lower in zip(members, members[1:] + members[:1], strict=True):
            certify(lower, upper, "ring")
    result.meshes = max(1, intermediates // 20_000)
    for mesh in range(result.meshes):  # a bridge: hub and members certify each other
        hub = new_ca(f"Synthetic Bridge CA {mesh}", rng.randrange(result.orgs), 1, start=_EPOCH)
        certify(hub, rng.choice(root_cas), "intermediate")
        members = rng.sample(cas_only, 8)
        for member in members:
            certify(member, hub, "mesh")
            certify(hub, member, "mesh")
        for first in members:
            for second in members:
                if first is not second and rng.random() < 0.3:
                    certify(second, first, "mesh")
    issuing = [ca for ca in result.cas if ca.depth >= 1]
    result.leaf_issuers = [ca.number for ca in issuing]
    result.leaf_weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(issuing))]
    rng.shuffle(result.leaf_weights)
    result.leaves = max(0, total - len(result.certificates))
    return result


# -- signing ----------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _start_worker(cas: list[PlannedCA]) -> None:
    _WORKER.update(pool=KeyPool.derive(), cas=cas)


def _ca_certificate(pool: KeyPool, cas: list[PlannedCA], spec: PlannedCert) -> bytes:
    subject, issuer = cas[spec.subject], cas[spec.issuer]
    extensions = [
        _basic_constraints(spec.path_len),
        _KU_CA,
        extension("2.5.29.14", tlv(0x04, subject.key_id(pool))),
        extension("2.5.29.35", seq(tlv(0x80, issuer.key_id(pool)))),
    ]
    if spec.kind != "root" and spec.subject % 3:
        extensions.append(_EKU_SERVER_CLIENT)
    if spec.constraint:
        extensions.append(_name_constraints(spec.constraint))
    return _sign(
        pool,
        issuer.key,
        spec.serial,
        issuer.name_der,
        subject.name_der,
        pool.keys[subject.key][3],
        spec.not_before,
        spec.not_after,
        extensions,
        spec.sha1,
    )


def _sign(
    pool: KeyPool,
    key: int,
    serial: int,
    issuer: bytes,
    subject: bytes,
    spki: bytes,
    not_before: datetime,
    not_after: datetime,
    extensions: list[bytes],
    sha1: bool,
) -> bytes:
    kind, hash_name = pool.keys[key][0], pool.keys[key][1]
    algorithm = _SIGNATURES[(kind, "sha1" if sha1 and kind == "rsa" else hash_name)]
    tbs = seq(
        tlv(0xA0, integer(2)),
        integer(serial),
        algorithm,
        issuer,
        seq(der_time(not_before), der_time(not_after)),
        subject,
        spki,
        tlv(0xA3, seq(*extensions)),
    )
    signature_algorithm, signature = pool.sign(key, tbs, sha1)
    return certificate(tbs, signature_algorithm, signature)


def _leaf(
    pool: KeyPool,
    cas: list[PlannedCA],
    rng: random.Random,
    number: int,
    issuer_number: int,
    serial: int,
) -> tuple[bytes, datetime]:
    issuer = cas[issuer_number]
    earliest = max(issuer.not_before, datetime(2014, 1, 1, tzinfo=UTC))
    latest = min(issuer.not_after - timedelta(days=90), datetime(2026, 6, 1, tzinfo=UTC))
    days = max(1, (latest - earliest).days)
    not_before = earliest + timedelta(days=rng.randrange(days), seconds=rng.randrange(86400))
    not_after = not_before + timedelta(days=rng.choice((90, 398, 825)))
    host = f"host{number}.org{issuer.org}.test"
    extensions = [
        _BC_LEAF,
        _KU_LEAF,
        extension("2.5.29.35", seq(tlv(0x80, issuer.key_id(pool)))),
        _EKU_SERVER,
        extension("2.5.29.17", seq(tlv(0x82, host.encode()))),
    ]
    spki = pool.leaf_key(number)
    der = _sign(
        pool,
        issuer.key,
        serial,
        issuer.name_der,
        name(host, None, None),
        spki,
        not_before,
        not_after,
        extensions,
        False,
    )
    return der, not_after


@dataclass
class ChunkStats:
    """What one worker wrote."""

    certificates: int = 0
    expired: int = 0
    sha1: int = 0
    reused_serials: int = 0
    revoked: list[tuple[str, str]] = field(default_factory=list)
    leaf_depths: Counter[int] = field(default_factory=Counter)


def _pem(der: bytes) -> str:
    import base64

    body = base64.encodebytes(der).decode().replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def _write_ca_chunk(task: tuple[Path, list[PlannedCert]]) -> ChunkStats:
    path, specs = task
    pool, cas = _WORKER["pool"], _WORKER["cas"]
    stats = ChunkStats()
    rng = random.Random(path.name)
    with path.open("w", encoding="ascii") as out:
        for spec in specs:
            der = _ca_certificate(pool, cas, spec)
            out.write(_pem(der))
            stats.certificates += 1
            stats.expired += spec.not_after < BENCH_DATE
            stats.sha1 += spec.sha1 and pool.keys[cas[spec.issuer].key][0] == "rsa"
            if spec.kind != "root" and rng.random() < 0.01:
                stats.revoked.append(
                    (hashlib.sha256(der).hexdigest(), _revocation_date(rng, spec.not_before))
                )
    return stats


def _write_leaf_chunk(task: tuple[Path, int, int, list[int], list[float]]) -> ChunkStats:
    path, first, count, issuers, cumulative = task
    pool, cas = _WORKER["pool"], _WORKER["cas"]
    stats = ChunkStats()
    rng = random.Random(path.name)
    previous: tuple[int, int] | None = None
    with path.open("w", encoding="ascii") as out:
        for number in range(first, first + count):
            issuer = rng.choices(issuers, cum_weights=cumulative)[0]
            serial = rng.getrandbits(126) | 1
            if previous is not None and rng.random() < 0.00005:
                issuer, serial = previous
                stats.reused_serials += 1
            previous = (issuer, serial)
            der, not_after = _leaf(pool, cas, rng, number, issuer, serial)
            out.write(_pem(der))
            stats.certificates += 1
            stats.expired += not_after < BENCH_DATE
            stats.leaf_depths[cas[issuer].depth + 1] += 1
            if rng.random() < 0.005:
                stats.revoked.append(
                    (
                        hashlib.sha256(der).hexdigest(),
                        _revocation_date(rng, not_after - timedelta(days=90)),
                    )
                )
    return stats


def _revocation_date(rng: random.Random, after: datetime) -> str:
    moment = max(after, datetime(2015, 1, 1, tzinfo=UTC)) + timedelta(days=rng.randrange(1, 300))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the whole run ----------------------------------------------------------------------


@dataclass
class Shape:
    """What a generation produced; ``as_dict`` is what ``shape.json`` holds."""

    total: int
    seed: int
    counts: dict[str, int]
    ca_depths: dict[int, int]
    leaf_depths: dict[int, int]
    cross_certificates: int
    cycles: dict[str, int]
    expired: int
    revoked: int
    sha1: int
    reused_serials: int
    keys: dict[str, int]
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "seed": self.seed,
            "counts": self.counts,
            "ca_depths": {str(k): v for k, v in sorted(self.ca_depths.items())},
            "leaf_depths": {str(k): v for k, v in sorted(self.leaf_depths.items())},
            "cross_certificates": self.cross_certificates,
            "cycles": self.cycles,
            "expired_at": BENCH_DATE.date().isoformat(),
            "expired": self.expired,
            "revoked": self.revoked,
            "sha1_signed": self.sha1,
            "reused_serials": self.reused_serials,
            "key_pool": self.keys,
            "seconds": round(self.seconds, 1),
        }


def generate(
    total: int, seed: int, out: Path, jobs: int | None = None, progress: Progress | None = None
) -> Shape:
    """Write a synthetic PKI of ``total`` certificates into ``out`` (see the module).

    Raises:
        OSError: ``out`` cannot be written.
    """
    started = time.perf_counter()
    progress = progress or NullProgress()
    pool = KeyPool.derive()
    blueprint = plan(total, seed, pool)
    certs_dir = out / "certs"
    certs_dir.mkdir(parents=True, exist_ok=True)
    for stale in certs_dir.glob("*.pem"):
        stale.unlink()
    ca_tasks = [
        (
            certs_dir / f"cas-{n:04d}.pem",
            blueprint.certificates[start : start + CERTIFICATES_PER_FILE],
        )
        for n, start in enumerate(range(0, len(blueprint.certificates), CERTIFICATES_PER_FILE))
    ]
    cumulative = list(_accumulate(blueprint.leaf_weights))
    leaf_tasks = [
        (
            certs_dir / f"leaves-{n:04d}.pem",
            start,
            min(CERTIFICATES_PER_FILE, blueprint.leaves - start),
            blueprint.leaf_issuers,
            cumulative,
        )
        for n, start in enumerate(range(0, blueprint.leaves, CERTIFICATES_PER_FILE))
    ]
    stats: list[ChunkStats] = []
    progress.start("signing certificates", total)
    # Each worker loads the key pool from its disk cache once and receives the plan's CAs.
    with process_context().Pool(jobs, _start_worker, (blueprint.cas,)) as workers:
        for chunk in workers.imap(_write_ca_chunk, ca_tasks):
            stats.append(chunk)
            progress.advance(chunk.certificates)
        for chunk in workers.imap(_write_leaf_chunk, leaf_tasks):
            stats.append(chunk)
            progress.advance(chunk.certificates)
    progress.finish()
    _write_roots_and_case(blueprint, pool, out, [r for s in stats for r in s.revoked])
    shape = _shape(blueprint, pool, stats)
    shape.seconds = time.perf_counter() - started
    (out / "shape.json").write_text(json.dumps(shape.as_dict(), indent=2) + "\n", encoding="utf-8")
    return shape


def _accumulate(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def _write_roots_and_case(
    blueprint: Plan, pool: KeyPool, out: Path, revoked: list[tuple[str, str]]
) -> None:
    roots = [spec for spec in blueprint.certificates if spec.kind == "root"]
    pems = [_pem(_ca_certificate(pool, blueprint.cas, spec)) for spec in roots]
    (out / "roots.pem").write_text("".join(pems), encoding="ascii")
    kept = [pem for n, pem in enumerate(pems) if n % 20 != 7]
    (out / "roots-2024.pem").write_text("".join(kept), encoding="ascii")
    lines = [
        "# A synthetic PKI written by `trustgraph synth`; see shape.json.",
        "format = 1",
        "",
        "[case]",
        f'name = "synthetic-{blueprint.total}-{blueprint.seed}"',
        "",
        "[sources]",
        f'synthetic = "trustgraph synth {blueprint.total} --seed {blueprint.seed}"',
        "",
    ]
    for as_of, bundle in (("2020-01-01", "roots.pem"), ("2024-01-01", "roots-2024.pem")):
        lines += [
            "[[snapshots]]",
            'store = "synth"',
            f"as_of = {as_of}",
            f'bundle = "{bundle}"',
            'source = "synthetic"',
            "",
        ]
    for org in range(blueprint.orgs):
        label = f"Synthetic Org {org:04d}"
        lines += [
            "[[owners]]",
            f'name = "{label}"',
            "aliases = []",
            'source = "synthetic"',
            "",
            "[[operators]]",
            f'owner = "{label}"',
            f'organization = "{label}"',
            'source = "synthetic"',
            "",
        ]
    for fingerprint, when in sorted(revoked):
        lines += [
            "[[revocations]]",
            f'sha256 = "{fingerprint}"',
            f"revoked_at = {when}",
            'source = "synthetic"',
            "",
        ]
    (out / "case.toml").write_text("\n".join(lines), encoding="utf-8")


def _shape(blueprint: Plan, pool: KeyPool, stats: list[ChunkStats]) -> Shape:
    import networkx as nx

    kinds = Counter(spec.kind for spec in blueprint.certificates)
    graph = nx.DiGraph()
    graph.add_edges_from(
        (spec.issuer, spec.subject)
        for spec in blueprint.certificates
        if spec.issuer != spec.subject
    )
    roots = [spec.subject for spec in blueprint.certificates if spec.kind == "root"]
    distance = (
        nx.multi_source_dijkstra_path_length(graph, [r for r in roots if r in graph])
        if graph
        else {}
    )
    depths = Counter(distance.get(ca.number, 0) for ca in blueprint.cas)
    components = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
    mutual = sum(1 for u, v in graph.edges if u < v and graph.has_edge(v, u))
    leaf_depths: Counter[int] = Counter()
    for chunk in stats:
        leaf_depths.update(chunk.leaf_depths)
    return Shape(
        blueprint.total,
        blueprint.seed,
        {
            "roots": kinds["root"],
            "intermediates": kinds["intermediate"],
            "cross_certificates": kinds["cross"] + kinds["ring"] + kinds["mesh"],
            "leaves": blueprint.leaves,
            "certificates": len(blueprint.certificates) + blueprint.leaves,
            "cas": len(blueprint.cas),
            "organisations": blueprint.orgs,
        },
        dict(depths),
        dict(leaf_depths),
        kinds["cross"] + kinds["ring"] + kinds["mesh"],
        {
            "rings_made": blueprint.rings,
            "bridge_meshes": blueprint.meshes,
            "mutual_pairs": mutual,
            "cyclic_components": len(components),
            "largest_cyclic_component": max((len(c) for c in components), default=0),
        },
        sum(s.expired for s in stats),
        sum(len(s.revoked) for s in stats),
        sum(s.sha1 for s in stats),
        sum(s.reused_serials for s in stats),
        {f"{kind}-{size}": len(indices) for (kind, size), indices in pool.groups.items()},
    )


# -- command line -------------------------------------------------------------------------


def parse_count(text: str) -> int:
    """``100``, ``10k``, ``1m`` (also ``1M``, ``1_000_000``) as a number.

    Raises:
        ValueError: not a count of at least 10.
    """
    cleaned = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(cleaned[-1:], 1)
    digits = cleaned[:-1] if factor > 1 else cleaned
    if not digits.isdigit() or int(digits) * factor < 10:
        raise ValueError(f"{text!r}: give a count of at least 10, such as 10k or 1m")
    return int(digits) * factor


def main(argv: list[str] | None = None) -> None:
    """``python -m tests.factories.synthetic COUNT --out DIR [--seed N]``: write a synthetic
    PKI and print its shape as JSON. Load it with ``trustgraph load DIR/certs`` and
    ``trustgraph case apply DIR/case.toml`` (trust store "synth")."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m tests.factories.synthetic", description=main.__doc__
    )
    parser.add_argument("count", help="how many certificates: a number, or with k or m (100k, 1m)")
    parser.add_argument("--out", type=Path, default=Path("synthetic-pki"), help="folder to write")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same certificates")
    args = parser.parse_args(argv)
    try:
        count = parse_count(args.count)
    except ValueError as exc:
        parser.error(str(exc))
    shape = generate(count, args.seed, args.out)
    print(
        json.dumps(
            {"total": count, "seed": args.seed, "out": str(args.out), **shape.as_dict()}, indent=2
        )
    )
    certs, case = args.out / "certs", args.out / "case.toml"
    print(f"next: trustgraph load {certs} && trustgraph case apply {case}", file=sys.stderr)


if __name__ == "__main__":
    main()
