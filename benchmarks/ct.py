"""CT sync throughput against its limit.

``python benchmarks/ct.py --sizes 100k,1m`` writes a static CT log of N leaves to disk (data
and hash tiles, issuers, a signed checkpoint; the leaves are real DER certificates made from
one template with their serial, validity and names changed, signatures not valid: nothing
checks a leaf's signature), then measures:

* ``trustgraph ct sync FOLDER --key KEY`` as a whole process: leaves per second of wall time
  and peak resident memory of it and its workers;
* the limit of the same work: a bare loop that reads the same tiles from disk, decodes the
  entries and parses each leaf with ``cryptography`` to the fields kept (validity, serial,
  issuer, names), in one process per core;
* the database's bytes per leaf (the file, less that of the same database before the sync).

Results go to ``benchmarks/work/ct.json`` and a table on standard output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from benchmarks.run import run_command  # noqa: E402
from trustgraph.ingest.ct.merkle import TILE_WIDTH, leaf_hash, subtree_root  # noqa: E402
from trustgraph.ingest.ct.tiles import data_tile_path, read_data_tile, tile_path  # noqa: E402

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _ca(name: str, key: Any, issuer: Any, issuer_name: str) -> bytes:
    return (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(_name(issuer_name))
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(START - dt.timedelta(days=3650))
        .not_valid_after(START + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(issuer, hashes.SHA256())
        .public_bytes(serialization.Encoding.DER)
    )


def _template(issuer_key: Any) -> bytes:
    """A leaf with fixed-width fields to rewrite: serial, dates, two DNS names."""
    key = ec.generate_private_key(ec.SECP256R1())
    return (
        x509.CertificateBuilder()
        .subject_name(_name("www.h0000000.co.uk"))
        .issuer_name(_name("Bench Issuing CA"))
        .public_key(key.public_key())
        .serial_number(0x7F00000000000001)
        .not_valid_before(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("www.h0000000.co.uk"), x509.DNSName("api.h0000000.co.uk")]
            ),
            critical=False,
        )
        .sign(issuer_key, hashes.SHA256())
        .public_bytes(serialization.Encoding.DER)
    )


def _leaf(template: bytes, index: int) -> bytes:
    data = template.replace(
        b"\x7f\x00\x00\x00\x00\x00\x00\x01", (0x7F << 56 | index).to_bytes(8, "big")
    )
    day = START + dt.timedelta(days=index % 500 - 400)
    later = day + dt.timedelta(days=90 + index % 300)
    data = data.replace(b"250101000000Z", day.strftime("%y%m%d%H%M%SZ").encode(), 1)
    data = data.replace(b"270101000000Z", later.strftime("%y%m%d%H%M%SZ").encode(), 1)
    return data.replace(b"h0000000", f"h{index % 10_000_000:07d}".encode())


def write_log(folder: Path, size: int) -> tuple[Path, bytes]:
    """A static CT log of ``size`` leaves in ``folder``; (the folder, the key's PEM)."""
    log_key = ec.generate_private_key(ec.SECP256R1())
    root_key = ec.generate_private_key(ec.SECP256R1())
    ca_key = ec.generate_private_key(ec.SECP256R1())
    root = _ca("Bench Root", root_key, root_key, "Bench Root")
    issuing = _ca("Bench Issuing CA", ca_key, root_key, "Bench Root")
    chain = hashlib.sha256(issuing).digest() + hashlib.sha256(root).digest()
    (folder / "issuer").mkdir(parents=True, exist_ok=True)
    for der in (root, issuing):
        (folder / "issuer" / hashlib.sha256(der).hexdigest()).write_bytes(der)
    template = _template(ca_key)
    level: list[bytes] = []
    for tile in range(-(-size // TILE_WIDTH)):
        entries, hashes_ = [], []
        for index in range(tile * TILE_WIDTH, min(size, (tile + 1) * TILE_WIDTH)):
            cert = _leaf(template, index)
            timestamped = (
                (1_760_000_000_000 + index).to_bytes(8, "big")
                + b"\x00\x00"
                + len(cert).to_bytes(3, "big")
                + cert
                + b"\x00\x00"
            )
            entries.append(timestamped + len(chain).to_bytes(2, "big") + chain)
            hashes_.append(leaf_hash(b"\x00\x00" + timestamped))
        _write(folder / data_tile_path(tile, len(entries)), b"".join(entries))
        level += hashes_
    _write_hash_tiles(folder, level)
    root_hash = subtree_root(level)
    spki = log_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _write(folder / "checkpoint", _checkpoint(log_key, spki, size, root_hash))
    pem = log_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return folder, pem


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _write_hash_tiles(folder: Path, leaves: list[bytes]) -> None:
    level, hashes_ = 0, leaves
    while hashes_:
        for start in range(0, len(hashes_), TILE_WIDTH):
            tile = hashes_[start : start + TILE_WIDTH]
            _write(folder / tile_path(level, start // TILE_WIDTH, len(tile)), b"".join(tile))
        hashes_ = [
            subtree_root(hashes_[i : i + TILE_WIDTH])
            for i in range(0, len(hashes_) - len(hashes_) % TILE_WIDTH, TILE_WIDTH)
        ]
        level += 1


def _checkpoint(key: Any, spki: bytes, size: int, root: bytes) -> bytes:
    import base64

    origin = "bench.example/log"
    stamp = 1_770_000_000_000
    message = b"\x00\x01" + stamp.to_bytes(8, "big") + size.to_bytes(8, "big") + root
    signature = key.sign(message, ec.ECDSA(hashes.SHA256()))
    log_id = hashlib.sha256(spki).digest()
    key_id = hashlib.sha256(origin.encode() + b"\n\x05" + log_id).digest()[:4]
    body = key_id + stamp.to_bytes(8, "big") + b"\x04\x03" + len(signature).to_bytes(2, "big")
    line = base64.b64encode(body + signature).decode()
    text = f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n\n\u2014 {origin} {line}\n"
    return text.encode()


def _parse_tiles(paths: list[tuple[str, int]]) -> int:
    """The limit's work for some tiles: read, decode, parse each leaf's kept fields."""
    import warnings

    count = 0
    for path, width in paths:
        entries, _hashes = read_data_tile(Path(path).read_bytes(), width)
        for entry in entries:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cert = x509.load_der_x509_certificate(entry.signed)
            _fields = (
                cert.not_valid_before_utc,
                cert.not_valid_after_utc,
                cert.serial_number,
                cert.issuer.public_bytes(),
                cert.extensions.get_extension_for_class(
                    x509.SubjectAlternativeName
                ).value.get_values_for_type(x509.DNSName),
            )
            count += 1
    return count


def limit_rate(folder: Path, size: int) -> float:
    """Leaves per second of the bare loop, one process per core."""
    tiles = [
        (
            str(folder / data_tile_path(t, min(TILE_WIDTH, size - t * TILE_WIDTH))),
            min(TILE_WIDTH, size - t * TILE_WIDTH),
        )
        for t in range(-(-size // TILE_WIDTH))
    ]
    workers = len(os.sched_getaffinity(0))
    chunks = [tiles[i::workers] for i in range(workers)]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        started = time.perf_counter()
        done = sum(pool.map(_parse_tiles, chunks))
        seconds = time.perf_counter() - started
    assert done == size
    return size / seconds


def bench(size: int, work: Path) -> dict[str, Any]:
    folder = work / f"ctlog-{size}"
    key = folder / "key.pem"
    if not key.exists():
        raise RuntimeError(f"{folder}: written without its key; remove it and run again")
    db = work / f"ct-{size}.db"
    db.unlink(missing_ok=True)
    wall, peak_kb, _out = run_command(
        ["ct", "sync", str(folder), "--key", str(key), "--db", str(db), "-q"]
    )
    limit = limit_rate(folder, size)
    rate = size / wall
    return {
        "leaves": size,
        "sync_leaves_per_s": round(rate),
        "limit_leaves_per_s": round(limit),
        "ratio": round(rate / limit, 2),
        "peak_rss_mb": round(peak_kb / 1024),
        "bytes_per_leaf": round(db.stat().st_size / size),
        "seconds": round(wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100k,1m")
    parser.add_argument("--work", type=Path, default=PROJECT / "benchmarks" / "work")
    options = parser.parse_args()
    options.work.mkdir(parents=True, exist_ok=True)
    rows = []
    for text in options.sizes.split(","):
        size = int(float(text.lower().replace("k", "e3").replace("m", "e6")))
        folder = options.work / f"ctlog-{size}"
        if not (folder / "checkpoint").exists():
            _folder, pem = write_log(folder, size)
            (folder / "key.pem").write_bytes(pem)
        rows.append(bench(size, options.work))
        print(json.dumps(rows[-1]), flush=True)
    (options.work / "ct.json").write_text(json.dumps(rows, indent=2))
    columns = list(rows[0])
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print(
            "| "
            + " | ".join(f"{row[c]:,}" if isinstance(row[c], int) else str(row[c]) for c in columns)
            + " |"
        )


if __name__ == "__main__":
    main()
