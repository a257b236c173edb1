"""Leaves from a real CT log (TesseraCT) against the generator's truth: unexpired leaves and
registered domains by CA at a date, by way in from a Mozilla-style store (distrust-after)
and a Chrome-style store (SCT cut-off), in every format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.factories.ctpki import DISTRUST_AFTER, QUERY
from tests.ingest.ct.conftest import CtSetup, run

pytestmark = pytest.mark.ct

AT = QUERY.strftime("%Y-%m-%d")


def _leaves(db: Path, target: str, *extra: str) -> dict[str, Any]:
    done: Any = run("leaves", target, "--at", AT, "--db", str(db), "--format", "json", *extra)
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _counts(item: dict[str, Any]) -> tuple[int, int]:
    return item["unexpired_leaves"], item["registered_domains"]


def test_the_counts_of_a_ca_and_those_below_it_are_the_generators(
    synced: Path, ct_setup: CtSetup
) -> None:
    world = ct_setup.world
    i1 = _leaves(synced, "CT World I1")
    assert _counts(i1) == world.truth(["I1"])
    r3 = _leaves(synced, "CT World R3")
    assert _counts(r3) == world.truth(["R3", "I2"])
    by_ca = {item["subject"].split("CN=CT World ")[1][:2]: _counts(item) for item in r3["by_ca"]}
    assert by_ca == {"R3": world.truth(["R3"]), "I2": world.truth(["I2"])}
    assert i1["caveats"] and "counts are of the leaves loaded" in i1["caveats"][0]["text"]


def test_a_mozilla_style_distrust_after_breaks_what_was_issued_after_it(
    synced: Path, ct_setup: CtSetup
) -> None:
    found = _leaves(synced, "CT World I1", "--store", "mozilla")
    [way] = found["ways_in"]
    assert "CN=CT World R1" in way["anchor"]["subject"]
    assert _counts(way) == ct_setup.world.truth(["I1"])
    [(rule, broken)] = way["broken_by_partial_distrust"].items()
    assert rule == f"distrust-after {DISTRUST_AFTER:%Y-%m-%d}"
    assert _counts(broken) == ct_setup.world.truth(["I1"], issued_after=DISTRUST_AFTER)


def test_a_chrome_style_cutoff_breaks_what_was_first_logged_after_it(
    synced: Path, ct_setup: CtSetup
) -> None:
    found = _leaves(synced, "CT World I1", "--store", "chrome")
    ways = {way["anchor"]["subject"].split("CN=CT World ")[1][:2]: way for way in found["ways_in"]}
    assert sorted(ways) == ["R1", "R2"] and not ways["R1"]["broken_by_partial_distrust"]
    way = ways["R2"]
    [(rule, broken)] = way["broken_by_partial_distrust"].items()
    assert rule.startswith("sct-not-after")
    assert _counts(broken) == ct_setup.world.truth(["I1"], logged_only_in=2)


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_every_format_carries_the_counts(synced: Path, ct_setup: CtSetup, fmt: str) -> None:
    done: Any = run(
        "leaves",
        "CT World I1",
        "--at",
        AT,
        "--store",
        "mozilla",
        "--db",
        str(synced),
        "--format",
        fmt,
    )
    assert done.exit_code == 0, done.output
    leaves, domains = ct_setup.world.truth(["I1"])
    broken = ct_setup.world.truth(["I1"], issued_after=DISTRUST_AFTER)
    for number in (leaves, domains, *broken):
        assert str(number) in done.stdout
    assert "counts are of the leaves loaded" in done.output


def _impact(db: Path, store: str, root: str) -> dict[str, Any]:
    done: Any = run(
        "impact",
        "--store",
        store,
        "--at",
        AT,
        "--distrust-root",
        root,
        "--db",
        str(db),
        "--format",
        "json",
    )
    assert done.exit_code in (0, 1), done.output
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_impact_counts_the_leaves_of_what_is_lost_and_of_each_way_that_survives(
    synced: Path, ct_setup: CtSetup
) -> None:
    """Mozilla-style: distrusting R1 loses I1 and its leaves. Chrome-style: I1 survives
    through R2's cross-certificate, and the way in carries I1's leaves, those first logged
    after R2's SCT cut-off broken by it."""
    world = ct_setup.world
    mozilla = _impact(synced, "mozilla", "CT World R1")["leaves"]
    assert _counts(mozilla["lost_total"]) == world.truth(["I1"])
    chrome = _impact(synced, "chrome", "CT World R1")["leaves"]
    [way] = chrome["ways_in"]
    assert "CN=CT World R2" in way["anchor"]["subject"]
    assert _counts(way) == world.truth(["I1"])
    [broken] = way["broken_by_partial_distrust"].values()
    assert _counts(broken) == world.truth(["I1"], logged_only_in=2)
    assert _counts(chrome["lost_total"]) == (0, 0)


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_impact_in_every_format_carries_the_leaves(
    synced: Path, ct_setup: CtSetup, fmt: str
) -> None:
    done: Any = run(
        "impact",
        "--store",
        "chrome",
        "--at",
        AT,
        "--distrust-root",
        "CT World R1",
        "--db",
        str(synced),
        "--format",
        fmt,
    )
    assert done.exit_code in (0, 1), done.output
    leaves, domains = ct_setup.world.truth(["I1"])
    late = ct_setup.world.truth(["I1"], logged_only_in=2)
    assert "Leaves behind them" in done.stdout or "leaves" in done.stdout
    for number in (leaves, domains, *late):
        assert str(number) in done.stdout
