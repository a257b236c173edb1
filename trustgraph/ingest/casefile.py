"""Case files: the facts of a PKI incident as TOML, each with its public source.

A case file holds owners and ownership, operator facts, trust-store snapshots (bundles next
to the file), certificates known by metadata (declared edges), revocations and distrust
rules. The format is documented in the README (section "Case files"); :func:`validate` reports every
problem with its line and field, and :func:`apply` loads a valid file into the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cryptography import x509

from trustgraph.core.progress import Progress
from trustgraph.core.reading import TomlError, read_toml
from trustgraph.core.times import iso
from trustgraph.errors import InputError
from trustgraph.ingest import facts, linking, stores
from trustgraph.ingest.declared import Declaration, declare
from trustgraph.storage.database import Database
from trustgraph.x509 import names
from trustgraph.x509.signatures import SIGNATURE_ALGORITHMS

FORMAT = 1
_FINGERPRINT = re.compile(r"^[0-9a-fA-F]{64}$")


class CaseFileError(InputError):
    """A case file that is not valid; ``problems`` lists every problem with its line."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(f"{path}: {len(problems)} problem(s) in the case file:", problems)
        self.problems = problems


Check = Callable[[Any], str | None]


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a non-empty string"


def _fingerprint(value: Any) -> str | None:
    if isinstance(value, str) and _FINGERPRINT.match(value.replace(":", "")):
        return None
    return "must be a SHA-256 fingerprint (64 hex digits)"


def _fingerprints(value: Any) -> str | None:
    if isinstance(value, list) and value and all(_fingerprint(v) is None for v in value):
        return None
    return "must be a non-empty list of SHA-256 fingerprints"


def _moment(value: Any) -> str | None:
    return None if to_iso(value) is not None else "must be a date (2016-10-21) or a date-time"


def _distinguished_name(value: Any) -> str | None:
    if not isinstance(value, str):
        return 'must be a distinguished name such as "CN=Example,O=Org,C=CN"'
    try:
        parse_dn(value)
    except ValueError as exc:
        return f"is not an RFC 4514 distinguished name ({exc})"
    return None


def _names(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return "must be a non-empty list of distinguished names"
    for item in value:
        problem = _distinguished_name(item)
        if problem:
            return f"entry {item!r} {problem}"
    return None


def _strings(value: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return None
    return "must be a list of strings"


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _serial(value: Any) -> str | None:
    if isinstance(value, str) and re.fullmatch(r"-?[0-9a-fA-F:]+", value):
        return None
    return "must be a hex serial number"


def _hash_name(value: Any) -> str | None:
    known = {h for _scheme, h in SIGNATURE_ALGORITHMS.values() if h}
    if value in known:
        return None
    return f"must be one of {', '.join(sorted(known))}"


# Per array of tables: field -> (required, check)
SCHEMA: dict[str, dict[str, tuple[bool, Check]]] = {
    "owners": {"name": (True, _text), "aliases": (False, _strings), "source": (True, _text)},
    "ownership": {
        "owner": (True, _text),
        "owned": (True, _text),
        "from": (False, _moment),
        "until": (False, _moment),
        "source": (True, _text),
    },
    "operators": {
        "owner": (True, _text),
        "organization": (False, _text),
        "certificates": (False, _fingerprints),
        "source": (True, _text),
    },
    "snapshots": {
        "store": (True, _text),
        "as_of": (True, _moment),
        "bundle": (True, _text),
        "description": (False, _text),
        "source": (True, _text),
    },
    "certificates": {
        "sha256": (True, _fingerprint),
        "subject": (True, _distinguished_name),
        "issuer": (True, _distinguished_name),
        "issued_by": (True, _fingerprint),
        "same_ca_as": (False, _fingerprint),
        "serial": (False, _serial),
        "not_before": (False, _moment),
        "not_after": (False, _moment),
        "ca": (False, _boolean),
        "signature_hash": (False, _hash_name),
        "source": (True, _text),
    },
    "revocations": {
        "sha256": (True, _fingerprint),
        "revoked_at": (False, _moment),
        "no_later_than": (False, _moment),
        "source": (True, _text),
        "note": (False, _text),
    },
    "distrust": {
        "store": (True, _text),
        "subjects": (True, _names),
        "not_before_after": (True, _moment),
        "effective": (True, _moment),
        "source": (True, _text),
        "note": (False, _text),
    },
}


def to_iso(value: Any) -> str | None:
    """A TOML date, date-time or ISO string as the database's ISO form (dates: midnight UTC)."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    else:
        return None
    return iso(moment)


def parse_dn(text: str) -> names.RDNSequence:
    """The RDNs of an RFC 4514 string (most specific RDN first, as printed by trustgraph).

    Raises:
        ValueError: the text is not a distinguished name.
    """
    name = x509.Name.from_rfc4514_string(text)
    if not name.rdns:
        raise ValueError("empty name")
    return names.rdns_from_der(name.public_bytes())


@dataclass
class CaseFile:
    path: Path
    data: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.data.get("case", {}).get("name", self.path.stem))

    def entries(self, table: str) -> list[dict[str, Any]]:
        value = self.data.get(table, [])
        return value if isinstance(value, list) else []

    def counts(self) -> dict[str, int]:
        """How many entries each table of the schema holds."""
        return {table: len(self.entries(table)) for table in SCHEMA}

    def citation(self, source_id: str) -> str:
        return f"{source_id}: {self.data.get('sources', {}).get(source_id, '')}".rstrip(": ")


def _line_of(text: str, table: str, index: int, key: str | None) -> int:
    """The line of ``key`` in the ``index``-th ``[[table]]`` (or of its header)."""
    lines = text.splitlines()
    header = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]\s*(#.*)?$")
    count = -1
    for number, line in enumerate(lines, start=1):
        if header.match(line):
            count += 1
            if count == index:
                if key is None:
                    return number
                field_re = re.compile(rf"^\s*{re.escape(key)}\s*=")
                for offset, inner in enumerate(lines[number:], start=number + 1):
                    if re.match(r"^\s*\[", inner):
                        break
                    if field_re.match(inner):
                        return offset
                return number
    return 1


def load(path: Path) -> CaseFile:
    """Parse and validate a case file.

    Raises:
        CaseFileError: the file is not valid TOML or breaks the format; every problem is
            listed with its line.
        InputError: the file cannot be read.
    """
    try:
        text, data = read_toml(path)
    except TomlError as exc:
        raise CaseFileError(path, [str(exc)]) from exc
    problems = validate(path, text, data)
    if problems:
        raise CaseFileError(path, problems)
    return CaseFile(path, data)


def validate(path: Path, text: str, data: dict[str, Any]) -> list[str]:
    """Every problem of a parsed case file, each as ``FILE:LINE: [[table]] #N field: why``."""
    problems: list[str] = []
    if data.get("format") != FORMAT:
        problems.append(f"{path}:1: format must be {FORMAT} (found {data.get('format')!r})")
    case = data.get("case", {})
    if not isinstance(case, dict):
        problems.append(f"{path}:{_line_of(text, 'case', 0, None)}: [case] must be a table")
    elif any(not isinstance(value, str) for value in case.values()):
        problems.append(f"{path}:{_line_of(text, 'case', 0, None)}: [case] fields must be strings")
    sources = data.get("sources", {})
    if not isinstance(sources, dict):
        problems.append(f"{path}:{_line_of(text, 'sources', 0, None)}: [sources] must be a table")
        sources = {}
    for table in data:
        if table not in SCHEMA and table not in ("format", "case", "sources"):
            problems.append(
                f"{path}:1: unknown section {table!r}; known: "
                f"{', '.join(['case', 'sources', *SCHEMA])}"
            )
    for table, spec in SCHEMA.items():
        entries = data.get(table, [])
        if not isinstance(entries, list):
            problems.append(f"{path}:1: {table} must be an array of tables ([[{table}]])")
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                problems.append(
                    f"{path}:{_line_of(text, table, index, None)}: {table} #{index + 1} must be "
                    f"a table ([[{table}]])"
                )
                continue
            problems.extend(_entry_problems(path, text, table, index, entry, spec, sources))
    return problems


def _entry_problems(
    path: Path,
    text: str,
    table: str,
    index: int,
    entry: dict[str, Any],
    spec: dict[str, tuple[bool, Check]],
    sources: dict[str, Any],
) -> list[str]:
    found = []

    def say(key: str | None, message: str) -> None:
        found.append(
            f"{path}:{_line_of(text, table, index, key)}: [[{table}]] #{index + 1}"
            + (f" field {key!r}" if key else "")
            + f": {message}"
        )

    for key, (required, check) in spec.items():
        if key not in entry:
            if required:
                say(None, f"missing required field {key!r}")
            continue
        problem = check(entry[key])
        if problem:
            say(key, problem)
    for key in entry:
        if key not in spec:
            say(key, f"unknown field; known fields: {', '.join(spec)}")
    source = entry.get("source")
    if isinstance(source, str) and source not in sources:
        say("source", f"source {source!r} is not listed in [sources]")
    if table == "operators" and not ("organization" in entry or "certificates" in entry):
        say(None, "give organization (subject O=) or certificates")
    if table == "revocations" and not ("revoked_at" in entry or "no_later_than" in entry):
        say(None, "give revoked_at, or no_later_than when the date is unknown")
    return found


@dataclass
class CaseReport:
    case: str
    counts: dict[str, int] = field(default_factory=dict)
    snapshots: list[stores.SnapshotReport] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "counts": self.counts,
            "snapshots": [s.as_dict() for s in self.snapshots],
        }


def apply(db: Database, case: CaseFile, progress: Progress | None = None) -> CaseReport:
    """Load a validated case file into ``db``, all of it or (on an error) nothing.

    Raises:
        InputError: a snapshot bundle named by the case file cannot be read.
        DatabaseError: the database cannot be written.
    """
    report = CaseReport(case.name)
    with db.transaction():
        _apply_facts(db, case, report, progress)
    report.counts = {table: len(case.entries(table)) for table in SCHEMA}
    return report


def _apply_facts(
    db: Database, case: CaseFile, report: CaseReport, progress: Progress | None
) -> None:
    for entry in case.entries("owners"):
        facts.record_owner(
            db, entry["name"], entry.get("aliases", []), case.citation(entry["source"])
        )
    for entry in case.entries("ownership"):
        facts.record_ownership(
            db,
            entry["owner"],
            entry["owned"],
            to_iso(entry.get("from")),
            to_iso(entry.get("until")),
            case.citation(entry["source"]),
        )
    for entry in case.entries("operators"):
        for fingerprint in entry.get("certificates", []):
            facts.record_operator(
                db, entry["owner"], "case", case.citation(entry["source"]), certificate=fingerprint
            )
        if entry.get("organization"):
            facts.record_operator(
                db,
                entry["owner"],
                "case",
                case.citation(entry["source"]),
                organization=entry["organization"],
            )
    for entry in case.entries("snapshots"):
        folder = case.path.parent.resolve()
        bundle = (folder / entry["bundle"]).resolve()
        if not bundle.is_relative_to(folder):
            # A case file is shared: it may name only files beside it, never others.
            raise InputError(
                f"{case.path}: snapshot bundle {entry['bundle']} lies outside the case file's "
                "folder; a case file names only bundles next to it"
            )
        if not bundle.exists():
            raise InputError(f"{case.path}: snapshot bundle {entry['bundle']} not found")
        report.snapshots.append(
            stores.add_snapshot(
                db,
                entry["store"],
                bundle,
                to_iso(entry["as_of"]) or "",
                description=entry.get("description"),
                progress=progress,
            )
        )
    for entry in case.entries("certificates"):
        declare(db, _declaration(case, entry))
    facts.record_revocations(
        db,
        [
            (
                entry["sha256"].lower(),
                None,
                None,
                to_iso(entry.get("revoked_at")),
                to_iso(entry.get("no_later_than")),
                case.citation(entry["source"]),
                entry.get("note"),
            )
            for entry in case.entries("revocations")
        ],
    )
    for entry in case.entries("distrust"):
        subjects = [(dn, names.name_key(parse_dn(dn))) for dn in entry["subjects"]]
        facts.add_distrust_rule(
            db,
            entry["store"],
            subjects,
            to_iso(entry["not_before_after"]) or "",
            to_iso(entry["effective"]) or "",
            case.citation(entry["source"]),
            entry.get("note"),
        )
    linking.link_pending(db, progress=progress)


def _declaration(case: CaseFile, entry: dict[str, Any]) -> Declaration:
    serial = entry.get("serial")
    return Declaration(
        sha256=entry["sha256"],
        subject=parse_dn(entry["subject"]),
        issuer=parse_dn(entry["issuer"]),
        issuer_certificate=entry["issued_by"],
        same_ca_as=entry.get("same_ca_as"),
        source=case.citation(entry["source"]),
        serial=serial.replace(":", "").lower().lstrip("0") or "0" if serial else None,
        not_before=to_iso(entry.get("not_before")),
        not_after=to_iso(entry.get("not_after")),
        is_ca=entry.get("ca"),
        signature_hash=entry.get("signature_hash"),
    )
