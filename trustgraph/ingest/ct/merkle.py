"""RFC 6962 Merkle tree hashing over the tiles of a tiled log (c2sp.org/tlog-tiles).

A tile at level *l* holds up to 256 consecutive hashes, each the Merkle Tree Hash of
256**l consecutive leaves; a full tile hashes (as a perfect subtree of height 8) to one
hash of the tile above. The root of a tree of size *n* is computed from the rightmost,
partial tile of every level (``floor(n / 256**l) mod 256`` hashes) and the tiles to its
left; that computation authenticates every hash it used against the checkpoint's root.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
TILE_WIDTH = 256
TILE_HEIGHT = 8
MAX_LEVEL = 5
"""The highest tile level a log serves (256**6 leaves and more need no higher)."""


def leaf_hash(leaf: bytes) -> bytes:
    """The Merkle Tree Hash of one leaf (RFC 6962, section 2.1)."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def subtree_root(hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of consecutive hashes taken as leaves of a (sub)tree, split as
    RFC 6962 splits: the largest power of two below the count goes left.

    Raises:
        ValueError: no hashes.
    """
    if not hashes:
        raise ValueError("no hashes to combine")
    level = list(hashes)
    # Bottom-up pairing of a list of 2**k hashes equals the recursive definition; for other
    # counts, the recursive split keeps the odd hash on the right as RFC 6962 does.
    return _root(level)


def _root(hashes: list[bytes]) -> bytes:
    count = len(hashes)
    if count == 1:
        return hashes[0]
    split = 1 << ((count - 1).bit_length() - 1)
    return node_hash(_root(hashes[:split]), _root(hashes[split:]))


def span(level: int) -> int:
    """How many leaves one hash of a tile at ``level`` stands for (256**level)."""
    return 1 << (TILE_HEIGHT * level)


def tile_width_at(size: int, level: int) -> int:
    """How many hashes the rightmost (partial) tile of ``level`` holds in a tree of
    ``size`` leaves (0: none)."""
    return (size // span(level)) % TILE_WIDTH


TileGetter = Callable[[int, int, int], Sequence[bytes]]
"""(level, tile index, width) -> the tile's hashes (width 256: a full tile)."""


def root_from_tiles(size: int, tile: TileGetter) -> bytes:
    """The root of a tree of ``size`` leaves, from its tiles: for each level, the hashes
    of its rightmost partial tile, each a perfect subtree of the binary decomposition of
    ``size``, combined right to left.

    Raises:
        ValueError: ``size`` is 0 or beyond the highest level.
    """
    if size <= 0:
        raise ValueError("an empty tree has no root to compute from tiles")
    if size >= span(MAX_LEVEL + 1) * TILE_WIDTH:
        raise ValueError(f"a tree of {size} leaves is beyond tile level {MAX_LEVEL}")
    subtrees: list[bytes] = []  # left to right
    for level in range(MAX_LEVEL, -1, -1):
        width = tile_width_at(size, level)
        if not width:
            continue
        index = size // span(level + 1)
        hashes = list(tile(level, index, width))[:width]
        start = 0
        for bit in range(TILE_HEIGHT - 1, -1, -1):
            if width & (1 << bit):
                subtrees.append(subtree_root(hashes[start : start + (1 << bit)]))
                start += 1 << bit
    root = subtrees[-1]
    for left in reversed(subtrees[:-1]):
        root = node_hash(left, root)
    return root
