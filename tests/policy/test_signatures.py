"""Signature policies from TOML: hash names read whatever their spelling, and a name of no
hash refuses the file (a misspelling must not leave a hash accepted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustgraph.errors import UsageError
from trustgraph.policy.signatures import load_policy


def _policy(tmp_path: Path, table: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(f"[not_accepted_from]\n{table}\n")
    return path


@pytest.mark.parametrize(
    ("written", "canonical"),
    [("SHA1", "sha1"), ('"SHA-1"', "sha1"), ("md5", "md5"), ('"SHA3_256"', "sha3-256")],
)
def test_hash_names_are_read_whatever_their_spelling(
    tmp_path: Path, written: str, canonical: str
) -> None:
    policy = load_policy(str(_policy(tmp_path, f'{written} = "2015-01-01"')))
    assert policy.not_accepted_from == {canonical: "2015-01-01T00:00:00Z"}
    assert policy.refuses(canonical, "2015-06-01T00:00:00Z")


@pytest.mark.parametrize("written", ['"sha-257"', "shaw1", '"md 5"'])
def test_a_name_of_no_hash_refuses_the_file(tmp_path: Path, written: str) -> None:
    with pytest.raises(UsageError, match="no such signature hash; known: "):
        load_policy(str(_policy(tmp_path, f'{written} = "always"')))


def test_one_hash_named_twice_refuses_the_file(tmp_path: Path) -> None:
    path = _policy(tmp_path, 'sha1 = "always"\n"SHA-1" = "never"')
    with pytest.raises(UsageError, match="names sha1 twice"):
        load_policy(str(path))
