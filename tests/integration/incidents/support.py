"""Building blocks of the incidents integration tests: callers, an indexed watch group in Clerkenwell,
report inputs, and converters of the shared police.uk JSON samples to the data.police.uk CSV layout."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from argus.platform.auth.principal import Principal, Role
from argus.platform.cloudevents import parse_event
from argus.watch import events as watch_events
from argus.watch.model import Block, WatchGroup
from argus.watch.service import geography

from tests.factories.principals import ORG, principal
from tests.fakes.aws import ArgusAws
from tests.integration.watch.support import add_blocks, inside, layout, outbox_events, propose

MEMBER_SUB = "member-mensah"
CAPTAIN_SUB = "captain-chen"
OFFICER_SUB = "officer-okafor"
# Hyde Park: in London, outside the Clerkenwell group.
OUTSIDE = (-0.1657, 51.5073)


def member(sub: str = MEMBER_SUB, org: str = ORG) -> Principal:
    return principal(Role.MEMBER, org=org, sub=sub)


def captain(sub: str = CAPTAIN_SUB, org: str = ORG) -> Principal:
    return principal(Role.CAPTAIN, org=org, sub=sub)


def officer(sub: str = OFFICER_SUB, org: str = ORG) -> Principal:
    return principal(Role.OFFICER, org=org, sub=sub)


def analyst(org: str = ORG) -> Principal:
    return principal(Role.ANALYST, org=org, sub="analyst-adeyemi")


def indexed_group(aws: ArgusAws, blocks: int = 2) -> tuple[WatchGroup, list[Block]]:
    """The Clerkenwell group with ``blocks`` blocks, indexed as the geo index consumer would."""
    group = propose()
    added = add_blocks(group, blocks)
    for document in outbox_events(aws):
        if document["type"] in watch_events.AREA_TYPES:
            geography.index_area_event(parse_event(json.dumps(document)), None)  # type: ignore[arg-type]
    return group, added


def in_block(block: Block) -> tuple[float, float]:
    return inside(block.area)


def uncovered_point() -> tuple[float, float]:
    """Inside the group but in a part no block covers (the 8th demo block is never added)."""
    return inside(layout().blocks[7].geojson)


def report_input(lon: float, lat: float, **overrides: Any) -> dict[str, Any]:
    return {
        "category": "burglary",
        "occurred_from": "2026-03-01T22:00:00Z",
        "occurred_to": "2026-03-02T07:00:00Z",
        "location": {"type": "Point", "coordinates": [lon, lat]},
        "description": "Back door forced overnight; laptop taken.",
        "suspect": "Tall, dark hoodie",
        **overrides,
    }


def police_uk_csv(json_path: Path) -> str:
    """The data.police.uk street-crime API records as the data.police.uk CSV download lays them out."""
    from argus.incidents.service.imports import POLICE_UK_HEADER
    from argus.incidents.taxonomy import CATEGORIES, from_police_uk

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(POLICE_UK_HEADER)
    for record in json.loads(json_path.read_text(encoding="utf-8")):
        category = from_police_uk(record["category"])
        label = CATEGORIES[category].police_uk_label if category else record["category"]
        location = record.get("location") or {}
        writer.writerow(
            [
                record["persistent_id"],
                record["month"],
                "Metropolitan Police Service",
                "Metropolitan Police Service",
                location.get("longitude", ""),
                location.get("latitude", ""),
                (location.get("street") or {}).get("name", ""),
                "",
                "",
                label,
                (record.get("outcome_status") or {}).get("category", ""),
                record.get("context", ""),
            ]
        )
    return out.getvalue()


def kinds(aws: ArgusAws) -> dict[str, int]:
    found: dict[str, int] = {}
    for item in aws.items():
        found[item["kind"]["S"]] = found.get(item["kind"]["S"], 0) + 1
    return found
