"""Logs named in a log list in the v3 format browsers publish (``log_list.json``): its
``tiled_logs`` (static CT API logs), each with its key, id, description and monitoring URL."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustgraph.errors import InputError, UsageError
from trustgraph.ingest.ct.checkpoint import LogKey
from trustgraph.ingest.sources import read_input


@dataclass(frozen=True)
class ListedLog:
    description: str
    log_id: str
    monitoring_url: str
    key: LogKey


def tiled_logs(path: Path) -> list[ListedLog]:
    """The tiled logs of a log list.

    Raises:
        InputError: the file is no log list, or a tiled log lacks its key or URL, or its
            key does not hash to its log id.
    """
    try:
        document = json.loads(read_input(path))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"{path}: not a JSON log list: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("operators"), list):
        raise InputError(f'{path}: not a v3 log list (no "operators")')
    found = []
    for operator in document["operators"]:
        for entry in (operator or {}).get("tiled_logs") or [] if isinstance(operator, dict) else []:
            found.append(_listed(path, entry))
    return found


def _listed(path: Path, entry: Any) -> ListedLog:
    if not isinstance(entry, dict):
        raise InputError(f"{path}: a tiled log that is not an object")
    name = str(entry.get("description") or entry.get("log_id") or "?")
    try:
        spki = base64.b64decode(str(entry["key"]), validate=True)
        log_id = base64.b64decode(str(entry["log_id"]), validate=True)
        url = str(entry["monitoring_url"])
    except (KeyError, binascii.Error, ValueError) as exc:
        raise InputError(f"{path}: tiled log {name!r} lacks a readable key, id or URL") from exc
    key = LogKey(spki)
    if key.log_id != log_id:
        raise InputError(f"{path}: tiled log {name!r}: its key does not hash to its log id")
    return ListedLog(name, log_id.hex(), url, key)


def choose(logs: list[ListedLog], wanted: str) -> ListedLog:
    """The log whose description contains ``wanted`` (or whose id starts with it).

    Raises:
        UsageError: none, or several.
    """
    text = wanted.casefold()
    found = [
        log for log in logs if text in log.description.casefold() or log.log_id.startswith(text)
    ]
    if len(found) != 1:
        names = ", ".join(repr(log.description) for log in (found or logs)[:10])
        raise UsageError(
            f"{wanted!r} names {len(found)} of the list's tiled logs; "
            + (f"give one of: {names}" if names else "the list has none")
        )
    return found[0]
