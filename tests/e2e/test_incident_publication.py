"""The incident map over HTTP on the running stack: below staff it is what the organisation's privacy
settings publish (delayed, whole months, groups of at least the minimum, named in the answer), it
follows a change of the settings, and staff still see every incident exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argus.incidents.service.imports import POLICE_UK_HEADER
from argus.local.stack import LocalStack

from .support import UPDATE_ORGANISATION, GraphQLClient, create_org, unique

pytestmark = pytest.mark.e2e

MAP = "query($from: DateTime!, $to: DateTime!) { incidentsGeoJson(from: $from, to: $to) }"
REPORT = "mutation($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }"
IMPORT = "mutation($csv: String!) { importIncidents(format: POLICE_UK, csv: $csv) { imported rejected } }"
SPOT = (-0.1055, 51.5292)


def _month_start(moment: datetime, back: int) -> datetime:
    year, month = moment.year, moment.month - back
    while month < 1:
        year, month = year - 1, month + 12
    return datetime(year, month, 1, tzinfo=UTC)


def _map(gql: GraphQLClient, token: str, start: datetime, end: datetime) -> dict[str, Any]:
    variables = {"from": start.isoformat(), "to": end.isoformat()}
    collection: dict[str, Any] = gql.execute(MAP, variables, token=token).ok()["incidentsGeoJson"]
    return collection


def test_a_residents_map_follows_the_privacy_settings(stack: LocalStack, gql: GraphQLClient) -> None:
    # Given an organisation with the default settings (10 / resolution 8 / 30 days); twelve burglaries
    # three months ago, imported from data.police.uk, and twelve reported in the last hours
    org = create_org(gql, stack, "publication")
    officer = stack.token(org.id, ["officer"], sub=unique("officer"))
    resident = stack.token(org.id, ["resident"], sub=unique("resident"))
    now = datetime.now(UTC)
    old = _month_start(now, 3)  # always published: its end lies more than 30 days back
    rows = [f"pub-{n},{old:%Y-%m},Met,Met,{SPOT[0]},{SPOT[1]},On or near X,,,Burglary,," for n in range(12)]
    imported = gql.execute(IMPORT, {"csv": "\r\n".join([",".join(POLICE_UK_HEADER), *rows])}, token=officer)
    assert imported.ok()["importIncidents"] == {"imported": 12, "rejected": 0}
    for n in range(12):
        began = (now - timedelta(hours=2, minutes=n)).isoformat()
        report = {
            "category": "BURGLARY",
            "occurredFrom": began,
            "location": {"longitude": SPOT[0], "latitude": SPOT[1]},
            "description": "Shed forced",
        }
        gql.execute(REPORT, {"input": report}, token=officer).ok()
    start, end = now - timedelta(days=360), now
    # When the resident asks for the last year
    seen = _map(gql, resident, start, end)
    # Then only the old month is there, as one count of a resolution-8 cell, and the answer says so
    assert [(f["properties"]["month"], f["properties"]["count"]) for f in seen["features"]] == [
        (f"{old:%Y-%m}", 12)
    ]
    assert seen["features"][0]["geometry"]["type"] == "Polygon"
    applied = seen["publication"]
    assert (applied["minCellSize"], applied["locationResolution"], applied["publicationDelayDays"]) == (
        10,
        8,
        30,
    )
    assert applied["records"] == 12 and applied["suppressedGroups"] == 0
    assert datetime.fromisoformat(applied["publishedBefore"]) <= now - timedelta(days=30)
    # And staff see all 24, exactly, the newest of them too
    exact = _map(gql, officer, start, end)["features"]
    assert len(exact) == 24 and {f["geometry"]["type"] for f in exact} == {"Point"}

    # When the admin raises the minimum to 20
    privacy = {"minCellSize": 20, "locationResolution": 8, "publicationDelayDays": 30}
    gql.execute(UPDATE_ORGANISATION, {"input": {"privacy": privacy}}, token=org.admin_token).ok()
    # Then the twelve are withheld even in the coarser cells
    after = _map(gql, resident, start, end)
    assert after["features"] == []
    assert (after["publication"]["minCellSize"], after["publication"]["suppressedGroups"]) == (20, 1)
