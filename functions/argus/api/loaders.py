"""DataLoaders for relations between types, one set per request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from argus.organisations import store as organisations_store
from argus.organisations.model import Organisation
from argus.patterns import store as patterns_store
from argus.patterns.model import PatternCell

# A completed pattern run's cells by (organisation, run id, pages stored).
PatternCellsKey = tuple[str, str, int]


async def _load_organisations(org_ids: Sequence[str]) -> list[Organisation | None]:
    found = organisations_store.get_organisations(org_ids)
    return [found.get(org_id) for org_id in org_ids]


async def _load_pattern_cells(wanted: Sequence[PatternCellsKey]) -> list[list[PatternCell]]:
    found: dict[tuple[str, str], list[PatternCell]] = {}
    for org_id in {org_id for org_id, _, _ in wanted}:
        runs = [(run_id, pages) for org, run_id, pages in wanted if org == org_id]
        for run_id, cells in patterns_store.cells_of_runs(org_id, runs).items():
            found[(org_id, run_id)] = cells
    return [found[(org_id, run_id)] for org_id, run_id, _ in wanted]


@dataclass
class Loaders:
    organisation: DataLoader[str, Organisation | None] = field(
        default_factory=lambda: DataLoader(load_fn=_load_organisations)
    )
    pattern_cells: DataLoader[PatternCellsKey, list[PatternCell]] = field(
        default_factory=lambda: DataLoader(load_fn=_load_pattern_cells)
    )
