"""Reading the members of a root program's archive (``.tar``, ``.tar.gz``, ``.tar.xz``)
without extracting it: regular files only, each within the input limit and all together
within a few times it, so a hostile archive can neither write anywhere nor exhaust memory.
"""

from __future__ import annotations

import lzma
import tarfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from trustgraph.errors import InputError
from trustgraph.ingest.sources import max_input_bytes

_TOTAL_FACTOR = 4
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz")


def is_archive(path: Path) -> bool:
    """Whether ``path`` names a tar archive trustgraph reads (by its suffix)."""
    return path.is_file() and path.name.lower().endswith(ARCHIVE_SUFFIXES)


def archive_names(path: Path) -> list[str]:
    """The names of the regular files in the archive, without reading their bytes (enough
    to tell what the archive holds).

    Raises:
        InputError: the archive is unreadable or broken; the message names it.
    """
    try:
        with tarfile.open(path, mode="r:*") as archive:
            return [member.name for member in archive if member.isreg()]
    except (tarfile.TarError, lzma.LZMAError, zlib.error, EOFError, OSError) as exc:
        raise InputError(f"{path}: not a readable tar archive: {exc}") from exc


def archive_members(path: Path) -> Iterator[tuple[str, bytes]]:
    """(member name, bytes) of each regular file in the archive, in archive order.
    Links, devices and directories are skipped: they carry no data of their own.

    Raises:
        InputError: the archive is unreadable or broken, or a member or the whole exceeds
            the input limit; the message names the archive (and the member).
    """
    limit = max_input_bytes()
    total = 0
    try:
        with tarfile.open(path, mode="r:*") as archive:
            for member in archive:
                if not member.isreg():
                    continue
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
