"""Which watch group and which block is this point in? The two-level lookup used to route a report.

Groups and blocks share one :class:`~argus.geo.index.AreaIndex`, compiled here into a per-cell table, so a
point costs one H3 cell, one dict lookup and at most one vectorised shapely test of that cell's boundary
candidates; a cell that lies inside its group and block answers with a ready-made Placement. A point exactly
on a shared edge is covered by both neighbours (the covers rule); ``group`` and ``block`` then pick
deterministically (the smallest id), while ``groups`` and ``blocks`` list them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import h3
import shapely

from argus.geo.area import Area
from argus.geo.index import INDEX_RESOLUTION, AreaIndex, check_point, confirmation_plan

_GROUP, _BLOCK = 0, 1


class Placement(NamedTuple):
    """Where a point falls: all covering groups and blocks (in the order they were indexed), and the one
    of each to route to (a NamedTuple: cheap to build on the hot path)."""

    groups: tuple[str, ...]
    blocks: tuple[str, ...]
    group: str | None
    block: str | None


_NOWHERE = Placement((), (), None, None)

# (groups as (id, flag) pairs, blocks likewise, geometries to confirm): flag -1 answers directly.
_Candidates = tuple[tuple[tuple[str, int], ...], tuple[tuple[str, int], ...], Any]


class WatchAreaIndex:
    """Point lookups over an organisation's watch groups and their blocks."""

    def __init__(
        self,
        groups: Iterable[tuple[str, Area]],
        blocks: Iterable[tuple[str, str, Area]],
        *,
        resolution: int = INDEX_RESOLUTION,
    ) -> None:
        """Index ``groups`` as (group_id, boundary) and ``blocks`` as (block_id, group_id, area).

        Raises ValueError for a duplicate id, or a block whose group is not among ``groups``.
        """
        group_list = list(groups)
        block_list = list(blocks)
        known = {group_id for group_id, _ in group_list}
        strays = [block_id for block_id, group_id, _ in block_list if group_id not in known]
        if strays:
            raise ValueError(f"{len(strays)} blocks belong to no indexed group, e.g. {strays[0]!r}")
        self.group_of: dict[str, str] = {block_id: group_id for block_id, group_id, _ in block_list}
        self._index: AreaIndex[tuple[int, str]] = AreaIndex(
            [((_GROUP, group_id), area) for group_id, area in group_list]
            + [((_BLOCK, block_id), area) for block_id, _, area in block_list],
            resolution=resolution,
        )
        self._table: dict[str, Placement | _Candidates] = {}
        for cell, entries in self._index.cells():
            flags, geometries = confirmation_plan([geometry for _, geometry in entries])
            tagged = [(kind, key, flag) for ((kind, key), _), flag in zip(entries, flags, strict=True)]
            in_groups = tuple((key, flag) for kind, key, flag in tagged if kind == _GROUP)
            in_blocks = tuple((key, flag) for kind, key, flag in tagged if kind == _BLOCK)
            if geometries is None:
                self._table[cell] = self._placement(
                    tuple(key for key, _ in in_groups), tuple(key for key, _ in in_blocks)
                )
            else:
                self._table[cell] = (in_groups, in_blocks, geometries)

    @property
    def resolution(self) -> int:
        return self._index.resolution

    def stats(self) -> dict[str, int]:
        """Sizes of the underlying index (areas = groups + blocks, cells, interior and boundary entries)."""
        return self._index.stats()

    def locate(self, lon: float, lat: float) -> Placement:
        """The groups and blocks covering the point; ``group`` is the smallest covering group id and
        ``block`` the smallest covering block id of that group (or of any group, if it has none).

        Raises BadUserInput (reason coordinates_out_of_range) for a non-finite or out-of-range position.
        """
        check_point(lon, lat)
        entry = self._table.get(h3.latlng_to_cell(lat, lon, self._index.resolution))
        if entry is None:
            return _NOWHERE
        if isinstance(entry, Placement):
            return entry
        in_groups, in_blocks, geometries = entry
        hits = shapely.intersects_xy(geometries, lon, lat).tolist()
        groups = [key for key, flag in in_groups if flag < 0 or hits[flag]]
        blocks = [key for key, flag in in_blocks if flag < 0 or hits[flag]]
        if len(groups) == 1 and len(blocks) == 1:  # the usual case, inlined: this is the hot path
            return Placement((groups[0],), (blocks[0],), groups[0], blocks[0])
        return self._placement(tuple(groups), tuple(blocks))

    def _placement(self, groups: tuple[str, ...], blocks: tuple[str, ...]) -> Placement:
        if len(groups) <= 1 and len(blocks) <= 1:  # the usual case: nothing to choose between
            return Placement(groups, blocks, groups[0] if groups else None, blocks[0] if blocks else None)
        group = min(groups) if groups else None
        own = [block for block in blocks if self.group_of[block] == group]
        block = min(own) if own else (min(blocks) if blocks else None)
        return Placement(groups, blocks, group, block)
