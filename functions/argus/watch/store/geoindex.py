"""The geo index in the table: for each H3 cell, the areas (groups and blocks) that touch it.
Cells wholly inside an area answer directly; boundary cells carry the area's geometry so a point can
be confirmed without another read."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from argus.platform.keys import watch as keys
from argus.watch.store.items import AreaCellsItem, CellItem


@dataclass(frozen=True)
class CellEntry:
    kind: str  # "GROUP" or "BLOCK"
    group_id: str
    area_id: str
    interior: bool
    geometry: dict[str, Any] | None


def write_area_cells(
    org_id: str,
    kind: str,
    group_id: str,
    area_id: str,
    interior: Iterable[str],
    boundary: Iterable[str],
    geometry: dict[str, Any],
) -> int:
    """(Re)write an area's cell entries; idempotent. Returns the number of cells written."""
    geometry_json = json.dumps(geometry, separators=(",", ":"))
    interior, boundary = sorted(set(interior)), sorted(set(boundary))
    with CellItem.batch_write() as batch:
        for cell, inside in [(c, True) for c in interior] + [(c, False) for c in boundary]:
            batch.save(
                CellItem(
                    PK=keys.cell_pk(org_id, cell),
                    SK=keys.cell_sk(kind, group_id, area_id),
                    area_kind=kind,
                    group_id=group_id,
                    area_id=area_id,
                    interior=inside,
                    area=None if inside else geometry_json,
                )
            )
    AreaCellsItem(
        PK=keys.area_cells_pk(org_id, kind, area_id),
        SK="CELLS",
        cells=json.dumps(interior + boundary),
        version=1,
    ).save()
    return len(interior) + len(boundary)


def entries_for_cell(org_id: str, cell: str) -> list[CellEntry]:
    """One query: every area touching ``cell``."""
    return [
        CellEntry(
            kind=i.area_kind,
            group_id=i.group_id,
            area_id=i.area_id,
            interior=bool(i.interior),
            geometry=json.loads(i.area) if i.area else None,
        )
        for i in CellItem.query(keys.cell_pk(org_id, cell))
    ]
