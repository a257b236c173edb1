"""The physical limit of loading certificates, as a reference for ``trustgraph load``: a
minimal program that parses every certificate once with ``cryptography``, finds its issuers
by name among all the certificates, and verifies its signature once (with the first issuer
key that verifies it; SHA-1 included), in one process per core.

Each worker keeps the certificates it parsed: it sends their (subject, key) pairs to the
parent, receives the whole index of names, and verifies its own certificates. Reading files
is not timed; the returned rate is certificates per second of wall time.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import time
import warnings
from multiprocessing.connection import Connection
from typing import Any


def limit_rate(ders: list[bytes], workers: int | None = None) -> tuple[int, float, int]:
    """(certificates, certificates per second, how many verified) for ``ders``."""
    workers = workers or os.cpu_count() or 1
    context = multiprocessing.get_context("spawn")
    pipes = [context.Pipe() for _ in range(workers)]
    size = (len(ders) + workers - 1) // workers
    processes = [
        context.Process(target=_worker, args=(child, ders[i * size : (i + 1) * size]))
        for i, (_parent, child) in enumerate(pipes)
    ]
    for process in processes:
        process.start()
    for parent, _child in pipes:
        parent.recv()  # "ready": the worker has its certificates, the clock may start
    started = time.perf_counter()
    for parent, _child in pipes:
        parent.send("go")
    index: dict[bytes, list[bytes]] = {}
    for parent, _child in pipes:
        for subject, key in parent.recv():
            index.setdefault(subject, []).append(key)
    for parent, _child in pipes:
        parent.send(index)
    verified = sum(parent.recv() for parent, _child in pipes)
    seconds = time.perf_counter() - started
    for process in processes:
        process.join()
    return len(ders), len(ders) / seconds, verified


def _worker(pipe: Connection, ders: list[bytes]) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    warnings.simplefilter("ignore")
    pipe.send("ready")
    pipe.recv()
    parsed: list[Any] = []
    for der in ders:
        try:
            parsed.append(x509.load_der_x509_certificate(der))
        except ValueError:
            continue
    pairs = []
    for cert in parsed:
        try:
            key = cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        except (ValueError, TypeError):
            continue
        pairs.append((cert.subject.public_bytes(), key))
    pipe.send(pairs)
    index: dict[bytes, list[bytes]] = pipe.recv()
    pipe.send(sum(_verify(cert, index) for cert in parsed))
    pipe.close()


@functools.cache
def _key(encoded: bytes) -> Any:
    """An issuer's public key, loaded once per worker."""
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    return load_der_public_key(encoded)


def _verify(cert: Any, index: dict[bytes, list[bytes]]) -> bool:
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa

    for encoded in index.get(cert.issuer.public_bytes(), []):
        try:
            key = _key(encoded)
            data, signature = cert.tbs_certificate_bytes, cert.signature
            if isinstance(key, rsa.RSAPublicKey):
                scheme = cert.signature_algorithm_parameters
                if not isinstance(scheme, padding.PSS):
                    scheme = padding.PKCS1v15()
                key.verify(signature, data, scheme, cert.signature_hash_algorithm)
            elif isinstance(key, ec.EllipticCurvePublicKey):
                key.verify(signature, data, ec.ECDSA(cert.signature_hash_algorithm))
            elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
                key.verify(signature, data)
            else:
                continue
            return True
        except Exception:  # a wrong key, an algorithm cryptography will not verify
            continue
    return False
