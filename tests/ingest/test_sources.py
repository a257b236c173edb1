"""Reading certificates out of PEM, DER, bundles, directories and CSV, with every problem
located."""

from __future__ import annotations

import base64
import csv
import gzip
import io
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from tests.factories.pki import PKI
from trustgraph.ingest.sources import Occurrence, Problem, read_paths, read_pem


def _split(items: list[Occurrence | Problem]) -> tuple[list[Occurrence], list[Problem]]:
    return (
        [i for i in items if isinstance(i, Occurrence)],
        [i for i in items if isinstance(i, Problem)],
    )


def test_certifi_style_bundle_with_comments(pki: PKI, tmp_path: Path) -> None:
    """Comment lines and blank lines between blocks, as in certifi's cacert.pem."""
    certs = [pki.root(f"Root {i}") for i in range(3)]
    text = "".join(
        f'\n# Issuer: CN=Root {i}\n# Label: "Root {i}"\n{c.pem}\n' for i, c in enumerate(certs)
    )
    bundle = tmp_path / "cacert.pem"
    bundle.write_text(text)
    found, problems = _split(list(read_paths([bundle])))
    assert [o.der for o in found] == [c.der for c in certs]
    assert not problems
    assert (
        found[1].location
        == f"{bundle}:{text.splitlines().index('-----BEGIN CERTIFICATE-----', 6) + 1}"
    )


def test_blank_lines_and_irregular_breaks_inside_a_block(pki: PKI) -> None:
    cert = pki.root("Irregular")
    body = base64.b64encode(cert.der).decode()
    ragged = "\n\n".join(body[i : i + 37] for i in range(0, len(body), 37))
    text = f"-----BEGIN CERTIFICATE-----\n\n{ragged}\n\n-----END CERTIFICATE-----\n"
    found, problems = _split(list(read_pem(text, "x")))
    assert [o.der for o in found] == [cert.der] and not problems


def test_one_line_block_and_trusted_certificate(pki: PKI) -> None:
    cert = pki.root("One Line")
    body = base64.b64encode(cert.der).decode()
    trusted = base64.b64encode(cert.der + b"\x30\x03\x06\x01\x00").decode()
    text = (
        f"-----BEGIN CERTIFICATE-----{body}-----END CERTIFICATE-----\n"
        f"-----BEGIN TRUSTED CERTIFICATE-----\n{trusted}\n-----END TRUSTED CERTIFICATE-----\n"
    )
    found, _problems = _split(list(read_pem(text, "x")))
    assert [o.der for o in found] == [cert.der, cert.der]


def test_bad_blocks_are_located_problems(pki: PKI) -> None:
    cert = pki.root("Good")
    text = (
        "-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n"
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
        f"{cert.pem}"
        "-----BEGIN CERTIFICATE-----\nAAAA\n"
    )
    found, problems = _split(list(read_pem(text, "bundle.pem")))
    assert [o.der for o in found] == [cert.der]
    assert [(p.location, p.kind) for p in problems] == [
        ("bundle.pem:1", "unreadable"),
        ("bundle.pem:4", "not-a-certificate"),
        (f"bundle.pem:{7 + cert.pem.count(chr(10))}", "unreadable"),
    ]
    assert "no END line" in problems[2].reason


def test_der_file_and_directory_walk(pki: PKI, tmp_path: Path) -> None:
    first, second = pki.root("DER Root"), pki.root("PEM Root")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    (nested / "root.der").write_bytes(first.der)
    (tmp_path / "a" / "root.pem").write_text(second.pem)
    (tmp_path / "a" / "README.md").write_text("not read: not a certificate file name")
    (tmp_path / "a" / "empty.crt").write_text("nothing here\n")
    found, problems = _split(list(read_paths([tmp_path])))
    assert sorted(o.der for o in found) == sorted([first.der, second.der])
    assert [(Path(p.location).name, p.kind) for p in problems] == [
        ("empty.crt", "not-a-certificate")
    ]


def test_missing_path_is_a_problem(tmp_path: Path) -> None:
    _found, problems = _split(list(read_paths([tmp_path / "nope.pem"])))
    assert problems[0].kind == "missing"


def _ccadb_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["SHA-256 Fingerprint", "X.509 Certificate (PEM)"])
    writer.writerows(rows)
    return buffer.getvalue().encode()


def test_ccadb_csv_rows_plain_and_gzip(pki: PKI, tmp_path: Path) -> None:
    a, b = pki.root("CSV A"), pki.root("CSV B")
    data = _ccadb_csv([[a.sha256.upper(), a.pem], ["", ""], ["00" * 32, b.pem]])
    for name, blob in (("report.csv", data), ("report.csv.gz", gzip.compress(data))):
        path = tmp_path / name
        path.write_bytes(blob)
        found, problems = _split(list(read_paths([path])))
        assert [o.der for o in found] == [a.der, b.der]
        assert [o.location for o in found] == [f"{path} row 2", f"{path} row 4"]
        assert found[0].claimed_sha256 == a.sha256 and found[1].claimed_sha256 == "00" * 32
        assert [(p.location, p.reason) for p in problems] == [
            (f"{path} row 3", "empty certificate cell")
        ]


def test_csv_without_a_pem_column_says_what_it_found(tmp_path: Path) -> None:
    path = tmp_path / "records.csv"
    path.write_text("SHA-256 Fingerprint,CA Owner\nAB,Someone\n")
    _found, problems = _split(list(read_paths([path])))
    assert "no certificate column" in problems[0].reason and "CA Owner" in problems[0].reason


def test_a_root_store_given_to_load_says_to_add_it_as_a_store(pki: PKI, tmp_path: Path) -> None:
    """A certdata.txt, a trust list or a textproto is a store, not certificates: load says
    which, and what to run instead; an archive of a program's stores gives its
    certificates."""
    from tests.factories.ctl import Entry, ctl
    from tests.factories.nss import cert_object, certdata, trust_object

    root = pki.root("Store Root")
    files = {
        "certdata.txt": certdata(
            [cert_object("R", root.der), trust_object("R", root.der, "CKT_NSS_TRUSTED_DELEGATOR")]
        ).encode(),
        "authroot.stl": ctl([Entry(root.der)], datetime(2020, 1, 1, tzinfo=UTC)),
        "root_store.textproto": f'trust_anchors {{ sha256_hex: "{root.sha256}" }}\n'.encode(),
    }
    archive = tmp_path / "stores.tar.xz"
    with tarfile.open(archive, "w:xz") as packed:
        info = tarfile.TarInfo("android/7.0.0_r1/1.ca")
        info.size = len(root.pem)
        packed.addfile(info, io.BytesIO(root.pem.encode()))
    paths = [archive]
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    found, problems = _split(list(read_paths(paths)))
    assert [(item.der, item.location) for item in found] == [
        (root.der, f"{archive}:android/7.0.0_r1/1.ca:1")
    ]
    for problem, kind in zip(
        problems, ("an NSS certdata.txt", "a Microsoft", "a Chrome"), strict=True
    ):
        assert problem.reason.startswith(kind)
        assert f"trustgraph store add NAME {problem.location}" in problem.reason


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as packed:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            packed.addfile(info, io.BytesIO(data))
    return path


def test_archives_without_certificates_are_problems_that_say_why(pki: PKI, tmp_path: Path) -> None:
    """An archive of SQL files is crt.sh's history (add it as stores); one without
    certificate files, or with a member outside itself, is one problem each; nothing is
    read from the refused one."""
    root = pki.root("Archived Root")
    sql = _tar(tmp_path / "programs.tar.gz", {"20250101_mozilla_certdata.sql": b"BEGIN WORK;"})
    empty = _tar(tmp_path / "notes.tar.gz", {"README.md": b"notes"})
    hostile = _tar(
        tmp_path / "bad.tar.gz", {"ok.pem": root.pem.encode(), "../escape.pem": root.pem.encode()}
    )
    found, problems = _split(list(read_paths([sql, empty, hostile])))
    assert found == []
    assert [(p.location, p.kind) for p in problems] == [
        (str(sql), "not-a-certificate"),
        (str(empty), "empty"),
        (str(hostile), "refused"),
    ]
    assert f"trustgraph store add all {sql}" in problems[0].reason
    assert "lies outside the archive" in problems[2].reason


def test_a_folder_without_certificate_files_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("nothing here\n")
    [problem] = [item for item in read_paths([tmp_path]) if isinstance(item, Problem)]
    assert problem.location == str(tmp_path) and problem.kind == "empty"
    assert problem.reason.startswith("no certificate files in this folder")
