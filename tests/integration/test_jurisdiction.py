"""The organisation's jurisdiction on moto, through GraphQL: an admin sets, replaces and clears it, each
with its event (area and box, never the polygon); everyone of the organisation reads it; others may not
set it; a boundary that is not a valid area is refused with its reason."""

from __future__ import annotations

from typing import Any

import pytest
from argus.organisations import service
from argus.platform.auth.principal import Principal, Role

from tests.factories.organisations import organisation_draft
from tests.factories.principals import OTHER_ORG, admin, principal
from tests.fakes.aws import ArgusAws
from tests.integration.test_graphql import codes, execute
from tests.integration.watch.support import outbox_events

SET = "mutation($b: JSON) { setJurisdiction(boundary: $b) { areaKm2 bbox boundary updatedAt } }"
READ = "query { organisation { jurisdiction { areaKm2 bbox boundary } } }"
CHANGED = "org.argus.organisation.jurisdiction-changed.v1"


def square(west: float, south: float, size: float) -> dict[str, Any]:
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def resident() -> Principal:
    return principal(Role.RESIDENT, sub="resident-1")


@pytest.fixture
def organisation(aws: ArgusAws) -> ArgusAws:
    service.create_organisation(admin(), organisation_draft())
    return aws


async def test_an_admin_sets_replaces_and_clears_it(organisation: ArgusAws) -> None:
    # When an admin sets a 0.04° square as the jurisdiction (its ring given clockwise)
    clockwise = square(-0.13, 51.50, 0.04)
    clockwise["coordinates"][0].reverse()
    done = await execute(SET, admin(), {"b": clockwise})
    # Then it is stored normalised (counter-clockwise), with its area and box
    assert done["errors"] == []
    stored = done["data"]["setJurisdiction"]
    assert stored["boundary"] == square(-0.13, 51.50, 0.04)
    assert stored["bbox"] == [-0.13, 51.50, -0.09, 51.54]
    # 0.04° of latitude (4.45 km) by 0.04° of longitude (2.77 km at 51.5° N)
    assert stored["areaKm2"] == pytest.approx(4.45 * 2.77, rel=0.01)
    # And a resident of the organisation reads it
    read = await execute(READ, resident())
    assert read["data"]["organisation"]["jurisdiction"]["boundary"] == stored["boundary"]
    # And its event carries the area and the box, never the polygon
    (event,) = outbox_events(organisation, CHANGED)
    assert event["data"] == {"areaKm2": stored["areaKm2"], "bbox": stored["bbox"], "actor": admin().sub}

    # When it is replaced, then cleared
    await execute(SET, admin(), {"b": square(-0.12, 51.51, 0.02)})
    cleared = await execute(SET, admin(), {"b": None})
    assert cleared == {"data": {"setJurisdiction": None}, "errors": []}
    read = await execute(READ, resident())
    assert read["data"]["organisation"]["jurisdiction"] is None
    last = outbox_events(organisation, CHANGED)[-1]
    assert last["data"] == {"areaKm2": None, "bbox": None, "actor": admin().sub}


@pytest.mark.parametrize("role", ["OFFICER", "SUPERVISOR", "ANALYST", "RESIDENT", "PARTNER"])
async def test_only_admins_set_it(organisation: ArgusAws, role: str) -> None:
    refused = await execute(SET, principal(Role[role], sub="someone"), {"b": square(-0.13, 51.5, 0.04)})
    assert codes(refused) == ["FORBIDDEN"]
    assert not outbox_events(organisation, CHANGED)


@pytest.mark.parametrize(
    ("boundary", "reason"),
    [
        ({"type": "Point", "coordinates": [-0.1, 51.5]}, "wrong_type"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[-0.1, 51.5], [-0.09, 51.51], [-0.1, 51.51], [-0.09, 51.5]]],
            },
            "ring_not_closed",
        ),
        (square(-2.0, 50.0, 1.0), "too_large"),  # about 7,700 km²: more than a watch group may cover
        ("not geojson", "not_geojson"),
    ],
)
async def test_a_boundary_that_is_not_a_valid_area_is_refused(
    organisation: ArgusAws, boundary: Any, reason: str
) -> None:
    refused = await execute(SET, admin(), {"b": boundary})
    assert codes(refused) == ["BAD_USER_INPUT"]
    assert refused["errors"][0]["extensions"]["details"]["reason"] == reason
    assert not outbox_events(organisation, CHANGED)


async def test_another_organisations_jurisdiction_is_not_seen(organisation: ArgusAws) -> None:
    await execute(SET, admin(), {"b": square(-0.13, 51.50, 0.04)})
    service.create_organisation(admin(org=OTHER_ORG), organisation_draft(slug=OTHER_ORG, name="Southvale"))
    read = await execute(READ, admin(org=OTHER_ORG))
    assert read["data"]["organisation"]["jurisdiction"] is None
