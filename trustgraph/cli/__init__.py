"""The ``trustgraph`` command: a thin layer over the library.

Results go to stdout; progress and diagnostics to stderr. Exit codes: 0 success, 1 nothing
found (chains, reach, timeline) or something missing (fetch), 2 usage errors (bad
arguments, unknown or ambiguous target, invalid input files).

Imports any layer below it, :mod:`trustgraph.api` first; command modules import what only
some commands need inside those commands, so that every command starts fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from trustgraph.cli import (  # noqa: F401  (they register commands)
    case,
    clients,
    ct,
    firefox,
    maps,
    neo4j,
    owners,
    queries,
    stores,
)
from trustgraph.cli.common import app
from trustgraph.version import __version__

__all__ = ["app", "main"]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"trustgraph {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Trust graphs of the Web PKI."""


def main() -> None:
    app()
