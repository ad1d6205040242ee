"""The organisation's privacy settings act on every incident map below staff: the publication delay,
the minimum group size (small groups roll up to coarser cells, then are withheld), the generalisation
level, the answer naming what was applied — and no two answers together give away a withheld count or
a position finer than a cell."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argus.api.context import ArgusContext
from argus.api.graphql import schema
from argus.incidents.service import imports
from argus.platform import clock
from argus.platform.auth.principal import Principal, Role

from tests.factories.principals import admin, principal
from tests.fakes.aws import ArgusAws
from tests.integration.incidents.publication_support import (
    BELOW_STAFF,
    PARENT,
    POLICY,
    RESIDENT,
    A,
    B,
    C,
    D,
    at,
    bbox_of,
    centre,
    count_of,
    groups,
    public_map,
    record,
    with_privacy,
)
from tests.integration.incidents.support import officer

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
JAN = "2026-01"
STAFF = [
    principal(r, sub=f"staff-{r.value}") for r in (Role.OFFICER, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN)
]


@pytest.fixture(autouse=True)
def now(fixed_clock: clock.FixedClock) -> clock.FixedClock:
    """Tuesday 20 March 2026: with a 30-day delay, January is published and February not yet."""
    fixed_clock.current = NOW
    return fixed_clock


@pytest.fixture
def scenario(now: clock.FixedClock) -> Iterator[clock.FixedClock]:
    """An organisation at 10 / generalised / 30 days with, in January: 12 burglaries and 3 vehicle crimes
    in cell A, 4 vehicle crimes in B, 5 and a robbery in C (A, B and C share a resolution-7 parent), and 2
    drug offences in D far away; 12 burglaries in A in February and 12 two days ago; and a January
    burglary in A reported yesterday."""
    with_privacy(**POLICY)
    jan = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    record(now, A, jan, "burglary", n=12)
    record(now, A, jan + timedelta(days=2), "vehicle_crime", n=3)
    record(now, B, jan + timedelta(days=4), "vehicle_crime", n=4)
    record(now, C, jan + timedelta(days=5), "vehicle_crime", n=5)
    record(now, C, jan + timedelta(days=6), "robbery")
    record(now, D, jan + timedelta(days=10), "drugs", n=2)
    record(now, A, datetime(2026, 2, 10, 9, 0, tzinfo=UTC), "burglary", n=12)
    record(now, A, NOW - timedelta(days=2), "burglary", n=12)
    record(now, A, datetime(2026, 1, 25, 9, 0, tzinfo=UTC), "burglary", reported=NOW - timedelta(days=1))
    yield now


@pytest.mark.parametrize("who", BELOW_STAFF, ids=lambda p: sorted(p.roles)[0])
def test_nothing_newer_than_the_delay_reaches_a_caller_below_staff(
    aws: ArgusAws, scenario: clock.FixedClock, who: Principal
) -> None:
    # Given the organisation's 30-day delay, on 20 March
    # When a caller below staff asks for the map of the last six months
    collection = public_map(who)
    # Then only January is there: February ends less than 30 days ago, and the burglaries of two days ago
    # and the January burglary reported yesterday are not counted anywhere
    months = sorted({f["properties"]["month"] for f in collection["features"]})
    assert months == [JAN], months
    assert sum(count_of(f) for f in collection["features"]) == 24


def test_no_published_group_counts_fewer_than_the_minimum(aws: ArgusAws, scenario: clock.FixedClock) -> None:
    # When a resident asks for the map
    collection = public_map()
    # Then every group counts at least 10 records: A's burglaries in A; the vehicle crimes of A, B and C
    # together in their resolution-7 parent; C's robbery and D's drug offences withheld (each too few
    # even in their resolution-6 cell)
    assert min(count_of(f) for f in collection["features"]) >= 10
    assert groups(collection) == {(A, JAN, "burglary"): 12, (PARENT, JAN, "vehicle_crime"): 12}
    assert {f["geometry"]["type"] for f in collection["features"]} == {"Polygon"}
    assert all("id" not in f and "description" not in f["properties"] for f in collection["features"])


def test_the_answer_says_what_was_applied(aws: ArgusAws, scenario: clock.FixedClock) -> None:
    collection = public_map()
    assert collection["publication"] == {
        "generalised": True,
        "publicationDelayDays": 30,
        "publishedBefore": "2026-02-01T00:00:00.000Z",
        "minCellSize": 10,
        "locationResolution": 8,
        "rollUpResolutions": [7, 6],
        "period": "month",
        "months": ["2025-10", "2025-11", "2025-12", "2026-01"],
        "records": 24,
        "suppressedGroups": 2,
    }


def _answers() -> list[dict[str, Any]]:
    """What a resident can ask: the whole area, every cell's box, boxes cutting cells in half, the
    parent's box, and time ranges inside, across and around January."""
    boxes: list[list[float] | None] = [None, bbox_of(PARENT), bbox_of(PARENT, 0.05)]
    for cell in (A, B, C, D):
        west, south, east, north = bbox_of(cell)
        middle = (west + east) / 2
        boxes += [[west, south, east, north], [west, south, middle, north], [middle, south, east, north]]
    ranges = [
        (datetime(2025, 10, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)),
        (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 31, tzinfo=UTC)),
        (datetime(2026, 1, 16, tzinfo=UTC), datetime(2026, 1, 17, tzinfo=UTC)),
        (datetime(2025, 12, 31, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)),
    ]
    return [public_map(RESIDENT, start, end, box) for start, end in ranges for box in boxes]


def test_a_withheld_count_cannot_be_recovered_by_differencing(
    aws: ArgusAws, scenario: clock.FixedClock
) -> None:
    # Given every answer a resident can get over the area: any box, any range
    before = _answers()
    # When one more robbery lands in C and one more drug offence in D (both groups stay withheld)
    record(scenario, C, datetime(2026, 1, 17, 9, 0, tzinfo=UTC), "robbery")
    record(scenario, D, datetime(2026, 1, 21, 9, 0, tzinfo=UTC), "drugs")
    # Then no answer changed: no total, count or difference of two answers depends on how many records a
    # withheld group holds
    assert _answers() == before


def test_a_box_answers_whole_groups_and_never_a_finer_position(aws: ArgusAws, now: clock.FixedClock) -> None:
    # Given 12 January burglaries a few metres west of A's centre
    with_privacy(**POLICY)
    record(now, A, datetime(2026, 1, 10, 9, 0, tzinfo=UTC), "burglary", n=12, east_m=-20.0)
    lon, _ = centre(A)
    west, south, east, north = bbox_of(A)
    # When a resident asks for the western and the eastern part of A (split at A's centre), and a box
    # around the exact points only
    halves = [public_map(bbox=[west, south, lon, north]), public_map(bbox=[lon, south, east, north])]
    # Then both halves show A's whole group: which half holds the burglaries is not given away
    assert [groups(h) for h in halves] == [{(A, JAN, "burglary"): 12}] * 2
    assert groups(public_map(bbox=[west, south, east, north])) == {(A, JAN, "burglary"): 12}


def test_whole_months_only_and_the_map_changes_once_a_month(
    aws: ArgusAws, scenario: clock.FixedClock
) -> None:
    # A day in January answers for the whole of January
    day = public_map(start=datetime(2026, 1, 12, tzinfo=UTC), end=datetime(2026, 1, 12, 23, tzinfo=UTC))
    month = public_map(start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2026, 1, 31, 23, tzinfo=UTC))
    assert groups(day) == groups(month) == {(A, JAN, "burglary"): 12, (PARENT, JAN, "vehicle_crime"): 12}
    # Day after day the answer stays the same until February is 30 days over
    first = public_map()
    with at(scenario, datetime(2026, 3, 30, 23, 59, tzinfo=UTC)):
        assert public_map() == first
    with at(scenario, datetime(2026, 3, 31, tzinfo=UTC)):
        assert groups(public_map())[(A, "2026-02", "burglary")] == 12
    # And the January burglary reported on 19 March joins January once March is 30 days over
    with at(scenario, datetime(2026, 4, 30, 23, 59, tzinfo=UTC)):
        assert groups(public_map())[(A, JAN, "burglary")] == 12
    with at(scenario, datetime(2026, 5, 1, tzinfo=UTC)):
        later = groups(public_map())
        assert later[(A, JAN, "burglary")] == 13 and later[(A, "2026-03", "burglary")] == 12


def test_imported_police_records_count_from_their_own_month(aws: ArgusAws, now: clock.FixedClock) -> None:
    # Given ten January burglaries in A, imported from data.police.uk yesterday
    with_privacy(**POLICY)
    lon, lat = centre(A)
    rows = [f"crime-{n},2026-01,Met,Met,{lon},{lat},On or near X,,,Burglary,," for n in range(10)]
    with at(now, NOW - timedelta(days=1)):
        report = imports.import_csv(
            officer(), "police-uk", "\r\n".join([",".join(imports.POLICE_UK_HEADER), *rows])
        )
    assert report.imported == 10
    # Then they count in January, already published: the police knew of them in January
    assert groups(public_map()) == {(A, JAN, "burglary"): 10}


@pytest.mark.parametrize("who", STAFF, ids=lambda p: sorted(p.roles)[0])
def test_staff_see_every_incident_exactly_and_at_once(
    aws: ArgusAws, scenario: clock.FixedClock, who: Principal
) -> None:
    collection = public_map(who)
    assert len(collection["features"]) == 12 + 3 + 4 + 5 + 1 + 2 + 12 + 12 + 1
    assert {f["geometry"]["type"] for f in collection["features"]} == {"Point"}
    assert all(f["id"] and "description" in f["properties"] for f in collection["features"])
    assert max(f["properties"]["occurredFrom"] for f in collection["features"]) >= clock.iso(
        NOW - timedelta(days=2)
    )
    assert set(collection) == {"type", "features"}  # as before: no publication member for staff


MAP = """query Map($from: DateTime!, $to: DateTime!) { incidentsGeoJson(from: $from, to: $to) }"""
UPDATE = """mutation Update($input: UpdateOrganisationInput!) {
  updateOrganisation(input: $input) { privacy { minCellSize locationResolution publicationDelayDays } }
}"""


async def _graphql(query: str, who: Principal, variables: dict[str, Any]) -> dict[str, Any]:
    result = await schema.execute(query, variable_values=variables, context_value=ArgusContext(principal=who))
    assert not result.errors, [e.formatted for e in result.errors]
    assert result.data is not None
    return result.data


async def test_changing_the_privacy_settings_changes_the_map(
    aws: ArgusAws, scenario: clock.FixedClock
) -> None:
    window = {"from": "2025-10-01T00:00:00Z", "to": "2026-04-01T00:00:00Z"}
    before = (await _graphql(MAP, RESIDENT, window))["incidentsGeoJson"]
    # When the admin sets a minimum of 3, no delay and resolution-7 cells
    privacy = {"minCellSize": 3, "publicationDelayDays": 0, "locationResolution": 7}
    updated = await _graphql(UPDATE, admin(), {"input": {"privacy": privacy}})
    assert updated["updateOrganisation"]["privacy"] == privacy
    after = (await _graphql(MAP, RESIDENT, window))["incidentsGeoJson"]
    # Then the map follows: February is out (March is not over), every group is a resolution-7 cell of at
    # least 3, C's single robbery is withheld, and D's two drug offences too
    assert after != before
    assert groups(after) == {
        (PARENT, JAN, "burglary"): 12,
        (PARENT, JAN, "vehicle_crime"): 12,
        (PARENT, "2026-02", "burglary"): 12,
    }
    assert {f["properties"]["resolution"] for f in after["features"]} == {7}
    applied = after["publication"]
    assert (applied["minCellSize"], applied["publicationDelayDays"], applied["locationResolution"]) == (
        3,
        0,
        7,
    )
    assert (applied["publishedBefore"], applied["rollUpResolutions"], applied["suppressedGroups"]) == (
        "2026-03-01T00:00:00.000Z",
        [6, 5],
        2,
    )
