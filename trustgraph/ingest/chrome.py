"""The Chrome Root Store's ``root_store.textproto`` (Chromium's
``net/data/ssl/chrome_root_store``): a text protobuf listing trust anchors by SHA-256.

Each ``trust_anchors { ... }`` block names a root by ``sha256_hex`` and may carry
``constraints { ... }`` sets. A set holds when every field it has holds; an anchor with sets
is trusted when one of them holds. Fields: ``sct_not_after_sec`` (the leaf must have an SCT
no later than it: partial distrust), ``sct_all_after_sec``, ``min_version`` and
``max_version_exclusive`` (of Chrome), ``permitted_dns_names``. trustgraph answers for the
newest Chrome: sets limited to older versions (``max_version_exclusive``) are kept as facts
but do not apply (an anchor with no other set is not trusted), and of the sets that do, the
most permissive SCT cut-off is used. ``permitted_dns_names`` limits an anchor to names, which
CA-level questions cannot judge: it is kept as a fact and the anchor counts as trusted.
``additional_certs`` blocks are anchors only with ``tls_trust_anchor: true``; the others are
reported. The file carries no date: the snapshot is dated by the user.

Trust data fails closed: a file that is not well-formed text protobuf, an anchor without a
valid fingerprint, a constraint field trustgraph does not know, or an SCT time that is no
time is an error for the file. So is a file far from a root store's shape (blocks nested
deeper than :data:`MAX_DEPTH`, more than :data:`MAX_TOKENS` tokens, a string longer than
:data:`MAX_STRING`), which keeps the work and memory of a hostile file bounded (the real file
has about 20,000 tokens, nested 3 deep).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trustgraph.core.times import iso
from trustgraph.errors import InputError
from trustgraph.ingest.listed import ListedAnchor, StoreVersion
from trustgraph.ingest.sources import read_input

_TOKEN = re.compile(
    r"""(?P<space>[ \t\r]+)|(?P<newline>\n)|(?P<comment>\#[^\n]*)
    |(?P<string>"[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\\\n]*(?:\\.[^'\\\n]*)*')
    |(?P<name>[A-Za-z_][A-Za-z0-9_.]*)|(?P<number>[-+]?[0-9][0-9A-Za-z_.+-]*)
    |(?P<punct>[{}:;,<>\[\]])""",
    re.VERBOSE,
)
CONSTRAINT_FIELDS = frozenset(
    {
        "sct_not_after_sec",
        "sct_all_after_sec",
        "min_version",
        "max_version_exclusive",
        "permitted_dns_names",
    }
)
Value = str | int | list[tuple[str, Any, int]]
MAX_DEPTH = 32
MAX_TOKENS = 2_000_000
MAX_STRING = 65_536
_LAST_SECOND = int(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    line: int


def looks_like_textproto(head: str) -> bool:
    """Whether a file's first text looks like a Chrome Root Store textproto."""
    return "trust_anchors" in head and "sha256_hex" in head


def read_textproto_file(path: Path, as_of: str) -> StoreVersion:
    """A Chrome Root Store textproto as a store version dated ``as_of``.

    Raises:
        InputError: the file is unreadable or not a well-formed root store (the message
            names the file, the line and the reason).
    """
    data = read_input(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text: {exc}") from exc
    return read_textproto(text, str(path), as_of)


def read_textproto(text: str, label: str, as_of: str) -> StoreVersion:
    """See :func:`read_textproto_file`; ``label`` names the source in messages."""
    fields = _Parser(_tokens(text, label), label).message(top=True)
    anchors: list[ListedAnchor] = []
    not_anchors: list[dict[str, Any]] = []
    version: str | None = None
    for name, value, line in fields:
        if name == "version_major":
            version = str(value)
        elif name == "trust_anchors":
            anchors.append(_anchor(_block(value, name, label, line), label, line, as_of))
        elif name == "additional_certs":
            block = _block(value, name, label, line)
            if _scalar(block, "tls_trust_anchor") == "true":
                anchors.append(_anchor(block, label, line, as_of))
            else:
                not_anchors.append(
                    {
                        "sha256": _fingerprint(block, label, line),
                        "line": line,
                        "reason": "an additional certificate, not a trust anchor",
                    }
                )
    if not anchors:
        raise InputError(f"{label}: no trust_anchors blocks: not a Chrome Root Store")
    return StoreVersion(
        as_of,
        label,
        anchors,
        sequence=version,
        description="Chrome Root Store",
        not_anchors=not_anchors,
    )


def _block(value: Value, name: str, label: str, line: int) -> list[tuple[str, Any, int]]:
    if not isinstance(value, list):
        raise InputError(f"{label}:{line}: {name} is a value, not a block")
    return value


def _scalar(block: list[tuple[str, Any, int]], name: str) -> str | None:
    values = [str(value) for field, value, _line in block if field == name]
    return values[-1] if values else None


def _fingerprint(block: list[tuple[str, Any, int]], label: str, line: int) -> str:
    fingerprint = (_scalar(block, "sha256_hex") or "").lower()
    if not re.fullmatch(r"[0-9a-f]{64}", fingerprint):
        raise InputError(
            f"{label}:{line}: the entry has no valid sha256_hex "
            f"({fingerprint[:70]!r} is not 64 hexadecimal digits)"
        )
    return fingerprint


def _anchor(block: list[tuple[str, Any, int]], label: str, line: int, as_of: str) -> ListedAnchor:
    fingerprint = _fingerprint(block, label, line)
    sets = [
        _constraint_set(_block(value, field, label, at), label, at)
        for field, value, at in block
        if field == "constraints"
    ]
    attributes: dict[str, Any] = {}
    for field, value, _at in block:
        if field not in ("sha256_hex", "constraints"):
            attributes.setdefault(field, []).append(value)
    attributes = {key: _single(value) for key, value in attributes.items()}
    if sets:
        attributes["constraints"] = sets
    applying = [s for s in sets if "max_version_exclusive" not in s]
    return ListedAnchor(
        sha256=fingerprint,
        sct_not_after=_sct_cutoff(applying),
        # Every set limited to older Chrome versions: the newest Chrome trusts it for nothing.
        disabled_from=as_of if sets and not applying else None,
        attributes=attributes,
    )


def _single(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def _constraint_set(block: list[tuple[str, Any, int]], label: str, line: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for field, value, at in block:
        if field not in CONSTRAINT_FIELDS:
            raise InputError(
                f"{label}:{at}: unknown constraint {field!r}; trustgraph cannot judge it, "
                "so it refuses the file rather than trust the anchor without it"
            )
        if field == "permitted_dns_names":
            result.setdefault(field, []).append(str(value))
        elif field.endswith("_sec"):
            if not isinstance(value, int) or not 0 <= value <= _LAST_SECOND:
                raise InputError(
                    f"{label}:{at}: {field} is not a number of seconds since 1970 up to the "
                    "year 9999"
                )
            result[field] = value
        else:
            result[field] = str(value)
    if not result:
        raise InputError(f"{label}:{line}: an empty constraints block")
    return result


def _sct_cutoff(sets: list[dict[str, Any]]) -> str | None:
    """The SCT cut-off of the constraint sets that apply to the newest Chrome: the most
    permissive (None when there are none, or one of them has no SCT cut-off)."""
    if not sets:
        return None
    cutoffs = [s.get("sct_not_after_sec") for s in sets]
    if any(cutoff is None for cutoff in cutoffs):
        return None
    return iso(datetime.fromtimestamp(max(c for c in cutoffs if c is not None), UTC))


def _tokens(text: str, label: str) -> list[_Token]:
    """The tokens of ``text``, comments and white space left out.

    Raises:
        InputError: a character no token starts with, more than :data:`MAX_TOKENS` tokens,
            or a string longer than :data:`MAX_STRING`.
    """
    tokens: list[_Token] = []
    line, position = 1, 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise InputError(f"{label}:{line}: unexpected character {text[position]!r}")
        kind = match.lastgroup or ""
        if kind == "newline":
            line += 1
        elif kind not in ("space", "comment"):
            if kind == "string" and match.end() - match.start() > MAX_STRING:
                raise InputError(
                    f"{label}:{line}: a string of {match.end() - match.start()} characters, "
                    f"longer than any field of a root store (at most {MAX_STRING})"
                )
            tokens.append(_Token(kind, match.group(), line))
            if len(tokens) > MAX_TOKENS:
                raise InputError(
                    f"{label}:{line}: more than {MAX_TOKENS} tokens, far more than a root "
                    "store holds; refused"
                )
        position = match.end()
    return tokens


class _Parser:
    """A recursive-descent reader of text-format protobuf messages: fields are
    ``name: scalar`` or ``name [:] { ... }``."""

    def __init__(self, tokens: list[_Token], label: str) -> None:
        self.tokens, self.label, self.index = tokens, label, 0

    def _error(self, reason: str) -> InputError:
        line = self.tokens[min(self.index, len(self.tokens) - 1)].line if self.tokens else 1
        return InputError(f"{self.label}:{line}: not valid text protobuf: {reason}")

    def _peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def message(self, top: bool = False, depth: int = 0) -> list[tuple[str, Any, int]]:
        if depth > MAX_DEPTH:
            raise self._error(f"blocks nested more than {MAX_DEPTH} deep")
        fields: list[tuple[str, Any, int]] = []
        while (token := self._peek()) is not None:
            if token.text in ("}", ">"):
                if top:
                    raise self._error(f"unbalanced {token.text!r}")
                return fields
            if token.kind != "name":
                raise self._error(f"expected a field name, found {token.text!r}")
            self.index += 1
            fields.append((token.text, self._value(token.text, depth), token.line))
            if (after := self._peek()) is not None and after.text in (";", ","):
                self.index += 1
        if not top:
            raise self._error("a block is not closed (the file ends inside it)")
        return fields

    def _value(self, name: str, depth: int) -> Value:
        token = self._peek()
        colon = token is not None and token.text == ":"
        if colon:
            self.index += 1
            token = self._peek()
        if token is None:
            raise self._error(f"{name} has no value")
        if token.text in ("{", "<"):
            self.index += 1
            fields = self.message(depth=depth + 1)
            closing = self._peek()
            if closing is None or closing.text != ("}" if token.text == "{" else ">"):
                raise self._error(f"the block of {name} is not closed")
            self.index += 1
            return fields
        if not colon:
            raise self._error(f"expected ':' after {name}")
        self.index += 1
        if token.kind == "string":
            return _unquote(token.text, self.label, token.line)
        if token.kind == "number":
            try:
                return int(token.text, 0)
            except ValueError:
                return token.text
        if token.kind == "name":
            return token.text
        raise self._error(f"{token.text!r} is not a value of {name}")


def _unquote(text: str, label: str, line: int) -> str:
    body = text[1:-1]
    try:
        raw = body.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError as exc:
        raise InputError(f"{label}:{line}: a string with a bad escape: {exc}") from exc
    return raw if raw.isprintable() else raw.encode("latin-1", "replace").hex()
