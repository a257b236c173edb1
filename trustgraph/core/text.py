"""Certificate text made safe to show. Names, labels and extension values come from
certificates and are attacker-controlled: a terminal must not receive their escape sequences
(clear screen, cursor moves, window titles) or bidirectional overrides (text that reads
differently from what it is), a Markdown report must not turn them into markup, and a
spreadsheet must not run them as formulas.

It also finds the names nearest a mistyped one ("did you mean").

Control characters (C0, DEL, C1), the line and paragraph separators (U+2028, U+2029) and
the bidirectional and zero-width format characters are shown as visible escapes (``\\x1b``,
``\\n``, ``\\u202e``), so what is shown is still exactly what the certificate says, and a
name cannot start a new line that reads as a row or message of its own.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable

_HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#!])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control and bidirectional characters shown as escapes (newlines and
    tabs too, unless ``keep_newlines``: only for trustgraph's own text of several lines)."""
    escaped = _HIDDEN.sub(_escape, text)
    if keep_newlines:
        return escaped
    return escaped.replace("\n", "\\n").replace("\t", "\\t")


def markdown_text(text: str) -> str:
    """``text`` for a Markdown paragraph or table cell: hidden characters escaped, markup
    characters backslash-escaped, ``&`` as an entity, white space folded to single spaces
    (a line break would end a table row)."""
    folded = " ".join(printable(text, keep_newlines=False).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", folded.replace("&", "&amp;"))


def csv_cell(value: object) -> object:
    """A CSV cell that no spreadsheet reads as a formula: text starting with ``=``, ``+``,
    ``-``, ``@``, tab or carriage return gets a leading apostrophe (OWASP's advice);
    numbers and empty cells are kept as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def did_you_mean(
    text: str,
    candidates: Iterable[str],
    normalise: Callable[[str], str] = str.casefold,
    cutoff: float = 0.6,
    count: int = 3,
) -> str:
    """``" (did you mean 'A' or 'B'?)"`` for the candidates nearest ``text`` once both are
    normalised, or an empty string when none is near."""
    by_form: dict[str, str] = {}
    for candidate in sorted(candidates):
        by_form.setdefault(normalise(candidate), candidate)
    near = difflib.get_close_matches(normalise(text), list(by_form), n=count, cutoff=cutoff)
    if not near:
        return ""
    return " (did you mean " + " or ".join(repr(by_form[form]) for form in near) + "?)"
