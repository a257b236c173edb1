"""crt.sh's root-program snapshots: the SQL files crt.sh runs to record a root program's
store on the day it imported it (``YYYYMMDD_PROGRAM.sql``, from the public
``crtsh/root_programs`` repository), as one dated series per program.

A file replaces a trust context's rows of crt.sh's ``root_trust_purpose`` table: each root
(named by the SHA-1 or SHA-256 of its certificate, whose bytes the file may carry through
``import_cert``) with the purposes the program trusts it for, a distrust-after date
(``NOTBEFORE_UNTIL``; for Chrome, which judges the SCT time, the SCT cut-off) and a date
from which the purpose is disabled (``DISABLED_FROM``; ``-infinity``: never trusted for it).
Purposes are crt.sh's ``trust_purpose`` rows: EKUs (ids 1 to 14, and 50 for kernel-mode
code signing), EV policies (ids 100 to 999, chosen by their policy OID), and the EU's
qualified website authentication (1000).

Every statement form the files use is understood, evaluated as PostgreSQL would against
crt.sh's tables, and anything else refuses the file (with its line): trust data fails
closed. A file is dated by its name (the day crt.sh imported it, precision day). Per root,
the model of :class:`~trustgraph.ingest.listed.ListedAnchor` holds what the file says: the
purposes in force on the file's day (those disabled by then left out), one distrust-after
date with the purposes it applies to, and a disabled date shared by every purpose; a
purpose disabled from a later day than the others is kept in the entry's attributes
(``purpose_disabled_from``) and counts as disabled from the next snapshot on. EV policies
are kept as attributes (``ev_policies``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from trustgraph.core.reading import InputRefused, read_bounded
from trustgraph.errors import InputError
from trustgraph.ingest.archive import archive_members, archive_names, is_archive
from trustgraph.ingest.listed import ListedAnchor, StoreVersion
from trustgraph.ingest.sources import Occurrence

SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
QWAC = "0.4.0.194112.1.4"
EKU_PURPOSES: dict[int, str] = {
    1: SERVER_AUTH,
    2: "1.3.6.1.5.5.7.3.2",
    3: "1.3.6.1.5.5.7.3.4",
    4: "1.3.6.1.5.5.7.3.3",
    5: "1.3.6.1.5.5.7.3.8",
    6: "1.3.6.1.5.5.7.3.9",
    7: "1.3.6.1.4.1.311.10.3.12",
    8: "1.3.6.1.4.1.311.10.3.4",
    9: "1.3.6.1.5.5.7.3.5",
    10: "1.3.6.1.5.5.8.2.2",
    11: "1.3.6.1.5.5.7.3.6",
    12: "1.3.6.1.5.5.7.3.7",
    14: "1.2.840.113583.1.1.5",
    50: "1.3.6.1.5.5.7.3.3",
    1000: QWAC,
}
"""crt.sh's trust purposes that are not EV policies, by id, as OIDs (50 is kernel-mode code
signing, whose OID is code signing's; 1000 is the EU's qualified website authentication)."""
EV_IDS = range(100, 1000)

PROGRAMS: dict[str, tuple[str, int]] = {
    "microsoft_authroot": ("microsoft", 1),
    "mozilla_certdata": ("mozilla", 5),
    "chrome_rootstore": ("chrome", 6),
    "apple_securitycertificates": ("apple", 12),
    "cisco_bundle": ("cisco", 13),
    "android_cacertificates": ("android", 17),
    "java_cacerts": ("java", 23),
    "gmail_smimeroots": ("gmail", 26),
    "eutl_qwacs": ("eutl-qwac", 27),
}
"""crt.sh's file name of a program -> (trustgraph's name of the program, crt.sh's trust
context id)."""
SCT_CUTOFF_PROGRAMS = frozenset({"chrome"})
"""Programs whose NOTBEFORE_UNTIL is a cut-off on SCT time, not on notBefore."""

_FILE = re.compile(r"(\d{4})(\d{2})(\d{2})_([a-z_]+?)(?:_(\d[\w.]*))?\.sql")
MAX_FILES = 5_000
MAX_FILE_BYTES = 64 << 20


def looks_like_crtsh(names: list[str]) -> bool:
    """Whether an archive's or folder's file names are crt.sh's root-program files."""
    return any(_FILE.fullmatch(PurePosixPath(name).name) for name in names)


@dataclass(frozen=True)
class ProgramFile:
    """One file of a program's series: its program, day and version (Java's release)."""

    name: str
    program: str
    context: int
    as_of: str
    version: str | None


def program_file(name: str) -> ProgramFile | None:
    """What a file name says (None: not a root-program file).

    Raises:
        InputError: a root-program file name of a program trustgraph does not know.
    """
    found = _FILE.fullmatch(PurePosixPath(name).name)
    if found is None:
        return None
    year, month, day, stem, version = found.groups()
    if stem not in PROGRAMS:
        raise InputError(
            f"{name}: a root-program file of {stem!r}, a program trustgraph does not know "
            f"(known: {', '.join(sorted(PROGRAMS))})"
        )
    program, context = PROGRAMS[stem]
    return ProgramFile(name, program, context, f"{year}-{month}-{day}T00:00:00Z", version)


def source_files(path: Path) -> Iterator[tuple[ProgramFile, bytes]]:
    """The root-program files of a crt.sh archive or folder (or one such file), with their
    bytes (other files, such as the licence, are skipped).

    Raises:
        InputError: the archive or a file cannot be read, a file names an unknown program,
            or there are too many files.
    """
    if is_archive(path):
        for name, data in archive_members(path):
            item = program_file(name)
            if item is not None:
                yield item, data
        return
    files = sorted(p for p in path.rglob("*.sql") if p.is_file()) if path.is_dir() else [path]
    if len(files) > MAX_FILES:
        raise InputError(f"{path}: more than {MAX_FILES} .sql files; refused")
    for file in files:
        item = program_file(str(file))
        if item is None:
            continue
        try:
            yield item, read_bounded(file, MAX_FILE_BYTES)
        except (InputRefused, OSError) as exc:
            raise InputError(f"{file}: cannot read: {exc}") from exc


def source_names(path: Path) -> list[str]:
    """The names of the files of a crt.sh archive or folder (to tell what it is).

    Raises:
        InputError: the archive cannot be read.
    """
    if is_archive(path):
        return archive_names(path)
    if not path.is_dir():
        return [path.name]
    return [str(p) for p in sorted(path.rglob("*.sql"))[:MAX_FILES]]


def read_programs(path: Path, programs: set[str] | None = None) -> dict[str, list[StoreVersion]]:
    """The dated series of each program (of ``programs``, or all) in a crt.sh archive or
    folder, oldest first.

    Raises:
        InputError: a file cannot be read or holds a statement trustgraph does not
            understand (the message names the file, the line and the reason).
    """
    series: dict[str, list[StoreVersion]] = {}
    for item, data in source_files(path):
        if programs is not None and item.program not in programs:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{item.name}: not UTF-8 text: {exc}") from exc
        series.setdefault(item.program, []).append(read_file_text(item, text))
    for versions in series.values():
        versions.sort(key=lambda v: (v.as_of, v.sequence or ""))
    return series


# -- statements -------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<space>\s+)|(?P<comment>--[^\n]*)
    |(?P<estring>[Ee]'(?:[^'\\]|\\.|'')*')|(?P<string>'(?:[^']|'')*')
    |(?P<number>\d+(?:\.\d+)*)|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)
    |(?P<op>::|<=|>=|!=|<>|[(),=<>;*-])""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    line: int


def statements(text: str, label: str) -> Iterator[list[Token]]:
    """The statements of a SQL file as lists of tokens (comments and space left out).

    Raises:
        InputError: a character no token starts with, or a statement without its ``;``.
    """
    current: list[Token] = []
    line, position = 1, 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise InputError(f"{label}:{line}: unexpected character {text[position]!r}")
        kind, value = match.lastgroup or "", match.group()
        if kind == "op" and value == ";":
            if current:
                yield current
            current = []
        elif kind not in ("space", "comment"):
            current.append(Token(kind, value, line))
        line += value.count("\n")
        position = match.end()
    if current:
        raise InputError(f"{label}:{current[0].line}: the last statement has no ';'")


class _Stream:
    """A statement's tokens, read one by one with the expectations of this grammar."""

    def __init__(self, tokens: list[Token], label: str) -> None:
        self.tokens, self.label, self.index = tokens, label, 0

    def error(self, reason: str) -> InputError:
        token = self.tokens[min(self.index, len(self.tokens) - 1)]
        return InputError(f"{self.label}:{token.line}: {reason}; trustgraph refuses the file")

    def peek(self, offset: int = 0) -> Token | None:
        at = self.index + offset
        return self.tokens[at] if at < len(self.tokens) else None

    def word(self, *expected: str) -> str:
        """The next token, which must be one of ``expected`` (any, when none is given)."""
        token = self.peek()
        if token is None:
            raise self.error(f"the statement ends where {' or '.join(expected)} was expected")
        if expected and token.text.upper() not in {e.upper() for e in expected}:
            raise self.error(f"{token.text!r} where {' or '.join(expected)} was expected")
        self.index += 1
        return token.text

    def accept(self, *expected: str) -> bool:
        token = self.peek()
        if token is not None and token.text.upper() in {e.upper() for e in expected}:
            self.index += 1
            return True
        return False

    def number(self) -> int:
        token = self.peek()
        if token is None or token.kind != "number" or not token.text.isdecimal():
            raise self.error("a whole number was expected")
        self.index += 1
        return int(token.text)

    def string(self) -> str:
        token = self.peek()
        if token is None or token.kind != "string":
            raise self.error("a quoted string was expected")
        self.index += 1
        return token.text[1:-1].replace("''", "'")

    def end(self) -> None:
        if self.peek() is not None:
            raise self.error(f"{self.tokens[self.index].text!r} after the end of the statement")


def _bytes(stream: _Stream) -> bytes:
    """A bytea literal: ``E'\\\\x<hex>'`` or ``decode('<base64>', 'base64')``."""
    token = stream.peek()
    if token is not None and token.kind == "estring":
        stream.index += 1
        body = token.text[2:-1].replace("\\\\", "\\")
        if not body.startswith("\\x"):
            raise stream.error("a bytea literal that is not hex")
        try:
            return bytes.fromhex(body[2:])
        except ValueError as exc:
            raise stream.error(f"a bytea literal that is not hex ({exc})") from exc
    stream.word("decode")
    stream.word("(")
    text = stream.string()
    stream.word(",")
    if stream.string() != "base64":
        raise stream.error("decode of something other than base64")
    stream.word(")")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise stream.error(f"base64 that does not decode ({exc})") from exc


def _time(stream: _Stream) -> str | None:
    """A timestamp value: NULL, a quoted ISO time (cast or not), or ``'-infinity'``."""
    if stream.accept("NULL"):
        return None
    text = stream.string()
    if stream.accept("::"):
        stream.word("timestamp", "date")
    if text == "-infinity":
        return NEVER
    found = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}:\d{2}))?Z?", text)
    if found is None:
        raise stream.error(f"{text!r} is not a time")
    return f"{found.group(1)}T{found.group(2) or '00:00:00'}Z"


NEVER = "-infinity"
"""DISABLED_FROM of a purpose the root was never trusted for."""


@dataclass
class _Row:
    """One row the file inserts: a root, a purpose and its two dates."""

    digest: tuple[str, bytes] | None
    """(algorithm, value) of the root's certificate; None with ``certificate``."""
    certificate: bytes | None
    purpose: int | str
    """An id of crt.sh's purposes, or an EV policy OID."""
    disabled_from: str | None
    notbefore_until: str | None


@dataclass
class _File:
    """What a file's statements say, as they are evaluated."""

    item: ProgramFile
    label: str
    certificates: dict[bytes, int] = field(default_factory=dict)
    """DER -> line of its import_cert."""
    rows: list[_Row] = field(default_factory=list)
    cleared: bool = False


def _evaluate(tokens: list[Token], state: _File) -> None:
    """Apply one statement to ``state``.

    Raises:
        InputError: a statement form trustgraph does not understand.
    """
    stream = _Stream(tokens, state.label)
    head = stream.word().upper()
    if head in ("BEGIN", "COMMIT"):
        stream.word("WORK")
    elif head == "LOCK":
        stream.word("TABLE")
        stream.word("root_trust_purpose")
    elif head == "DELETE":
        _delete(stream, state)
    elif head == "SELECT":
        stream.word("import_cert")
        stream.word("(")
        state.certificates.setdefault(_bytes(stream), tokens[0].line)
        stream.word(")")
    elif head == "UPDATE":
        _ct_log_update(stream)
    elif head == "INSERT":
        _insert(stream, state)
    else:
        stream.index = 0
        raise stream.error(f"a statement of a kind trustgraph does not know ({head})")
    stream.end()


def _delete(stream: _Stream, state: _File) -> None:
    """``DELETE FROM root_trust_purpose WHERE TRUST_CONTEXT_ID = N [AND TRUST_PURPOSE_ID
    (< | !=) M]``: the file replaces the program's rows (those of some purposes)."""
    stream.word("FROM")
    stream.word("root_trust_purpose")
    stream.word("WHERE")
    stream.word("TRUST_CONTEXT_ID")
    stream.word("=")
    _context(stream, state, stream.number())
    if stream.accept("AND"):
        stream.word("TRUST_PURPOSE_ID")
        stream.word("<", "!=")
        stream.number()
    state.cleared = True


def _context(stream: _Stream, state: _File, context: int) -> None:
    if context != state.item.context:
        raise stream.error(
            f"trust context {context} in a file of {state.item.program} (context "
            f"{state.item.context})"
        )


def _ct_log_update(stream: _Stream) -> None:
    """``UPDATE ct_log SET MICROSOFT_INCLUSION_STATUS = ... [WHERE digest(PUBLIC_KEY,
    'sha256') IN (...)]``: Microsoft's CT log statuses, not trust in roots."""
    stream.word("ct_log")
    stream.word("SET")
    stream.word("MICROSOFT_INCLUSION_STATUS")
    stream.word("=")
    if not stream.accept("NULL"):
        stream.string()
    if stream.accept("WHERE"):
        stream.word("digest")
        stream.word("(")
        stream.word("PUBLIC_KEY")
        stream.word(",")
        stream.string()
        stream.word(")")
        stream.word("IN")
        stream.word("(")
        _bytes(stream)
        while stream.accept(","):
            _bytes(stream)
        stream.word(")")


_COLUMNS = ("CERTIFICATE_ID", "TRUST_CONTEXT_ID", "TRUST_PURPOSE_ID")
_DATES = ("DISABLED_FROM", "NOTBEFORE_UNTIL")


def _insert(stream: _Stream, state: _File) -> None:
    """``INSERT INTO root_trust_purpose (columns) SELECT values [FROM ...] [WHERE ...]``."""
    if not state.cleared:
        raise stream.error("rows inserted before the program's rows are cleared")
    stream.word("INTO")
    stream.word("root_trust_purpose")
    stream.word("(")
    columns = [stream.word().upper()]
    while stream.accept(","):
        columns.append(stream.word().upper())
    stream.word(")")
    if tuple(columns[:3]) != _COLUMNS or any(c not in _DATES for c in columns[3:]):
        raise stream.error(f"columns {', '.join(columns)} are not a form trustgraph knows")
    stream.word("SELECT")
    certificate, source = _certificate_value(stream)
    stream.word(",")
    context = stream.word()
    stream.word(",")
    purpose = stream.word()
    dates = {}
    for column in columns[3:]:
        stream.word(",")
        dates[column] = _time(stream)
    tables = _from(stream)
    conditions = _where(stream)
    if source == "copy":
        _copy_rows(stream, state, context, purpose, tables, conditions)
        return
    if context.isdecimal():
        _context(stream, state, int(context))
    else:
        raise stream.error(f"{context!r} as the trust context")
    for chosen in _purposes(stream, purpose, tables, conditions):
        state.rows.append(
            _Row(
                _digest(stream, certificate, tables, conditions),
                certificate,
                chosen,
                dates.get("DISABLED_FROM"),
                dates.get("NOTBEFORE_UNTIL"),
            )
        )


def _certificate_value(stream: _Stream) -> tuple[bytes | None, str]:
    """The first value: ``c.ID`` (a certificate found by digest), ``import_cert(bytes)``
    or ``rtp.CERTIFICATE_ID`` (every root already inserted)."""
    if stream.accept("c.ID"):
        return None, "digest"
    if stream.accept("rtp.CERTIFICATE_ID"):
        return None, "copy"
    stream.word("import_cert")
    stream.word("(")
    value = _bytes(stream)
    stream.word(")")
    return value, "bytes"


def _from(stream: _Stream) -> set[str]:
    """The tables of a FROM clause: ``certificate c``, ``trust_purpose tp``,
    ``root_trust_purpose rtp``."""
    tables: set[str] = set()
    if not stream.accept("FROM"):
        return tables
    while True:
        table, alias = stream.word(), stream.word()
        if (table, alias) not in (
            ("certificate", "c"),
            ("trust_purpose", "tp"),
            ("root_trust_purpose", "rtp"),
        ):
            raise stream.error(f"FROM {table} {alias} is not a form trustgraph knows")
        tables.add(alias)
        if not stream.accept(","):
            return tables


@dataclass
class _Conditions:
    digest: tuple[str, bytes] | None = None
    id_at_most: int | None = None
    id_not: int | None = None
    oids: set[str] | None = None
    copied_context: int | None = None


def _where(stream: _Stream) -> _Conditions:
    """The conditions of a WHERE clause, joined by AND, each perhaps in parentheses."""
    found = _Conditions()
    if not stream.accept("WHERE"):
        return found
    while True:
        opened = stream.accept("(")
        _condition(stream, found)
        if opened:
            stream.word(")")
        if not stream.accept("AND"):
            return found


def _condition(stream: _Stream, found: _Conditions) -> None:
    if stream.accept("digest"):
        stream.word("(")
        stream.word("c.CERTIFICATE")
        stream.word(",")
        algorithm = stream.string()
        if algorithm not in ("sha1", "sha256"):
            raise stream.error(f"a digest by {algorithm!r}")
        stream.word(")")
        stream.word("=")
        found.digest = (algorithm, _bytes(stream))
    elif stream.accept("tp.ID"):
        operator = stream.word("<=", "!=")
        if operator == "<=":
            found.id_at_most = stream.number()
        else:
            found.id_not = stream.number()
    elif stream.accept("tp.PURPOSE_OID"):
        if stream.accept("="):
            found.oids = {stream.string()}
        else:
            stream.word("IN")
            stream.word("(")
            found.oids = {stream.string()}
            while stream.accept(","):
                found.oids.add(stream.string())
            stream.word(")")
    elif stream.accept("rtp.TRUST_CONTEXT_ID"):
        stream.word("=")
        found.copied_context = stream.number()
    else:
        raise stream.error("a condition trustgraph does not know")


def _purposes(
    stream: _Stream, purpose: str, tables: set[str], conditions: _Conditions
) -> list[int | str]:
    """The purposes a statement inserts: a literal id, or crt.sh's purposes that the
    conditions select (EKUs by id and OID; any other OID is an EV policy, whose ids are
    100 to 999)."""
    if purpose.isdecimal():
        if int(purpose) not in EKU_PURPOSES:
            raise stream.error(f"trust purpose {purpose}, which trustgraph does not know")
        return [int(purpose)]
    if purpose != "tp.ID" or "tp" not in tables:
        raise stream.error(f"{purpose!r} as the trust purpose")
    chosen: list[int | str] = []
    for number, oid in sorted(EKU_PURPOSES.items()):
        if _selected(number, oid, conditions):
            chosen.append(number)
    for oid in sorted(conditions.oids or ()):
        ev = conditions.id_at_most is None or conditions.id_at_most >= EV_IDS.start
        if ev and oid not in EKU_PURPOSES.values():
            chosen.append(oid)
    return chosen


def _selected(number: int, oid: str, conditions: _Conditions) -> bool:
    if conditions.id_at_most is not None and number > conditions.id_at_most:
        return False
    if conditions.id_not is not None and number == conditions.id_not:
        return False
    return conditions.oids is None or oid in conditions.oids


def _digest(
    stream: _Stream, certificate: bytes | None, tables: set[str], conditions: _Conditions
) -> tuple[str, bytes] | None:
    if certificate is not None:
        if conditions.digest is not None:
            raise stream.error("a root given both by its bytes and by a digest")
        return None
    if "c" not in tables or conditions.digest is None:
        raise stream.error("a root chosen without a digest of its certificate")
    return conditions.digest


def _copy_rows(
    stream: _Stream,
    state: _File,
    context: str,
    purpose: str,
    tables: set[str],
    conditions: _Conditions,
) -> None:
    """``SELECT rtp.CERTIFICATE_ID, rtp.TRUST_CONTEXT_ID, N FROM root_trust_purpose rtp
    WHERE rtp.TRUST_CONTEXT_ID = C``: every root of the program gains purpose N."""
    if tables != {"rtp"} or context != "rtp.TRUST_CONTEXT_ID" or not purpose.isdecimal():
        raise stream.error("a copy of the program's roots in a form trustgraph does not know")
    if conditions.copied_context is None:
        raise stream.error("a copy of every program's roots")
    _context(stream, state, conditions.copied_context)
    number = int(purpose)
    if number not in EKU_PURPOSES:
        raise stream.error(f"trust purpose {purpose}, which trustgraph does not know")
    roots = {(row.digest, row.certificate): row for row in state.rows}
    for row in roots.values():
        state.rows.append(_Row(row.digest, row.certificate, number, None, None))


# -- a file as a store version ----------------------------------------------------------


def read_file_text(item: ProgramFile, text: str) -> StoreVersion:
    """One program file as a store version dated by its name.

    Raises:
        InputError: a statement trustgraph does not understand, a file that does not clear
            its program's rows first, or a root named by a digest the file's own
            certificates contradict.
    """
    state = _File(item, item.name)
    for tokens in statements(text, item.name):
        _evaluate(tokens, state)
    if not state.cleared:
        raise InputError(
            f"{item.name}: the file never clears its program's rows (no DELETE FROM "
            "root_trust_purpose): not a snapshot of a whole store; refused"
        )
    return _version(state)


def _version(state: _File) -> StoreVersion:
    by_sha1 = {hashlib.sha1(der).digest(): der for der in state.certificates}
    by_sha256 = {hashlib.sha256(der).digest(): der for der in state.certificates}
    grouped: dict[tuple[str, str], list[_Row]] = {}
    for row in state.rows:
        key = _root_key(row, by_sha1, by_sha256)
        grouped.setdefault(key, []).append(row)
    anchors = [_anchor(key, rows, state.item) for key, rows in sorted(grouped.items())]
    certificates = [
        Occurrence(der, f"{state.item.name}:{line}") for der, line in state.certificates.items()
    ]
    return StoreVersion(
        state.item.as_of,
        state.item.name,
        anchors,
        sequence=state.item.version,
        description=f"crt.sh's {state.item.program} snapshot",
        certificates=list(certificates),
    )


def _root_key(
    row: _Row, by_sha1: dict[bytes, bytes], by_sha256: dict[bytes, bytes]
) -> tuple[str, str]:
    """(sha256 or sha1, hex) of a row's root: its SHA-256 when the file carries its bytes."""
    if row.certificate is not None:
        return "sha256", hashlib.sha256(row.certificate).hexdigest()
    assert row.digest is not None
    algorithm, value = row.digest
    der = (by_sha1 if algorithm == "sha1" else by_sha256).get(value)
    if der is not None:
        return "sha256", hashlib.sha256(der).hexdigest()
    return algorithm, value.hex()


def _anchor(key: tuple[str, str], rows: list[_Row], item: ProgramFile) -> ListedAnchor:
    """A root's entry from its rows (see the module's docstring)."""
    day = item.as_of
    ekus: dict[str, tuple[str | None, str | None]] = {}
    ev: set[str] = set()
    for row in rows:
        if isinstance(row.purpose, str):
            ev.add(row.purpose)
            continue
        oid = EKU_PURPOSES[row.purpose]
        if oid not in ekus or row.purpose != 50:  # kernel-mode code signing shares its OID
            ekus[oid] = (row.disabled_from, row.notbefore_until)
    trusted = {
        oid: dates
        for oid, dates in ekus.items()
        if dates[0] is None or (dates[0] != NEVER and dates[0] > day)
    }
    disabled = {dates[0] for dates in trusted.values()}
    attributes: dict[str, Any] = {}
    disabled_from = None
    if len(disabled) == 1:
        disabled_from = next(iter(disabled))
    elif disabled - {None}:
        attributes["purpose_disabled_from"] = {
            oid: dates[0] for oid, dates in sorted(trusted.items()) if dates[0] is not None
        }
    cutoffs = {dates[1] for dates in trusted.values() if dates[1] is not None}
    if len(cutoffs) > 1:
        raise InputError(
            f"{item.name}: root {key[1]} has several NOTBEFORE_UNTIL dates ({sorted(cutoffs)}); "
            "trustgraph holds one per root, so it refuses the file"
        )
    cutoff = next(iter(cutoffs), None)
    cut_purposes = frozenset(oid for oid, dates in trusted.items() if dates[1] is not None)
    if ev:
        attributes["ev_policies"] = sorted(ev)
    never = sorted(oid for oid, dates in ekus.items() if oid not in trusted)
    if never:
        attributes["purposes_disabled"] = never
    sct = item.program in SCT_CUTOFF_PROGRAMS
    return ListedAnchor(
        sha256=key[1] if key[0] == "sha256" else None,
        sha1=key[1] if key[0] == "sha1" else None,
        purposes=frozenset(trusted),
        distrust_after=None if sct else cutoff,
        distrust_purposes=None if sct or cut_purposes == frozenset(trusted) else cut_purposes,
        disabled_from=disabled_from,
        sct_not_after=cutoff if sct else None,
        attributes=attributes,
    )
