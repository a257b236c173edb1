"""What a query's parameters may be, shared by every layer: the purposes a path is judged
for and the bounds of a path search."""

from __future__ import annotations

import enum

DEFAULT_MAX_DEPTH = 8
MOST_MAX_DEPTH = 64
"""The deepest search a query may ask for: far beyond any real chain (the longest in the
Web PKI are under ten certificates), and still a bound."""
DEFAULT_MAX_PATHS = 1000
DEFAULT_TIMEOUT = 30.0
MOST_TIMEOUT = 86_400.0
"""The longest time budget a search may be given (a day)."""


class Purpose(enum.StrEnum):
    ANY = "any"
    SERVER_AUTH = "serverAuth"
