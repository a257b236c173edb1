"""The Chrome Root Store's textproto: anchors by SHA-256 with their constraint sets, read
for the newest Chrome; anything that is not well-formed, or a constraint trustgraph cannot
judge, fails the whole file; whatever the text, the reader fails only with InputError."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import fuzz
from trustgraph.errors import InputError, UsageError
from trustgraph.ingest import chrome, stores
from trustgraph.storage.database import Database

DATA = Path(__file__).parent / "data" / "chrome"
AS_OF = "2025-01-01T00:00:00Z"
FP = "ab" * 32


def test_the_published_file_lists_its_anchors_and_version() -> None:
    version = chrome.read_textproto_file(DATA / "root_store_v5_excerpt.textproto", AS_OF)
    assert version.sequence == "5"
    assert len(version.anchors) == 8
    assert all(a.sct_not_after is None and a.disabled_from is None for a in version.anchors)


def test_constraints_for_the_newest_chrome() -> None:
    version = chrome.read_textproto_file(DATA / "constrained.textproto", AS_OF)
    by_fingerprint = {a.sha256: a for a in version.anchors}
    buypass = by_fingerprint["9a114025197c5bb95d94e63d55cd43790847b646b23cdf11ada4a00eff15fb48"]
    assert buypass.sct_not_after == "2025-10-31T23:59:59Z"
    chunghwa = by_fingerprint["c0a6f4dc63a24bfdcf54ef2a6a082a0a72de35803e2ff5ff527ae5d87206dfd5"]
    # The set for Chrome before 139 does not apply; the one from 139 on cuts at 2025-07-31.
    assert chunghwa.sct_not_after == "2025-07-31T23:59:59Z"
    assert len(chunghwa.attributes["constraints"]) == 2


def _text(constraints: str) -> str:
    return f'trust_anchors {{\n  sha256_hex: "{FP}"\n{constraints}}}\n'


CONSTRAINED = {
    "the most permissive cut-off of two sets": (
        "constraints { sct_not_after_sec: 0 }\nconstraints { sct_not_after_sec: 86400 }\n",
        "1970-01-02T00:00:00Z",
        None,
    ),
    "a set without a cut-off lifts it": (
        'constraints { sct_not_after_sec: 0 }\nconstraints { min_version: "120" }\n',
        None,
        None,
    ),
    "only sets for older versions: not trusted": (
        'constraints { max_version_exclusive: "100" sct_not_after_sec: 0 }\n',
        None,
        AS_OF,
    ),
}


@pytest.mark.parametrize(
    ("constraints", "cutoff", "disabled"), CONSTRAINED.values(), ids=CONSTRAINED.keys()
)
def test_constraint_sets(constraints: str, cutoff: str | None, disabled: str | None) -> None:
    (anchor,) = chrome.read_textproto(_text(constraints), "t.textproto", AS_OF).anchors
    assert (anchor.sct_not_after, anchor.disabled_from) == (cutoff, disabled)


def test_additional_certificates_are_anchors_only_when_marked() -> None:
    text = (
        _text("")
        + f'additional_certs {{ sha256_hex: "{"cd" * 32}" tls_trust_anchor: true }}\n'
        + f'additional_certs {{ sha256_hex: "{"ef" * 32}" }}\n'
    )
    version = chrome.read_textproto(text, "t.textproto", AS_OF)
    assert [a.sha256 for a in version.anchors] == [FP, "cd" * 32]
    assert [entry["sha256"] for entry in version.not_anchors] == ["ef" * 32]


BROKEN = {
    "an unknown constraint": (_text("constraints { ev_only: true }\n"), "unknown constraint"),
    "an empty constraint set": (_text("constraints { }\n"), "empty constraints"),
    "a short fingerprint": ('trust_anchors { sha256_hex: "abcd" }\n', "64 hexadecimal"),
    "an unclosed block": (f'trust_anchors {{ sha256_hex: "{FP}"\n', "not closed"),
    "an unbalanced brace": (_text("") + "}\n", "unbalanced"),
    "a cut-off that is not a number": (
        _text('constraints { sct_not_after_sec: "soon" }\n'),
        "not a number",
    ),
    "no anchors": ("version_major: 3\n", "no trust_anchors"),
    "a cut-off after the year 9999": (
        _text("constraints { sct_not_after_sec: 99999999999999999999 }\n"),
        "up to the year 9999",
    ),
    "a cut-off before 1970": (
        _text("constraints { sct_not_after_sec: -5 }\n"),
        "up to the year 9999",
    ),
    "blocks nested 5,000 deep": (
        "trust_anchors " + "{ a " * 5000 + "}" * 5000 + "\n",
        "nested more than",
    ),
    "a 50 MB string": (f'trust_anchors {{ sha256_hex: "{"a" * 50_000_000}" }}\n', "longer than"),
}


@pytest.mark.parametrize(("text", "reason"), BROKEN.values(), ids=BROKEN.keys())
def test_a_file_that_cannot_be_read_fails_whole(text: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        chrome.read_textproto(text, "bad.textproto", AS_OF)


def test_store_add_needs_the_date_the_file_lacks(db: Database) -> None:
    with pytest.raises(UsageError, match="give as_of") as raised:
        stores.add_store(db, "chrome", DATA / "constrained.textproto")
    assert raised.value.parameter == "as_of"
    assert "give --as-of (" in raised.value.naming(lambda name: "--as-of")


def test_anchors_are_stored_with_their_cutoffs(db: Database) -> None:
    report = stores.add_store(db, "chrome", DATA / "constrained.textproto", AS_OF)
    (version,) = report.versions
    assert (version.snapshot.source_kind, version.snapshot.sequence) == ("chrome-textproto", "36")
    assert (version.anchors, version.without_bytes) == (3, 3)


_TOKENS = st.sampled_from(
    [
        "trust_anchors",
        "constraints",
        "sha256_hex",
        ":",
        "{",
        "}",
        "<",
        ">",
        f'"{FP}"',
        "12",
        "sct_not_after_sec",
        "min_version",
        '"1"',
        "#c\n",
        "\n",
        " ",
        "'x",
        "\\",
        ";",
        "true",
    ]
)


@fuzz(400)
@given(st.one_of(st.lists(_TOKENS, max_size=40).map(" ".join), st.text(max_size=200)))
def test_any_text_gives_a_version_or_an_input_error(text: str) -> None:
    try:
        version = chrome.read_textproto(text, "fuzz.textproto", AS_OF)
    except InputError:
        return
    assert version.anchors and all(len(a.sha256 or "") == 64 for a in version.anchors)
