"""A log's tree at a checkpoint, whose tiles are authenticated before use.

The rightmost (partial) tile of each level is authenticated by recomputing the checkpoint's
root from them (see :func:`~trustgraph.ingest.ct.merkle.root_from_tiles`); a full tile by
hashing it to the entry of the tile above that stands for it, itself authenticated the same
way. A data tile is authenticated by its leaves' hashes: a full one hashes to its entry of
the level 1 tile, the rightmost partial one must equal the level 0 partial tile. A smaller
tree (an earlier checkpoint) is consistent with this one when its root, recomputed from
this tree's authenticated tiles, is the root it was signed with.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from trustgraph.ingest.ct.merkle import (
    HASH_SIZE,
    TILE_WIDTH,
    root_from_tiles,
    span,
    subtree_root,
    tile_width_at,
)

TileFetcher = Callable[[int, int, int], bytes]
"""(level, index, width) -> the bytes of that hash tile as the log serves it."""


class TreeMismatch(Exception):
    """What the log serves does not hash to its signed checkpoint."""


class VerifiedTree:
    """The tree of ``size`` leaves with root ``root``, its tiles fetched with ``fetch``."""

    def __init__(self, size: int, root: bytes, fetch: TileFetcher) -> None:
        self.size, self.root, self._fetch = size, root, fetch
        self._tiles: dict[tuple[int, int], list[bytes]] = {}
        if size:
            self._check_right_edge()

    def _hashes(self, level: int, index: int, width: int) -> list[bytes]:
        data = self._fetch(level, index, width)
        if len(data) != width * HASH_SIZE:
            raise TreeMismatch(f"tile {level}/{index} holds {len(data)} bytes, not {width} hashes")
        return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]

    def _check_right_edge(self) -> None:
        fetched: dict[tuple[int, int], list[bytes]] = {}

        def tile(level: int, index: int, width: int) -> list[bytes]:
            fetched[(level, index)] = self._hashes(level, index, width)
            return fetched[(level, index)]

        if root_from_tiles(self.size, tile) != self.root:
            raise TreeMismatch(
                f"the rightmost tiles do not hash to the checkpoint's root (size {self.size})"
            )
        self._tiles.update(fetched)

    def _is_right_edge(self, level: int, index: int) -> bool:
        return index == self.size // span(level + 1)

    def tile(self, level: int, index: int) -> list[bytes]:
        """The authenticated hashes of a tile (full, or the rightmost partial one).

        Raises:
            TreeMismatch: the tile does not hash to the tree.
            ValueError: the tile lies beyond the tree.
        """
        key = (level, index)
        if key in self._tiles:
            return self._tiles[key]
        if self._is_right_edge(level, index):
            if not tile_width_at(self.size, level):
                raise ValueError(f"tile {level}/{index} is empty in a tree of {self.size}")
            raise AssertionError("the right edge was authenticated with the root")
        if index > self.size // span(level + 1):
            raise ValueError(f"tile {level}/{index} lies beyond a tree of {self.size}")
        hashes = self._hashes(level, index, TILE_WIDTH)
        if subtree_root(hashes) != self.entry(level + 1, index):
            raise TreeMismatch(f"tile {level}/{index} does not hash to the tree")
        self._tiles[key] = hashes
        return hashes

    def entry(self, level: int, index: int) -> bytes:
        """The authenticated hash ``index`` of ``level`` (the Merkle Tree Hash of
        256**level leaves)."""
        return self.tile(level, index // TILE_WIDTH)[index % TILE_WIDTH]

    def check_data_tile(
        self, index: int, leaf_hashes: Sequence[bytes], root: bytes | None = None
    ) -> None:
        """Whether a data tile's leaves are the tree's (``root``: their Merkle Tree Hash,
        when already computed).

        Raises:
            TreeMismatch: they are not.
        """
        if len(leaf_hashes) == TILE_WIDTH and not self._is_right_edge(0, index):
            if (root or subtree_root(leaf_hashes)) != self.entry(1, index):
                raise TreeMismatch(f"data tile {index} does not hash to the tree")
            return
        edge = self.tile(0, index)
        if list(leaf_hashes) != edge[: len(leaf_hashes)] or len(leaf_hashes) > len(edge):
            raise TreeMismatch(f"data tile {index} does not hash to the tree")

    def root_at(self, size: int) -> bytes:
        """The root of the first ``size`` leaves of this tree, from authenticated tiles.

        Raises:
            ValueError: ``size`` is 0 or larger than the tree.
            TreeMismatch: a tile it needs does not hash to the tree.
        """
        if not 0 < size <= self.size:
            raise ValueError(f"a tree of {size} leaves is not inside one of {self.size}")
        return root_from_tiles(size, lambda level, index, width: self.tile(level, index)[:width])
