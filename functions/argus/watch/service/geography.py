"""Geography of watch groups: "which group and block cover this point?" from the H3 cell index,
the index consumer, and the GeoJSON export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from argus.platform.auth.principal import Principal
from argus.platform.cloudevents import CloudEvent
from argus.platform.errors import BadUserInput
from argus.platform.outbox import UnitOfWork
from argus.watch import events
from argus.watch.model import Block, WatchGroup
from argus.watch.store import geoindex
from argus.watch.store import groups as group_store

GROUP, BLOCK = "GROUP", "BLOCK"


@dataclass(frozen=True)
class Coverage:
    group: WatchGroup | None
    block: Block | None


def _covering(lon: float, lat: float, entries: list[geoindex.CellEntry]) -> list[geoindex.CellEntry]:
    from argus.geo import parse_area

    return [
        e
        for e in entries
        if e.interior
        or (e.geometry is not None and parse_area(e.geometry, max_area_m2=None).covers(lon, lat))
    ]


def locate(principal: Principal, longitude: float, latitude: float) -> Coverage:
    """The group and block of the caller's organisation covering the point (one index query plus
    the reads of what it finds). Raises BadUserInput for coordinates out of range."""
    from argus.geo import cell_for_point

    # NaN fails every comparison, so it is refused too; the field named is the one out of range.
    for name, value, limit in (("longitude", longitude, 180), ("latitude", latitude, 90)):
        if not -limit <= value <= limit:
            raise BadUserInput(
                f"The {name} must be between -{limit} and {limit} (WGS 84 degrees); got {value}.",
                details={"field": name, "reason": "coordinates_out_of_range"},
            )
    entries = _covering(
        longitude, latitude, geoindex.entries_for_cell(principal.org_id, cell_for_point(longitude, latitude))
    )
    group_entry = next((e for e in entries if e.kind == GROUP), None)
    if group_entry is None:
        return Coverage(None, None)
    block_entry = next((e for e in entries if e.kind == BLOCK and e.group_id == group_entry.group_id), None)
    group = group_store.get_group(principal.org_id, group_entry.group_id)
    block = (
        group_store.get_block(principal.org_id, group_entry.group_id, block_entry.area_id)
        if block_entry
        else None
    )
    return Coverage(group, block)


def index_area_event(event: CloudEvent, _uow: UnitOfWork) -> None:
    """Consumer: (re)index the area an event created. Idempotent: it writes what the table now says."""
    from argus.geo import cells_for, parse_area

    org_id = event.get_extension("orgid")
    data: dict[str, Any] = event.get_data()  # type: ignore[assignment]
    group_id = data["groupId"]
    if event.get_type() == events.GROUP_PROPOSED:
        group = group_store.get_group(org_id, group_id)
        if group is not None:
            interior, boundary = cells_for(parse_area(group.boundary, max_area_m2=None))
            geoindex.write_area_cells(org_id, GROUP, group_id, group_id, interior, boundary, group.boundary)
    elif event.get_type() == events.BLOCK_ADDED:
        block = group_store.get_block(org_id, group_id, data["blockId"])
        if block is not None:
            interior, boundary = cells_for(parse_area(block.area, max_area_m2=None))
            geoindex.write_area_cells(org_id, BLOCK, group_id, block.id, interior, boundary, block.area)


def export_group(principal: Principal, group_id: str) -> dict[str, Any]:
    """The group's boundary, blocks and patrol zones as an RFC 7946 FeatureCollection."""
    from argus.geo import feature_collection

    group = group_store.require_group(principal.org_id, group_id)
    features: list[tuple[dict[str, Any], dict[str, Any], str]] = [
        (group.boundary, {"kind": "group", "name": group.name, "status": group.status.value}, group.id)
    ]
    for block in group_store.list_blocks(principal.org_id, group_id):
        features.append((block.area, {"kind": "block", "name": block.name, "groupId": group_id}, block.id))
    for zone in group_store.list_zones(principal.org_id, group_id):
        features.append((zone.area, {"kind": "patrolZone", "name": zone.name, "groupId": group_id}, zone.id))
    return feature_collection(features)
