"""Help a person reads: every command and option described, no Python types in sight."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from trustgraph.cli import app

runner = CliRunner()


def _commands() -> list[list[str]]:
    """Every command path (``["store", "add"]``, ...)."""
    root: Any = typer.main.get_command(app)
    found = []

    def walk(group: Any, prefix: list[str]) -> None:
        for name in sorted(group.commands):
            command = group.commands[name]
            if hasattr(command, "commands"):
                walk(command, [*prefix, name])
            else:
                found.append([*prefix, name])

    walk(root, [])
    return found


COMMANDS = _commands()


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_help_reads_as_words(path: list[str]) -> None:
    done = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100"})
    assert done.exit_code == 0, done.output
    text = done.stdout
    assert not re.search(r"<(str|int|bool|float|path|list\[[^\]]*\])>", text), text
    assert "list[" not in text
    entries = _options(text.split("Options:", 1)[1])
    assert "--help" in entries
    for name, description in entries.items():
        words = re.sub(r"\[[^\]]*\]", "", description)
        assert re.search(r"[A-Za-z]{3}", words), f"{' '.join(path)}: {name} is not described"


def _options(block: str) -> dict[str, str]:
    """Each option of a help text's Options block, with its description (which may start
    on the next line when the option is long)."""
    entries: dict[str, str] = {}
    current = None
    for line in block.splitlines():
        option = re.match(r"^  (-\S*(?:, -\S*)?)(?: \S+)?(?:  +(.*))?$", line)
        if option:
            current = option.group(1).split(", ")[-1]
            entries[current] = option.group(2) or ""
        elif current and line.startswith("    "):
            entries[current] += " " + line.strip()
    return entries


def test_markup_in_help_is_shown_literally() -> None:
    done = runner.invoke(app, ["impact", "--help"], env={"COLUMNS": "100"})
    assert "[[distrust]]" in done.stdout


def test_every_format_is_listed_where_it_is_accepted() -> None:
    done = runner.invoke(app, ["chains", "--help"], env={"COLUMNS": "100"})
    assert "--format table|json|csv|markdown" in done.stdout
    assert "jsonl" not in done.stdout
