"""Progress reporting for long operations, kept out of the library's logic.

The library calls a :class:`Progress`; the CLI passes one that draws a rich progress bar on
stderr (only when stderr is a terminal and ``--quiet`` is not given).
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, description: str, total: int | None) -> None: ...

    def advance(self, amount: int) -> None: ...

    def finish(self) -> None: ...


class NullProgress:
    """A progress sink that shows nothing."""

    def start(self, description: str, total: int | None) -> None:
        return None

    def advance(self, amount: int) -> None:
        return None

    def finish(self) -> None:
        return None
