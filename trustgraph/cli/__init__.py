"""The ``trustgraph`` command: a thin layer over the library.

Results go to stdout; progress and diagnostics to stderr. Exit codes: 0 success, 1 nothing
found (chains, reach, timeline) or something missing (fetch), 2 usage errors (bad
arguments, unknown or ambiguous target, invalid input files).

Imports :mod:`trustgraph.api` (every capability is a session call there),
:mod:`trustgraph.render`, :mod:`trustgraph.core` and :mod:`trustgraph.errors`, nothing else;
command modules import the api and renderers inside the commands, so that every command
starts fast.
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

__all__ = ["app", "main"]


def _version(value: bool) -> None:
    if value:
        from trustgraph import api

        typer.echo(f"trustgraph {api.__version__}")
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
