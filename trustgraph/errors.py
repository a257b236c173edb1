"""The exceptions trustgraph raises, in one place.

::

    TrustgraphError
    ├── InputError            an input file, row or certificate cannot be used
    │   └── CertificateParseError   bytes that no parser reads as an X.509 certificate
    ├── DatabaseError         the database file is missing, foreign or of another schema
    ├── TargetError           a query target matches nothing
    │   └── AmbiguousTargetError    a query target matches several CAs (``candidates``)
    ├── UsageError            a parameter is out of range or inconsistent
    ├── OutputError           a file cannot be written where it was asked for
    └── Neo4jError            Neo4j could not be reached, or refused a statement

The CLI prints the message of each on one line (and each of its ``details``, a line each)
and exits 2 for all of them but ``Neo4jError`` (exit 1: the server, not the request,
failed).

An error about a parameter names it (``parameter``, the value in ``value``): its message
says the library's name for it, and :meth:`TrustgraphError.naming` says it another way
(the command line's flag).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


class TrustgraphError(Exception):
    """Base class of every error trustgraph raises on purpose; ``details`` are further
    lines about it (each problem of a file, say).

    ``message`` may name parameters as ``{name}`` for each name of ``parameters`` (the
    first is the one at fault, ``parameter``; ``value`` is what it was given): the message
    shows the name itself, :meth:`naming` another spelling of it.
    """

    def __init__(
        self,
        message: str = "",
        details: Sequence[str] = (),
        *,
        parameters: Sequence[str] = (),
        value: Any = None,
    ) -> None:
        self.template = message
        self.parameters = tuple(parameters)
        self.parameter = self.parameters[0] if self.parameters else None
        self.value = value
        super().__init__(self.naming(str))
        self.details = list(details)

    def naming(self, name: Callable[[str], str]) -> str:
        """The message with each parameter called ``name(parameter)``."""
        text = self.template
        for parameter in self.parameters:
            text = text.replace("{" + parameter + "}", name(parameter))
        return text


class InputError(TrustgraphError):
    """An input (file, CSV row, PEM block) cannot be used; the message names it."""


class CertificateParseError(InputError):
    """Bytes that neither ``cryptography`` nor ``asn1crypto`` read as an X.509 certificate."""


class DatabaseError(TrustgraphError):
    """The database cannot be opened, or it was written by an incompatible version."""


class TargetError(TrustgraphError):
    """A query target (fingerprint, CA id or name) matches nothing in the database."""


class AmbiguousTargetError(TargetError):
    """A query target matches several CAs; ``candidates`` lists them for the user."""

    def __init__(
        self,
        message: str,
        candidates: Sequence[dict[str, Any]],
        *,
        parameters: Sequence[str] = ("target",),
        value: Any = None,
    ) -> None:
        super().__init__(message, parameters=parameters, value=value)
        self.candidates = list(candidates)


class UsageError(TrustgraphError):
    """A parameter is malformed, out of range, or contradicts another one."""


class OutputError(TrustgraphError):
    """A file cannot be written (missing folder, read-only place, full disk); the message
    names it. Nothing was left half-written."""


class Neo4jError(TrustgraphError):
    """Neo4j could not be reached, or refused a statement; the message says which."""
