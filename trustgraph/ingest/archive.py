"""Reading the members of a root program's archive (``.tar``, ``.tar.gz``, ``.tar.xz``)
without extracting it: regular files only, each within the input limit and all together
within a few times it, at most :data:`MAX_MEMBERS` entries, so a hostile archive can
neither write anywhere nor exhaust memory or time. An archive whose member names climb out
of it (``../``), are absolute, or name one file twice is refused: such a member could stand
in for another version's file.
"""

from __future__ import annotations

import lzma
import posixpath
import tarfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from trustgraph.core.reading import max_input_bytes
from trustgraph.errors import InputError

_TOTAL_FACTOR = 4
MAX_MEMBERS = 20_000
"""The most entries (of any kind) an archive may hold: root-program archives hold a few
hundred."""
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz")


def is_archive(path: Path) -> bool:
    """Whether ``path`` names a tar archive trustgraph reads (by its suffix)."""
    return path.is_file() and path.name.lower().endswith(ARCHIVE_SUFFIXES)


def _entries(path: Path, archive: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """The archive's regular files, after checking every entry's name and the count.

    Raises:
        InputError: too many entries, or a name that is absolute, climbs out of the archive
            or repeats another's.
    """
    seen: set[str] = set()
    for count, member in enumerate(archive, start=1):
        if count > MAX_MEMBERS:
            raise InputError(
                f"{path}: more than {MAX_MEMBERS} entries; root-program archives hold far "
                "fewer, so it is refused"
            )
        name = member.name
        normal = posixpath.normpath(name)
        if name.startswith("/") or normal == ".." or normal.startswith("../"):
            raise InputError(f"{path}: member {name!r} lies outside the archive; refused")
        if normal in seen:
            raise InputError(f"{path}: member {name!r} appears twice; refused")
        seen.add(normal)
        if member.isreg():
            yield member


def archive_names(path: Path) -> list[str]:
    """The names of the regular files in the archive, without reading their bytes (enough
    to tell what the archive holds).

    Raises:
        InputError: the archive is unreadable or broken, holds too many entries, or names
            a member outside itself or twice; the message names it.
    """
    try:
        with tarfile.open(path, mode="r:*") as archive:
            return [member.name for member in _entries(path, archive)]
    except (tarfile.TarError, lzma.LZMAError, zlib.error, EOFError, OSError) as exc:
        raise InputError(f"{path}: not a readable tar archive: {exc}") from exc


def archive_members(path: Path) -> Iterator[tuple[str, bytes]]:
    """(member name, bytes) of each regular file in the archive, in archive order.
    Links, devices and directories are skipped: they carry no data of their own.

    Raises:
        InputError: the archive is unreadable or broken, a member or the whole exceeds the
            input limit, or its entries are refused (see :func:`archive_names`); the
            message names the archive (and the member).
    """
    limit = max_input_bytes()
    total = 0
    try:
        with tarfile.open(path, mode="r:*") as archive:
            for member in _entries(path, archive):
                if member.size > limit or total + member.size > _TOTAL_FACTOR * limit:
                    raise InputError(
                        f"{path}: member {member.name} makes the archive larger than "
                        f"trustgraph reads ({limit >> 20} MiB per file); set "
                        "TRUSTGRAPH_MAX_INPUT_MB to raise the limit"
                    )
                total += member.size
                handle = archive.extractfile(member)
                if handle is None:
                    continue
                yield member.name, handle.read(member.size)
    except (tarfile.TarError, lzma.LZMAError, zlib.error, EOFError, OSError) as exc:
        raise InputError(f"{path}: not a readable tar archive: {exc}") from exc
