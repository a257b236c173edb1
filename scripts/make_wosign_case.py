"""Write data/wosign-2016/: the WoSign 2016 case as data the project ships.

Maintainer tool, not part of the package. It needs the network (PyPI only) and the shared
corpus:

    python scripts/make_wosign_case.py --corpus ../shared/data

* Mozilla root-store snapshots: ``certifi/cacert.pem`` from the certifi wheels on PyPI,
  dated by their upload time (PyPI's simple JSON API), with each wheel's SHA-256.
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
import io
import json
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trustgraph import names  # noqa: E402
from trustgraph.certificate import parse_certificate  # noqa: E402
from trustgraph.sources import Occurrence, read_paths  # noqa: E402

VERSIONS = ["2015.04.28", "2015.11.20.1", "2016.9.26", "2017.7.27.1", "2017.11.5"]
OUT = ROOT / "data" / "wosign-2016"

SOURCES = {
    "mozilla-wiki": "Mozilla, \"CA:WoSign Issues\", https://wiki.mozilla.org/CA:WoSign_Issues "
                    "(2016)",
    "mozilla-blog": "Mozilla Security Blog, \"Distrusting New WoSign and StartCom "
                    "Certificates\", 2016-10-24 (shipped in Firefox 51)",
    "nss-3.34": "NSS 3.34 (2017-11) removed the WoSign and StartCom roots; certifi 2017.7.27.1 "
                "still has them, 2017.11.5 does not",
    "ccadb-records": "CCADB all-certificate-records report of 2021-04-05 (csosto-pk/ica_analytics,"
                     " data/AllCertificateRecordsReport.csv)",
    "ccadb-pems": "CCADB AllCertificatePEMsCSVFormat report of 2026-08-20 (crtsh/ccadb_data) "
                  "and mozilla/CCADB-Tools: the public certificates of the case",
}

OWNERS = [
    ("WoSign CA Limited", ["WoSign"], "mozilla-wiki"),
    ("StartCom Ltd.", ["StartCom", "Start Commercial (StartCom) Ltd.", "StartCom CA"],
     "mozilla-wiki"),
    ("Asseco Data Systems S.A.", ["Certum", "Unizeto",
                                  "Asseco Data Systems S.A. (previously Unizeto Certum)"],
     "mozilla-wiki"),
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
DISTRUSTED_ROOT_NAMES = ("Certification Authority of WoSign", "Certification Authority of WoSign G2",
                         "CA 沃通根证书", "CA WoSign ECC Root", "StartCom Certification Authority",
                         "StartCom Certification Authority G2")


def toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def fetch_wheels(directory: Path) -> dict[str, dict[str, str]]:
    request = urllib.request.Request("https://pypi.org/simple/certifi/",
                                     headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        files = {f["filename"]: f for f in json.load(response)["files"]}
    info = {}
    for version in VERSIONS:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                        f"certifi=={version}", "-d", str(directory)], check=True)
        wheel = directory / f"certifi-{version}-py2.py3-none-any.whl"
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        listed = files[wheel.name]
        assert listed["hashes"]["sha256"] == digest, wheel
        info[version] = {"wheel": wheel.name, "sha256": digest,
                         "uploaded": listed["upload-time"][:10], "path": str(wheel)}
    return info


def ccadb_operators(corpus: Path) -> dict[str, tuple[str, bool]]:
    """Certificate fingerprint -> (operator per CCADB, is the record a root record)."""
    path = corpus / "ccadb" / "Mozilla_AllCertificateRecordsReport_2021-04-05.csv.gz"
    with gzip.open(path, "rt", newline="") as handle:
        rows = list(csv.DictReader(handle))
    result = {}
    for row in rows:
        owner = row["Subordinate CA Owner"].strip() or row["CA Owner"].strip()
        result[row["SHA-256 Fingerprint"].lower()] = (
            owner, row["Certificate Record Type"].startswith("Root"))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheels = fetch_wheels(Path(tmp))
        bundle_certs: dict[str, object] = {}
        for version, info in wheels.items():
            with zipfile.ZipFile(info["path"]) as archive:
                pem = archive.read("certifi/cacert.pem")
            target = OUT / "mozilla" / f"certifi-{version}.pem"
            target.write_bytes(pem)
            for item in read_paths([target]):
                if isinstance(item, Occurrence):
                    record = parse_certificate(item.der)
                    bundle_certs[record.sha256] = record
    case_certs = {}
    for item in read_paths([args.corpus / "wosign_case" / "certs"]):
        assert isinstance(item, Occurrence), item
        record = parse_certificate(item.der)
        case_certs[record.sha256] = record
    everything = {**case_certs, **bundle_certs}
    by_ca: dict[str, list[str]] = {}
    for fingerprint, record in sorted(everything.items()):
        by_ca.setdefault(record.ca_id, []).append(fingerprint)
    write_case(wheels, case_certs, bundle_certs, everything, by_ca, ccadb_operators(args.corpus))


def issuer_ca_of(record, everything) -> str | None:  # type: ignore[no-untyped-def]
    from trustgraph.signatures import verify

    for candidate in everything.values():
        if candidate.subject_key == record.issuer_key and verify(
                candidate.spki, record.signature, record.tbs, record.signature_value).outcome.value == "verified":
            return candidate.ca_id
    return None


def write_case(wheels, case_certs, bundle_certs, everything, by_ca, operators) -> None:  # type: ignore[no-untyped-def]
    lines = [
        "# The WoSign / StartCom case of 2016, as data trustgraph ships and writes itself.",
        "# Generated by scripts/make_wosign_case.py; the format is in the README ("Case files").",
        "format = 1",
        "",
        "[case]",
        'name = "wosign-2016"',
        'title = "WoSign and StartCom, 2016: distrust, and the cross-certificates around it"',
        "",
        "[sources]",
    ]
    for key, text in SOURCES.items():
        lines.append(f"{key} = {toml_string(text)}")
    for version, info in wheels.items():
        lines.append(f"\"certifi-{version}\" = " + toml_string(
            f"certifi {version} on PyPI, {info['wheel']} (sha256 {info['sha256']}), uploaded "
            f"{info['uploaded']}; certifi/cacert.pem is Mozilla's root store (MPL-2.0)"))
    for name, aliases, source in OWNERS:
        lines += ["", "[[owners]]", f"name = {toml_string(name)}",
                  f"aliases = [{', '.join(toml_string(a) for a in aliases)}]",
                  f'source = "{source}"']
    lines += ["", "# Mozilla: the transaction giving WoSign 100% of StartCom completed 2015-11-01.",
              "[[ownership]]", 'owner = "WoSign CA Limited"', 'owned = "StartCom Ltd."',
              "from = 2015-11-01", 'source = "mozilla-wiki"']
    for owner, organization, source in ORGANIZATIONS:
        lines += ["", "[[operators]]", f"owner = {toml_string(owner)}",
                  f"organization = {toml_string(organization)}", f'source = "{source}"']
    lines += operator_entries(case_certs, everything, by_ca, operators)
    for version, info in wheels.items():
        lines += ["", "[[snapshots]]", 'store = "mozilla"', f"as_of = {info['uploaded']}",
                  f'bundle = "mozilla/certifi-{version}.pem"',
                  f"description = {toml_string(f'certifi {version} cacert.pem')}",
                  f'source = "certifi-{version}"']
    for fingerprint, record in sorted(case_certs.items()):
        if fingerprint in bundle_certs:
            continue
        lines += declared_entry(fingerprint, record, everything, by_ca, bundle_certs)
    for fingerprint in REVOKED_2016_11_29:
        lines += ["", "[[revocations]]", f'sha256 = "{fingerprint}"', "revoked_at = 2016-11-29",
                  'source = "mozilla-wiki"',
                  'note = "Certum CA -> WoSign G2 cross-certificate, revoked per Asseco"']
    subjects = sorted({names.display_name(r.subject) for r in bundle_certs.values()
                       if names.first_value(r.subject, names.COMMON_NAME) in DISTRUSTED_ROOT_NAMES
                       and r.self_issued})
    lines += ["", "# New certificates (notBefore after 2016-10-21) below the WoSign and StartCom",
              "# roots, identified by subject name so that cross-certificates are covered too.",
              "[[distrust]]", 'store = "mozilla"',
              "subjects = [" + ", ".join(toml_string(s) for s in subjects) + "]",
              "not_before_after = 2016-10-21T00:00:00Z", "effective = 2016-10-24",
              'source = "mozilla-blog"',
              'note = "announced 2016-10-24; enforced in Firefox from version 51"']
    (OUT / "case.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def operator_entries(case_certs, everything, by_ca, operators) -> list[str]:  # type: ignore[no-untyped-def]
    """One operator fact per CA of the case that CCADB describes: its root record's owner
    if it has one, else the subordinate-CA owner or the owner it is filed under."""
    lines = []
    done = set()
    for fingerprint, record in sorted(case_certs.items()):
        ca = record.ca_id
        if ca in done:
            continue
        done.add(ca)
        facts = [operators[fp] for fp in by_ca[ca] if fp in operators]
        if not facts:
            continue
        roots = [owner for owner, is_root in facts if is_root]
        owner = roots[0] if roots else sorted(owner for owner, _ in facts)[0]
        lines += ["", "[[operators]]", f"owner = {toml_string(CCADB_OWNER_NAMES.get(owner, owner))}",
                  "certificates = [" + ", ".join(f'"{fp}"' for fp in by_ca[ca]) + "]",
                  'source = "ccadb-records"']
    return lines


def declared_entry(fingerprint, record, everything, by_ca, bundle_certs) -> list[str]:  # type: ignore[no-untyped-def]
    issuer_ca = issuer_ca_of(record, everything)
    assert issuer_ca is not None, fingerprint
    issued_by = _representative(by_ca[issuer_ca], bundle_certs)
    same = _representative(by_ca[record.ca_id], bundle_certs)
    lines = ["", "[[certificates]]", f'sha256 = "{fingerprint}"',
             f"subject = {toml_string(names.display_name(record.subject))}",
             f"issuer = {toml_string(names.display_name(record.issuer))}",
             f'serial = "{record.serial}"',
             f"not_before = {record.not_before.strftime('%Y-%m-%dT%H:%M:%SZ')}",
             f"not_after = {record.not_after.strftime('%Y-%m-%dT%H:%M:%SZ')}",
             f"ca = {'true' if record.extensions.is_ca else 'false'}",
             f'signature_hash = "{record.signature.hash}"',
             f'issued_by = "{issued_by}"']
    if same != fingerprint:
        lines.append(f'same_ca_as = "{same}"')
    lines.append('source = "ccadb-pems"')
    return lines


def _representative(fingerprints: list[str], bundle_certs) -> str:  # type: ignore[no-untyped-def]
    in_bundles = sorted(fp for fp in fingerprints if fp in bundle_certs)
    return (in_bundles or sorted(fingerprints))[0]


if __name__ == "__main__":
    main()
