"""The four other root programs from their own published data: Microsoft's authroot.stl
history (one dated series, every version stored or reported), Apple's and Android's stores,
and the WoSign question asked of every program at once."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tarfile
import warnings
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from tests.corpus.conftest import ANDROID, APPLE, STL, run
from tests.corpus.conftest import answer as json_answer
from trustgraph.demo.text import demo_lines
from trustgraph.ingest import authroot

pytestmark = pytest.mark.corpus

CRTSH = "rootstores/crtsh-root-programs-2020-2025.tar.xz"


def test_the_latest_trust_list_as_its_readme_counts_it(corpus: Path) -> None:
    latest = sorted((corpus / STL).glob("*.stl"))[-1]
    version = authroot.read_ctl_file(latest)
    anchors = version.anchors

    def has(attribute: str, value: str | None) -> int:
        return sum(
            value is not None or attribute in a.attributes.get("empty_attributes", [])
            for a, value in ((a, getattr(a, _FIELDS[attribute])) for a in anchors)
        )

    assert len(anchors) == 514
    assert has("126", None) == 273  # a NotBefore date (six of them empty)
    assert has("104", None) == 170  # a disabled date (two empty)
    assert sum("disallowed_purposes" in a.attributes for a in anchors) == 27
    assert all(a.sha256 and a.sha1 for a in anchors)


_FIELDS = {"126": "distrust_after", "104": "disabled_from"}


@pytest.fixture(scope="module")
def programs_db(ccadb_db: Path, corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("programs") / "programs.db"
    shutil.copy(ccadb_db, db)
    for name, source in (("microsoft", STL), ("apple-ios", APPLE), ("android", ANDROID)):
        done = run("store", "add", name, str(corpus / source), "--db", str(db), "--quiet")
        assert done.exit_code == 0, done.output
    return db


@pytest.mark.slow
def test_every_version_is_stored_or_reported(programs_db: Path, corpus: Path) -> None:
    files = sorted((corpus / STL).glob("*.stl"))
    listed = json_answer("store", "list", "microsoft", "--db", str(programs_db))["snapshots"]
    added = json_answer("store", "add", "microsoft", str(corpus / STL), "--db", str(programs_db))
    assert len(added["versions"]) + len(added["not_used"]) == len(files)
    assert len(listed) == len(added["versions"])
    assert (listed[0]["as_of"][:10], listed[-1]["as_of"][:10]) == ("2006-12-14", "2025-06-16")
    assert all(u["reason"].startswith("another version dated") for u in added["not_used"])


@pytest.mark.slow
def test_android_and_apple_series(programs_db: Path) -> None:
    android = json_answer("store", "list", "android", "--db", str(programs_db))["snapshots"]
    assert len(android) == 15 and all(s["as_of_precision"] == "month" for s in android)
    ios = json_answer("store", "list", "apple-ios", "--db", str(programs_db))["snapshots"]
    assert [s["sequence"] for s in ios] == sorted(
        (s["sequence"] for s in ios), key=lambda v: int(v.split()[1])
    )
    shown = json_answer(
        "store", "show", "apple-ios", "--at", "2016-10-15", "--db", str(programs_db)
    )
    subjects = [e["subject"] or "" for e in shown["entries"]]
    assert shown["snapshot"]["sequence"] == "iOS 10"
    assert any("StartCom Certification Authority" in s for s in subjects)


@pytest.mark.slow
def test_the_wosign_question_in_every_program(programs_db: Path) -> None:
    def reaching(at: str) -> dict[str, set[str]]:
        answer = json_answer(
            "reach", "operator:WoSign", "--store", "all", "--at", at, "--db", str(programs_db)
        )
        return {
            row["store"]: {a["subject"] for a in row.get("anchors") or []}
            for row in answer["stores"]
        }

    before, after = reaching("2016-12-01"), reaching("2019-06-01")
    assert {"microsoft", "android", "apple-ios", "mozilla"} <= set(before)
    wosign_g2 = "CN=Certification Authority of WoSign G2,O=WoSign CA Limited,C=CN"
    assert wosign_g2 in before["microsoft"]
    # Microsoft's list disables WoSign's roots before mid-2019 (its own disabled dates).
    disabled = json_answer(
        "store", "show", "microsoft", "--at", "2019-06-01", "--db", str(programs_db)
    )
    g2 = [e for e in disabled["entries"] if e["subject"] == wosign_g2]
    assert g2 and not g2[0]["in_force"]
    assert wosign_g2 not in after["microsoft"]


@pytest.mark.slow
def test_the_demo_tells_each_programs_view(corpus: Path, tmp_path: Path) -> None:
    done = run(
        "demo",
        "--out",
        str(tmp_path),
        "--rootstores",
        str(corpus / "rootstores"),
        "--format",
        "json",
        "--quiet",
    )
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    autumn = next(d for d in document["dates"] if d["at"].startswith("2016-10-21"))
    views = {v["store"]: v for v in autumn["other_programs"]}
    assert set(views) == {"microsoft", "apple-ios", "apple-macos", "android"}
    assert views["android"]["snapshot"]["as_of_precision"] == "month"
    microsoft = views["microsoft"]
    assert microsoft["wosign_roots_in_store"]
    # Without WoSign's own roots, StartCom's roots still lead into WoSign's CAs.
    assert any("StartCom" in a["label"] for a in microsoft["anchors_reaching_without_wosign_roots"])
    text = "\n".join(demo_lines(document))
    assert "other root programs" in text and "(release month: approximate)" in text
    _entrust_as_the_files_say(document, corpus)


def _entrust_as_the_files_say(document: dict[str, Any], corpus: Path) -> None:
    """The demo's Entrust story against crt.sh's files read here: Chrome's last snapshot
    lists none of Entrust's roots and its cut-off is on SCTs of 2024-11-11; Mozilla's
    distrust-after of 2024-11-30 covers the seven roots its file of 2025-10-23 gives
    that date."""
    fates = {fate["store"]: fate for fate in document["entrust_2024"]}
    with tarfile.open(corpus / CRTSH) as archive:
        files = {Path(m.name).name: m for m in archive.getmembers()}

        def entrust_roots(name: str, date: str | None = None) -> set[str]:
            handle = archive.extractfile(files[name])
            assert handle is not None
            text = handle.read().decode()
            found = set()
            for line in text.splitlines():
                hexed = re.search(r"import_cert\(E'\\\\x([0-9A-Fa-f]+)'\)", line)
                if hexed is None:
                    continue
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # negative serials elsewhere in the file
                    cert = x509.load_der_x509_certificate(bytes.fromhex(hexed.group(1)))
                organization = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
                if organization and str(organization[0].value).casefold().startswith(
                    ("entrust", "affirmtrust")
                ):
                    sha1 = hashlib.sha1(cert.public_bytes(Encoding.DER)).hexdigest()
                    if date is None or re.search(f"'{date}'.*{sha1}", text, re.I):
                        [common] = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
                        found.add(str(common.value))
            return found

        chrome = fates["chrome"]
        assert not chrome["still_listed"] and not entrust_roots("20251216_chrome_rootstore.sql")
        [cutoff] = [c for c in chrome["constraints"] if c["kind"] == "sct-not-after"][:1] or [None]
        assert cutoff is not None and cutoff["at"].startswith("2024-11-11")
        mozilla_dated = entrust_roots("20251023_mozilla_certdata.sql", "2024-11-30T23:59:59Z")
    distrusted = {
        c["ca"]["label"]
        for c in fates["mozilla"]["constraints"]
        if c["at"].startswith("2024-11-30")
    }
    assert len(mozilla_dated) == 7 and len(distrusted) >= 7


@pytest.mark.slow
def test_impact_in_every_program_starts_with_one_row_per_program(programs_db: Path) -> None:
    args = ["impact", "--distrust-owner", "WoSign", "--store", "all", "--at", "2016-12-01"]
    args += ["--db", str(programs_db)]
    answer = json_answer(*args)
    stores = [item["store"] for item in answer["stores"]]
    assert {"microsoft", "android", "apple-ios", "mozilla"} <= set(stores)
    table = run(*args, "--quiet").stdout
    summary = table.split("\n\n")[0].splitlines()
    for item in answer["stores"]:
        row = next(line for line in summary if line.split()[:1] == [item["store"]])
        counts = item["counts"]
        assert f" {counts['lose_every_path']} " in row
        assert f"{counts['survive']} of {counts['watched']}" in row
    rows = run(*args, "--format", "csv", "--quiet").stdout.splitlines()
    assert [row.split(",")[0] for row in rows[1 : len(stores) + 1]] == ["summary"] * len(stores)
    assert rows[len(stores) + 1].split(",")[0] != "summary"
