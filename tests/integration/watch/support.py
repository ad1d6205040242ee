"""Building blocks of the watch integration tests: callers, a real neighbourhood, the steps of forming a
group through the services, and ways to look at the table (snapshots, outbox, DynamoDB requests)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import botocore.client
import pytest
from argus.geo import GroupLayout, demo_neighbourhood
from argus.platform.auth.principal import Principal, Role
from argus.watch.model import Block, WatchGroup
from argus.watch.service import captains, groups, roster_import

from tests.factories.principals import ORG, principal
from tests.fakes.aws import ArgusAws

FOUNDER_SUB = "resident-founder"
OFFICER_SUB = "officer-okafor"
CAPTAIN_SUB = "captain-chen"
OTHER_CAPTAIN_SUB = "captain-novak"

STREET = "Myddelton Square"
POSTCODE = "EC1R 1XP"
CONSENT = "I agree to receive Clerkenwell watch alerts by email; I can opt out at any time."


def resident(sub: str = FOUNDER_SUB, org: str = ORG) -> Principal:
    return principal(Role.RESIDENT, org=org, sub=sub)


def officer(sub: str = OFFICER_SUB, org: str = ORG) -> Principal:
    return principal(Role.OFFICER, org=org, sub=sub)


def captain(sub: str = CAPTAIN_SUB, org: str = ORG) -> Principal:
    return principal(Role.CAPTAIN, org=org, sub=sub)


def member(sub: str, org: str = ORG) -> Principal:
    return principal(Role.MEMBER, org=org, sub=sub)


@cache
def layout() -> GroupLayout:
    """Clerkenwell: one group boundary and 12 blocks that tile it (argus.geo.demo_neighbourhood)."""
    return demo_neighbourhood()


def inside(area: dict[str, Any]) -> tuple[float, float]:
    """A point (lon, lat) well inside a GeoJSON polygon."""
    from argus.geo import parse_area

    point = parse_area(area, max_area_m2=None).geometry.representative_point()
    return point.x, point.y


# --- forming a group ---------------------------------------------------------------------------------


def propose(who: Principal | None = None, **overrides: Any) -> WatchGroup:
    proposal = {
        "name": "Clerkenwell & Amwell Neighbourhood Watch",
        "description": "Neighbours between Amwell Street and Farringdon Road.",
        "boundary": layout().boundary.geojson,
        **overrides,
    }
    return groups.propose_group(who or resident(), proposal)


def add_blocks(group: WatchGroup, count: int, who: Principal | None = None) -> list[Block]:
    """The first ``count`` demo blocks, added by an officer."""
    return [
        groups.add_block(who or officer(), {"group_id": group.id, "name": named.name, "area": named.geojson})
        for named in layout().blocks[:count]
    ]


def household(number: int, *names: str, street: str = STREET, subs: tuple[str | None, ...] = ()) -> dict:
    """A household to import: its address and members (with account subs where given)."""
    people = [
        {"display_name": name, "sub": subs[i] if i < len(subs) else None} for i, name in enumerate(names)
    ]
    return {"address": {"line1": f"{number} {street}", "postcode": POSTCODE}, "members": people}


def import_households(
    group: WatchGroup, block: Block, count: int, *, who: Principal | None = None, start: int = 1
) -> roster_import.ImportResult:
    """``count`` one-person households (no accounts), imported by the block's captain or an officer."""
    households = [household(start + i, f"Neighbour {start + i}") for i in range(count)]
    return roster_import.import_roster(
        who or officer(), {"group_id": group.id, "block_id": block.id, "households": households}
    )


def enrolment(group: WatchGroup, block: Block, name: str, number: int, **overrides: Any) -> dict[str, Any]:
    return {
        "group_id": group.id,
        "block_id": block.id,
        "display_name": name,
        "address": {"line1": f"{number} {STREET}", "postcode": POSTCODE},
        **overrides,
    }


def ready_to_activate(group: WatchGroup) -> Block:
    """Tick the whole formation checklist: a captained block, five members, the first meeting."""
    [block] = add_blocks(group, 1)
    captains.assign_captain(officer(), group.id, block.id, CAPTAIN_SUB)
    import_households(group, block, 5)
    groups.record_first_meeting(officer(), group.id)
    return block


def move(group: WatchGroup, status: str, who: Principal | None = None, reason: str = "Agreed") -> WatchGroup:
    return groups.change_status(who or officer(), {"group_id": group.id, "status": status, "reason": reason})


# --- looking at the table ----------------------------------------------------------------------------


def snapshot(aws: ArgusAws) -> list[str]:
    """Every item of the table, comparable: to show that a refused request wrote nothing."""
    return sorted(json.dumps(item, sort_keys=True) for item in aws.items())


def kinds(aws: ArgusAws) -> dict[str, int]:
    found: dict[str, int] = {}
    for item in aws.items():
        kind = item["kind"]["S"]
        found[kind] = found.get(kind, 0) + 1
    return found


def outbox_events(aws: ArgusAws, event_type: str | None = None) -> list[dict[str, Any]]:
    """The CloudEvents waiting in the outbox, oldest first (optionally of one type)."""
    documents = sorted(
        (json.loads(item["event"]["S"]) for item in aws.items_of_kind("outbox")), key=lambda d: d["id"]
    )
    return [d for d in documents if event_type is None or d["type"] == event_type]


@dataclass
class DynamoRequests:
    """The DynamoDB requests made while counting: (operation, parameters)."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def operations(self) -> list[str]:
        return [operation for operation, _ in self.calls]

    def clear(self) -> None:
        self.calls.clear()


@contextmanager
def counting_dynamodb_requests() -> Iterator[DynamoRequests]:
    """Count every DynamoDB API request, whichever client (pynamodb's or boto3's) makes it.

    Both pynamodb's ``Connection`` and boto3 clients end in botocore's ``BaseClient._make_api_call``
    (one call per API request, before retries and moto's interception), so that is where requests are
    counted."""
    seen = DynamoRequests()
    original = botocore.client.BaseClient._make_api_call

    def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            seen.calls.append((operation, params))
        return original(client, operation, params)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.client.BaseClient, "_make_api_call", counted)
        yield seen
