"""DataLoaders for relations between types, one set per request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from argus.organisations import store as organisations_store
from argus.organisations.model import Organisation


async def _load_organisations(org_ids: Sequence[str]) -> list[Organisation | None]:
    found = organisations_store.get_organisations(org_ids)
    return [found.get(org_id) for org_id in org_ids]


@dataclass
class Loaders:
    organisation: DataLoader[str, Organisation | None] = field(
        default_factory=lambda: DataLoader(load_fn=_load_organisations)
    )
