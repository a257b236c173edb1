"""Reading inputs so that no input can hang a command or exhaust its memory: only regular
files are read (a FIFO, a device or a socket is refused without blocking), each within a
limit, and TOML inputs within a smaller one, as UTF-8, nested no deeper than a parser can
follow."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from trustgraph.errors import UsageError

MAX_INPUT_VARIABLE = "TRUSTGRAPH_MAX_INPUT_MB"
DEFAULT_MAX_INPUT_MB = 256
MOST_MAX_INPUT_MB = 1 << 20
"""The highest limit ``TRUSTGRAPH_MAX_INPUT_MB`` may set (1 TiB)."""
MAX_TOML_BYTES = 16 << 20
"""The most a TOML input (case file, signature policy, distrust rules) may hold."""


class InputRefused(Exception):
    """An input that is not read at all (not a regular file, too large, a gzip bomb)."""


def max_input_bytes() -> int:
    """The most bytes one input may hold once decompressed (``TRUSTGRAPH_MAX_INPUT_MB``,
    default 256 MiB).

    Raises:
        UsageError: the variable is set to something other than a whole number of MiB
            from 1 to 1048576.
    """
    configured = os.environ.get(MAX_INPUT_VARIABLE, "").strip()
    if not configured:
        return DEFAULT_MAX_INPUT_MB << 20
    if not configured.isdecimal() or not 1 <= int(configured) <= MOST_MAX_INPUT_MB:
        raise UsageError(
            f"{MAX_INPUT_VARIABLE}={configured[:40]!r}: give a whole number of MiB from 1 to "
            f"{MOST_MAX_INPUT_MB}"
        )
    return int(configured) << 20


def limit_text() -> str:
    """The input limit in words, with how to raise it."""
    limit = max_input_bytes() >> 20
    return f"the limit of {limit} MiB per input (set {MAX_INPUT_VARIABLE} to raise it)"


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words (from its ``st_mode``)."""
    for test, name in (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_bounded(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file, read without blocking and within ``limit`` (default:
    the input limit).

    Raises:
        InputRefused: a FIFO, device, socket or directory; larger than the limit.
        OSError: the file cannot be opened or read.
        UsageError: the input limit's variable is malformed.
    """
    most = max_input_bytes() if limit is None else limit
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise InputRefused(f"not a regular file ({file_kind(mode)}); only files are read")
        if os.fstat(handle.fileno()).st_size > most:
            raise InputRefused(f"larger than {_limit(limit)}")
        data = handle.read(most + 1)
    if len(data) > most:
        raise InputRefused(f"larger than {_limit(limit)}")
    return data


def _limit(limit: int | None) -> str:
    return limit_text() if limit is None else f"{limit >> 20} MiB, the most this input may be"


def read_toml(path: Path) -> tuple[str, dict[str, Any]]:
    """The text of a TOML file and what it says.

    Raises:
        TomlError: the file cannot be read, is not a regular file, is larger than
            :data:`MAX_TOML_BYTES`, is not UTF-8, is not TOML, or nests too deep.
    """
    try:
        raw = read_bounded(path, MAX_TOML_BYTES)
    except FileNotFoundError as exc:
        raise TomlError(f"{path}: not found") from exc
    except (InputRefused, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise TomlError(f"{path}: cannot read: {reason}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TomlError(f"{path}: not UTF-8 text (byte {exc.start}): {exc.reason}") from exc
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlError(f"{path}: not valid TOML: {exc}") from exc
    except RecursionError as exc:
        raise TomlError(f"{path}: nested too deep to read") from exc


class TomlError(Exception):
    """A TOML input that cannot be used; the message names the file and why."""
