"""Inputs that could hang a command or take all its memory are refused with one line: TOML
inputs (case files, signature policies, distrust rules) that are FIFOs, devices, too large,
not UTF-8 or nested too deep, and settings in the environment that are no numbers."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from trustgraph.analysis.impact import read_rules
from trustgraph.core import reading
from trustgraph.errors import InputError, UsageError
from trustgraph.ingest import casefile, parallel
from trustgraph.policy.signatures import load_policy
from trustgraph.storage import database

READERS: dict[str, Callable[[Path], Any]] = {
    "case file": casefile.load,
    "signature policy": lambda path: load_policy(str(path)),
    "distrust rules": lambda path: read_rules(path, "2020-01-01T00:00:00Z"),
}


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    return path


def _device(_tmp_path: Path) -> Path:
    return Path("/dev/zero")


def _not_utf8(tmp_path: Path) -> Path:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'format = 1\n[case]\nname = "caf\xe9"\n')
    return path


def _deep(tmp_path: Path) -> Path:
    path = tmp_path / "deep.toml"
    path.write_text("format = 1\nx = " + "[" * 5000 + "]" * 5000 + "\n")
    return path


def _huge(tmp_path: Path) -> Path:
    path = tmp_path / "huge.toml"
    with path.open("wb") as out:
        out.truncate(reading.MAX_TOML_BYTES + 1)
    return path


HOSTILE = {
    "a FIFO": (_fifo, "not a regular file (a FIFO)"),
    "/dev/zero": (_device, "not a regular file (a character device)"),
    "not UTF-8": (_not_utf8, "not UTF-8"),
    "nested 5,000 deep": (_deep, "nested too deep"),
    "larger than a TOML input may be": (_huge, "larger than 16 MiB"),
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_toml_input_is_one_clear_error(tmp_path: Path, reader: str, case: str) -> None:
    make, reason = HOSTILE[case]
    path = make(tmp_path)
    with pytest.raises((InputError, UsageError)) as raised:
        READERS[reader](path)
    message = "\n".join([str(raised.value), *raised.value.details])
    assert reason in message and str(path) in message


@pytest.mark.parametrize("value", ["-1", "0", "abc", "1e3", "99999999999999999999", " 12x"])
def test_an_input_limit_that_is_no_number_of_mib_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(reading.MAX_INPUT_VARIABLE, value)
    with pytest.raises(UsageError, match="TRUSTGRAPH_MAX_INPUT_MB"):
        reading.max_input_bytes()


def test_an_input_limit_in_mib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(reading.MAX_INPUT_VARIABLE, "3")
    assert reading.max_input_bytes() == 3 << 20
    monkeypatch.delenv(reading.MAX_INPUT_VARIABLE)
    assert reading.max_input_bytes() == reading.DEFAULT_MAX_INPUT_MB << 20


@pytest.mark.parametrize("value", ["inf", "nan", "1e30", "abc", "-1"])
def test_a_lock_timeout_that_is_no_time_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(database.LOCK_TIMEOUT_VARIABLE, value)
    with pytest.raises(UsageError, match="TRUSTGRAPH_LOCK_TIMEOUT"):
        database.lock_timeout()


def test_workers_are_capped_at_the_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    cpus = len(os.sched_getaffinity(0))
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "999")
    assert parallel.job_count() == cpus
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "1")
    assert parallel.job_count() == 1
    for value in ("0", "-3", "many"):
        monkeypatch.setenv(parallel.JOBS_VARIABLE, value)
        with pytest.raises(UsageError, match="TRUSTGRAPH_JOBS"):
            parallel.job_count()
