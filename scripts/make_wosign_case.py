"""Write data/wosign-2016/: the WoSign 2016 case as data the project ships.

Maintainer tool, not part of the package. It reads the shared corpus of real certificates and,
unless ``--offline``, the certifi wheels on PyPI:

    python scripts/make_wosign_case.py --corpus ../shared/data            # rewrite the data
    python scripts/make_wosign_case.py --corpus ../shared/data --check    # compare, exit 1 if stale
    python scripts/make_wosign_case.py --check --offline                  # what CI runs

* Mozilla root-store snapshots: ``certifi/cacert.pem`` from the certifi wheels on PyPI,
  dated by their upload time (PyPI's simple JSON API), with each wheel's SHA-256. With
  ``--offline`` the bundles already in ``data/wosign-2016/mozilla`` and the wheel facts
  recorded in the shipped case file are used instead.
* The certificates of the case that those snapshots do not contain, by SHA-256 with names,
  serial, validity and declared issuer, computed from the public certificates in the
  shared corpus (which is not copied: only these facts are written).
* Operators per CA from the CCADB certificate-records report of 2021-04-05.
* Hand-written facts below (owners, ownership, revocations, distrust), each with its source.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import tomllib
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trustgraph.ingest.sources import Occurrence, read_paths  # noqa: E402
from trustgraph.x509 import names  # noqa: E402
from trustgraph.x509.certificate import CertificateRecord, parse_certificate  # noqa: E402
from trustgraph.x509.signatures import Outcome, verify  # noqa: E402

VERSIONS = ["2015.04.28", "2015.11.20.1", "2016.9.26", "2017.7.27.1", "2017.11.5"]
OUT = ROOT / "data" / "wosign-2016"

SOURCES = {
    "mozilla-wiki": 'Mozilla, "CA:WoSign Issues", https://wiki.mozilla.org/CA:WoSign_Issues (2016)',
    "mozilla-blog": 'Mozilla Security Blog, "Distrusting New WoSign and StartCom Certificates", '
    "2016-10-24 (shipped in Firefox 51)",
    "nss-3.34": "NSS 3.34 (2017-11) removed the WoSign and StartCom roots; certifi 2017.7.27.1 "
    "still has them, 2017.11.5 does not",
    "ccadb-records": "CCADB all-certificate-records report of 2021-04-05 (csosto-pk/ica_analytics,"
    " data/AllCertificateRecordsReport.csv)",
    "ccadb-pems": "CCADB AllCertificatePEMsCSVFormat report of 2026-08-20 (crtsh/ccadb_data) "
    "and mozilla/CCADB-Tools: the public certificates of the case",
}

OWNERS = [
    ("WoSign CA Limited", ["WoSign"], "mozilla-wiki"),
    (
        "StartCom Ltd.",
        ["StartCom", "Start Commercial (StartCom) Ltd.", "StartCom CA"],
        "mozilla-wiki",
    ),
    (
        "Asseco Data Systems S.A.",
        ["Certum", "Unizeto", "Asseco Data Systems S.A. (previously Unizeto Certum)"],
        "mozilla-wiki",
    ),
    ("DigiCert", [], "ccadb-records"),
    ("Sectigo", ["Comodo"], "ccadb-records"),
    ("Certinomis / Docapost", ["Certinomis"], "ccadb-records"),
]
ORGANIZATIONS = [
    ("WoSign CA Limited", "WoSign CA Limited", "mozilla-wiki"),
    ("StartCom Ltd.", "StartCom Ltd.", "mozilla-wiki"),
    ("StartCom Ltd.", "StartCom CA", "ccadb-records"),
    ("Asseco Data Systems S.A.", "Unizeto Sp. z o.o.", "mozilla-wiki"),
    ("Asseco Data Systems S.A.", "Unizeto Technologies S.A.", "ccadb-records"),
]
CCADB_OWNER_NAMES = {
    "WoSign CA Limited": "WoSign CA Limited",
    "Start Commercial (StartCom) Ltd.": "StartCom Ltd.",
    "Asseco Data Systems S.A. (previously Unizeto Certum)": "Asseco Data Systems S.A.",
    "DigiCert": "DigiCert",
    "Sectigo": "Sectigo",
    "Certinomis / Docapost": "Certinomis / Docapost",
}
# Mozilla's wiki lists both Certum CA -> WoSign G2 cross-certificates as revoked as of
# 2016-11-29 according to Asseco.
REVOKED_2016_11_29 = [
    "1092c43d57bcda0af70291e37fdde88b02de83e3f4013272d4ca2ae3c7498fe4",
    "7bda50131ea7e55c8fdda63563d12314a7159d5621333ba8bcdad0b8a3a50e6c",
]
DISTRUSTED_ROOT_NAMES = (
    "Certification Authority of WoSign",
    "Certification Authority of WoSign G2",
    "CA 沃通根证书",
    "CA WoSign ECC Root",
    "StartCom Certification Authority",
    "StartCom Certification Authority G2",
)


@dataclass(frozen=True)
class Wheel:
    """A certifi wheel on PyPI and the root-store bundle it carries."""

    version: str
    filename: str
    sha256: str
    uploaded: str
    bundle: bytes


Records = dict[str, CertificateRecord]


def toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def wheels_from_pypi(directory: Path) -> list[Wheel]:
    """Download the certifi wheels and check each against PyPI's listed SHA-256.

    Raises:
        SystemExit: a wheel's hash differs from PyPI's.
    """
    request = urllib.request.Request(
        "https://pypi.org/simple/certifi/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        files = {f["filename"]: f for f in json.load(response)["files"]}
    wheels = []
    for version in VERSIONS:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                f"certifi=={version}",
                "-d",
                str(directory),
            ],
            check=True,
        )
        path = directory / f"certifi-{version}-py2.py3-none-any.whl"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        listed = files[path.name]
        if listed["hashes"]["sha256"] != digest:
            raise SystemExit(f"{path.name}: SHA-256 {digest} is not PyPI's")
        with zipfile.ZipFile(path) as archive:
            bundle = archive.read("certifi/cacert.pem")
        wheels.append(Wheel(version, path.name, digest, listed["upload-time"][:10], bundle))
    return wheels


_WHEEL_SOURCE = re.compile(
    r"certifi (?P<version>\S+) on PyPI, (?P<file>\S+) \(sha256 (?P<sha>[0-9a-f]{64})\), "
    r"uploaded (?P<date>\d{4}-\d{2}-\d{2});"
)


def wheels_as_shipped(data: Path) -> list[Wheel]:
    """The wheel facts recorded in the shipped case file, with the shipped bundles.

    Raises:
        SystemExit: a version's source line or bundle is missing.
    """
    sources = tomllib.loads((data / "case.toml").read_text(encoding="utf-8"))["sources"]
    wheels = []
    for version in VERSIONS:
        found = _WHEEL_SOURCE.match(sources.get(f"certifi-{version}", ""))
        bundle = data / "mozilla" / f"certifi-{version}.pem"
        if found is None or not bundle.is_file():
            raise SystemExit(f"the shipped data has no certifi {version}; run without --offline")
        wheels.append(
            Wheel(version, found["file"], found["sha"], found["date"], bundle.read_bytes())
        )
    return wheels


def parse_all(paths: list[Path]) -> Records:
    records = {}
    for item in read_paths(paths):
        if not isinstance(item, Occurrence):
            raise SystemExit(f"{item.location}: {item.reason}")
        record = parse_certificate(item.der)
        records[record.sha256] = record
    return records


def ccadb_operators(corpus: Path) -> dict[str, tuple[str, bool]]:
    """Certificate fingerprint -> (operator per CCADB, is the record a root record)."""
    path = corpus / "ccadb" / "Mozilla_AllCertificateRecordsReport_2021-04-05.csv.gz"
    with gzip.open(path, "rt", newline="") as handle:
        rows = list(csv.DictReader(handle))
    result = {}
    for row in rows:
        owner = row["Subordinate CA Owner"].strip() or row["CA Owner"].strip()
        result[row["SHA-256 Fingerprint"].lower()] = (
            owner,
            row["Certificate Record Type"].startswith("Root"),
        )
    return result


def case_text(wheels: list[Wheel], corpus: Path, bundle_dir: Path) -> str:
    """The case file, with the bundles of ``wheels`` written to ``bundle_dir``."""
    bundle_dir.mkdir(parents=True, exist_ok=True)
    for wheel in wheels:
        (bundle_dir / f"certifi-{wheel.version}.pem").write_bytes(wheel.bundle)
    bundle_certs = parse_all([bundle_dir / f"certifi-{w.version}.pem" for w in wheels])
    case_certs = parse_all([corpus / "wosign_case" / "certs"])
    everything = {**case_certs, **bundle_certs}
    by_ca: dict[str, list[str]] = {}
    for fingerprint, record in sorted(everything.items()):
        by_ca.setdefault(record.ca_id, []).append(fingerprint)
    lines = header_lines(wheels)
    lines += operator_entries(case_certs, by_ca, ccadb_operators(corpus))
    for wheel in wheels:
        lines += [
            "",
            "[[snapshots]]",
            'store = "mozilla"',
            f"as_of = {wheel.uploaded}",
            f'bundle = "mozilla/certifi-{wheel.version}.pem"',
            f"description = {toml_string(f'certifi {wheel.version} cacert.pem')}",
            f'source = "certifi-{wheel.version}"',
        ]
    for fingerprint, record in sorted(case_certs.items()):
        if fingerprint not in bundle_certs:
            lines += declared_entry(fingerprint, record, everything, by_ca, bundle_certs)
    lines += revocation_and_distrust_lines(bundle_certs)
    return "\n".join(lines) + "\n"


def header_lines(wheels: list[Wheel]) -> list[str]:
    lines = [
        "# The WoSign / StartCom case of 2016, as data trustgraph ships and writes itself.",
        '# Generated by scripts/make_wosign_case.py; the format is in the README ("Case files").',
        "format = 1",
        "",
        "[case]",
        'name = "wosign-2016"',
        'title = "WoSign and StartCom, 2016: distrust, and the cross-certificates around it"',
        "",
        "[sources]",
    ]
    lines += [f"{key} = {toml_string(text)}" for key, text in SOURCES.items()]
    lines += [
        f'"certifi-{w.version}" = '
        + toml_string(
            f"certifi {w.version} on PyPI, {w.filename} (sha256 {w.sha256}), uploaded "
            f"{w.uploaded}; certifi/cacert.pem is Mozilla's root store (MPL-2.0)"
        )
        for w in wheels
    ]
    for name, aliases, source in OWNERS:
        lines += [
            "",
            "[[owners]]",
            f"name = {toml_string(name)}",
            f"aliases = [{', '.join(toml_string(a) for a in aliases)}]",
            f'source = "{source}"',
        ]
    lines += [
        "",
        "# Mozilla: the transaction giving WoSign 100% of StartCom completed 2015-11-01.",
        "[[ownership]]",
        'owner = "WoSign CA Limited"',
        'owned = "StartCom Ltd."',
        "from = 2015-11-01",
        'source = "mozilla-wiki"',
    ]
    for owner, organization, source in ORGANIZATIONS:
        lines += [
            "",
            "[[operators]]",
            f"owner = {toml_string(owner)}",
            f"organization = {toml_string(organization)}",
            f'source = "{source}"',
        ]
    return lines


def operator_entries(
    case_certs: Records, by_ca: dict[str, list[str]], operators: dict[str, tuple[str, bool]]
) -> list[str]:
    """One operator fact per CA of the case that CCADB describes: its root record's owner
    if it has one, else the subordinate-CA owner or the owner it is filed under."""
    lines: list[str] = []
    done = set()
    for _fingerprint, record in sorted(case_certs.items()):
        ca = record.ca_id
        if ca in done:
            continue
        done.add(ca)
        facts = [operators[fp] for fp in by_ca[ca] if fp in operators]
        if not facts:
            continue
        roots = [owner for owner, is_root in facts if is_root]
        owner = roots[0] if roots else sorted(owner for owner, _ in facts)[0]
        lines += [
            "",
            "[[operators]]",
            f"owner = {toml_string(CCADB_OWNER_NAMES.get(owner, owner))}",
            "certificates = [" + ", ".join(f'"{fp}"' for fp in by_ca[ca]) + "]",
            'source = "ccadb-records"',
        ]
    return lines


def issuer_ca_of(record: CertificateRecord, everything: Records) -> str | None:
    """The CA whose key verifies ``record``'s signature, among those with its issuer name."""
    for candidate in everything.values():
        if candidate.subject_key != record.issuer_key:
            continue
        check = verify(candidate.spki, record.signature, record.tbs, record.signature_value)
        if check.outcome is Outcome.VERIFIED:
            return candidate.ca_id
    return None


def declared_entry(
    fingerprint: str,
    record: CertificateRecord,
    everything: Records,
    by_ca: dict[str, list[str]],
    bundle_certs: Records,
) -> list[str]:
    issuer_ca = issuer_ca_of(record, everything)
    if issuer_ca is None:
        raise SystemExit(f"{fingerprint}: no certificate of the case verifies it")
    issued_by = _representative(by_ca[issuer_ca], bundle_certs)
    same = _representative(by_ca[record.ca_id], bundle_certs)
    lines = [
        "",
        "[[certificates]]",
        f'sha256 = "{fingerprint}"',
        f"subject = {toml_string(names.display_name(record.subject))}",
        f"issuer = {toml_string(names.display_name(record.issuer))}",
        f'serial = "{record.serial}"',
        f"not_before = {record.not_before.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"not_after = {record.not_after.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"ca = {'true' if record.extensions.is_ca else 'false'}",
        f'signature_hash = "{record.signature.hash}"',
        f'issued_by = "{issued_by}"',
    ]
    if same != fingerprint:
        lines.append(f'same_ca_as = "{same}"')
    lines.append('source = "ccadb-pems"')
    return lines


def revocation_and_distrust_lines(bundle_certs: Records) -> list[str]:
    lines: list[str] = []
    for fingerprint in REVOKED_2016_11_29:
        lines += [
            "",
            "[[revocations]]",
            f'sha256 = "{fingerprint}"',
            "revoked_at = 2016-11-29",
            'source = "mozilla-wiki"',
            'note = "Certum CA -> WoSign G2 cross-certificate, revoked per Asseco"',
        ]
    subjects = sorted(
        {
            names.display_name(r.subject)
            for r in bundle_certs.values()
            if names.first_value(r.subject, names.COMMON_NAME) in DISTRUSTED_ROOT_NAMES
            and r.self_issued
        }
    )
    return [
        *lines,
        "",
        "# New certificates (notBefore after 2016-10-21) below the WoSign and StartCom",
        "# roots, identified by subject name so that cross-certificates are covered too.",
        "[[distrust]]",
        'store = "mozilla"',
        "subjects = [" + ", ".join(toml_string(s) for s in subjects) + "]",
        "not_before_after = 2016-10-21T00:00:00Z",
        "effective = 2016-10-24",
        'source = "mozilla-blog"',
        'note = "announced 2016-10-24; enforced in Firefox from version 51"',
    ]


def _representative(fingerprints: list[str], bundle_certs: Records) -> str:
    in_bundles = sorted(fp for fp in fingerprints if fp in bundle_certs)
    return (in_bundles or sorted(fingerprints))[0]


FILES = ["case.toml", *(f"mozilla/certifi-{v}.pem" for v in VERSIONS)]


def _stale(data: Path, generated: Path) -> list[str]:
    """The files in ``data`` that differ from those just generated in ``generated``."""
    return [
        str(data / name)
        for name in FILES
        if not (data / name).is_file()
        or (data / name).read_bytes() != (generated / name).read_bytes()
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--offline", action="store_true", help="do not ask PyPI")
    parser.add_argument("--data", type=Path, default=OUT, help="the case's folder")
    args = parser.parse_args(argv)
    data: Path = args.data
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        wheels = wheels_as_shipped(data) if args.offline else wheels_from_pypi(work / "wheels")
        generated = work / "out"
        text = case_text(wheels, args.corpus, generated / "mozilla")
        (generated / "case.toml").write_text(text, encoding="utf-8")
        stale = _stale(data, generated)
        if args.check:
            for path in stale:
                print(f"stale: {path} differs from what the script generates", file=sys.stderr)
            return 1 if stale else 0
        for name in FILES:
            target = data / name
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            partial.write_bytes((generated / name).read_bytes())
            partial.replace(target)
        print(f"wrote {data}: {len(stale)} file(s) changed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
