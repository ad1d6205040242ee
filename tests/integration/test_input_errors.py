"""Input errors through GraphQL name what is expected and the field as clients name it, never Python
internals (a parser's own words, snake_case model fields): scalars (DateTime, Date), the coverage point,
an incident's location and times, and pydantic-validated inputs."""

from __future__ import annotations

import re
from typing import Any

import pytest
from argus.api.context import ArgusContext
from argus.api.graphql import schema
from argus.organisations import service

from tests.factories.organisations import organisation_draft
from tests.factories.principals import admin
from tests.fakes.aws import ArgusAws

# What a message or field name must never show a client.
PYTHON_INTERNALS = re.compile(
    r"invalid literal|int\(\)|base 10|must be in 1\.\.12|out of range for month|too short|"
    r"\b[a-z]+_[a-z_]+\b"  # a snake_case name
)
GEOJSON = "query($f: DateTime!, $t: DateTime!) { incidentsGeoJson(from: $f, to: $t) }"
COVERAGE = "query($lon: Float!, $lat: Float!) { coverage(longitude: $lon, latitude: $lat) { group { id } } }"
REPORT = """
mutation($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }
"""
LOG = """
mutation($d: Date!) {
  logActivity(input: {groupId: "g", blockId: "b", kind: PATROL, hours: 1, occurredOn: $d}) { id }
}"""
UPDATE = "mutation($input: UpdateOrganisationInput!) { updateOrganisation(input: $input) { id } }"
TO = "2026-12-01T00:00:00Z"


def _report(**changes: Any) -> dict[str, Any]:
    report = {
        "category": "BURGLARY",
        "description": "Shed forced",
        "occurredFrom": "2026-11-20T22:00:00Z",
        "location": {"longitude": -0.1055, "latitude": 51.5292},
    }
    return {"input": {**report, **changes}}


# name → (document, variables, what the message must say, the field named in details (or None))
CASES: dict[str, tuple[str, dict[str, Any], str, str | None]] = {
    "datetime-words": (GEOJSON, {"f": "yesterday", "t": TO}, "DateTime expects an ISO 8601 date", None),
    "datetime-month-13": (GEOJSON, {"f": "2026-13-01T00:00:00Z", "t": TO}, '"2026-11-20T22:00:00Z"', None),
    "datetime-empty": (GEOJSON, {"f": "", "t": TO}, "with a UTC offset", None),
    "datetime-offset-25h": (GEOJSON, {"f": "2026-11-01T00:00:00+25:00", "t": TO}, "DateTime expects", None),
    "date-30-february": (LOG, {"d": "2026-02-30"}, "Date expects an ISO 8601 calendar date", None),
    "coverage-latitude": (COVERAGE, {"lon": -0.1, "lat": 95.0}, "latitude must be between -90", "latitude"),
    "coverage-longitude": (
        COVERAGE, {"lon": 200.0, "lat": 51.5}, "longitude must be between -180 and 180", "longitude",
    ),
    "report-latitude": (
        REPORT, _report(location={"longitude": -0.1, "latitude": 95}), "latitude must be between", None,
    ),
    "report-times": (
        REPORT, _report(occurredTo="2026-11-19T22:00:00Z"), "occurredFrom must not be after occurredTo", None,
    ),
    "organisation-privacy": (
        UPDATE, {"input": {"privacy": {"locationResolution": 99}}}, "privacy.locationResolution", None,
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
async def test_an_input_error_says_what_is_expected(case: str, aws: ArgusAws) -> None:
    query, variables, expected, field = CASES[case]
    service.create_organisation(admin(), organisation_draft())
    result = await schema.execute(
        query, variable_values=variables, context_value=ArgusContext(principal=admin())
    )
    [error] = [e.formatted for e in result.errors or []]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert expected in error["message"], error
    details = error["extensions"].get("details") or {}
    if field is not None:
        assert details["field"] == field, error
    shown = " ".join([error["message"], *map(str, details.get("fields", {}))])
    assert not PYTHON_INTERNALS.search(shown), error
