"""Writing files so that they are either whole or absent: every file trustgraph writes goes
to a temporary file beside its target, is flushed to disk, and then replaces the target in
one rename. A full disk or a crash leaves the earlier file (or none), never half of one.
Only a regular file or a new name is written: a symbolic link, a FIFO, a device or a socket
at the target is refused, never replaced (``--out /dev/null`` run as root would otherwise
replace the system's /dev/null with a file)."""

from __future__ import annotations

import io
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from trustgraph.core.reading import file_kind
from trustgraph.errors import OutputError, UsageError

# The mode a plain open() would give a new file; read once, while only one thread runs.
_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK


def check_writable(path: Path) -> None:
    """Fail early, before any work, for an output that cannot be a file.

    Raises:
        OutputError: ``path`` is a folder, a symbolic link or another file that is not a
            regular file, or its folder does not exist.
    """
    try:
        mode: int | None = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputError(f"cannot write {path}: it is a folder; give a file name")
    if mode is not None and not stat.S_ISREG(mode):
        raise OutputError(
            f"cannot write {path}: it is {file_kind(mode)}, and trustgraph writes only regular "
            "files; give a new file name (or - for standard output where a command takes it)"
        )
    if not path.parent.is_dir():
        raise OutputError(f"cannot write {path}: the folder {path.parent} does not exist")


@contextmanager
def atomic_text(path: Path) -> Iterator[IO[str]]:
    """A UTF-8 text stream whose content becomes ``path`` when the block ends without an
    error (and is thrown away when it raises).

    Raises:
        OutputError: the folder does not exist, ``path`` is a folder, or the file cannot be
            written (permissions, a read-only or full disk); ``path`` is then unchanged.
    """
    with atomic_binary(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        yield text
        text.flush()
        text.detach()


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` all at once.

    Raises:
        OutputError: as :func:`atomic_text`.
    """
    with atomic_binary(path) as stream:
        stream.write(data.encode("utf-8") if isinstance(data, str) else data)


@contextmanager
def atomic_binary(path: Path) -> Iterator[IO[bytes]]:
    """A binary stream whose content becomes ``path`` (see :func:`atomic_text`).

    Raises:
        OutputError: as :func:`atomic_text`.
    """
    check_writable(path)
    folder = path.parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, FILE_MODE)
        check_writable(path)  # again: something may have appeared there meanwhile
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}; it is unchanged") from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def is_stdout(path: Path | None) -> bool:
    """Whether an output path is ``-``, which names standard output."""
    return path is not None and str(path) == "-"


def require_input(path: str | os.PathLike[str], parameter: str, folder: bool = False) -> Path:
    """``path`` as a Path, when it exists (and, with ``folder``, is a folder): checked before
    anything is opened for it.

    Raises:
        UsageError: it does not exist, or is not a folder (naming ``parameter``).
    """
    found = Path(path)
    if folder and not found.is_dir():
        raise UsageError(
            f"{{{parameter}}} {found} is not a folder", parameters=(parameter,), value=found
        )
    if not found.exists():
        raise UsageError(f"{found} does not exist", parameters=(parameter,), value=found)
    return found
