"""Incidents against the standards: the map export validates against the official GeoJSON
FeatureCollection schema, and every event the services emit validates against its catalogue schema and
the CloudEvents schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from argus.geo import parse_area
from argus.incidents import events
from argus.incidents.service import imports, maps, reports
from argus.organisations import service as organisations
from argus.platform import clock
from argus.platform.auth.principal import Role
from argus.platform.cloudevents import parse_event
from jsonschema.validators import validator_for

from tests.contract.conftest import EVENTS_DIR, load_standard
from tests.factories.principals import admin, principal
from tests.fakes.aws import ArgusAws

OFFICER = principal(Role.OFFICER, sub="officer-okafor")
MEMBER = principal(Role.MEMBER, sub="member-mensah")
POINT = {"type": "Point", "coordinates": [-0.1060, 51.5290]}


def _errors(instance: Any, schema: dict[str, Any]) -> list[str]:
    cls = validator_for(schema)
    return [
        f"{list(e.path)}: {e.message}"
        for e in cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(instance)
    ]


def _scenario() -> None:
    incident = reports.report(
        OFFICER,
        {
            "category": "robbery",
            "occurred_from": "2026-03-02T17:00:00Z",
            "location": POINT,
            "description": "Phone snatched",
        },
    )
    reports.triage(OFFICER, incident.id, "Confirmed")
    reports.add_note(OFFICER, incident.id, "CCTV requested")
    reports.refer(OFFICER, incident.id, "CAD-1", "Passed on")
    reports.close(OFFICER, incident.id, "Done")
    row = (
        ",".join(imports.POLICE_UK_HEADER) + "\r\nabc123,2026-01,Met,Met,-0.1,51.5,On or near X,,,Drugs,,\r\n"
    )
    imports.import_csv(OFFICER, "police-uk", row)


def test_every_emitted_event_validates(aws: ArgusAws, shared_dir: Path) -> None:
    cloudevents_schema = load_standard("cloudevents-1.0", "spec", "cloudevents.json")
    with clock.use_clock(clock.FixedClock(datetime(2026, 3, 2, 18, 30, tzinfo=UTC))):
        _scenario()
    documents = [json.loads(item["event"]["S"]) for item in aws.items_of_kind("outbox")]
    assert {d["type"] for d in documents} == set(events.ALL_TYPES)
    for document in documents:
        schema = json.loads((EVENTS_DIR / f"{document['type']}.schema.json").read_text(encoding="utf-8"))
        assert _errors(document, schema) == [], document["type"]
        assert _errors(document, cloudevents_schema) == [], document["type"]
        parse_event(document)


def _geojson_schema(shared_dir: Path, name: str = "FeatureCollection") -> dict[str, Any]:
    root = shared_dir / "standards" / "geojson" / "schema"
    if not (root / f"{name}.json").is_file():
        pytest.skip(f"{root} is absent")
    return dict(json.loads((root / f"{name}.json").read_text(encoding="utf-8")))


def _geojson_errors(collection: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(collection), key=lambda e: list(e.path))
    return [f"{list(e.path)}: {e.message}" for e in errors[:5]]


@pytest.mark.parametrize(
    ("who", "privacy"),
    [(OFFICER, {}), (MEMBER, {"min_cell_size": 1, "publication_delay_days": 0})],
    ids=["exact", "generalised"],
)
def test_the_map_validates_against_geojson(
    aws: ArgusAws, shared_dir: Path, who: Any, privacy: dict[str, Any]
) -> None:
    schema = _geojson_schema(shared_dir)
    organisations.create_organisation(
        admin(), {"name": "Northshire", "slug": "northshire", "privacy": privacy}
    )
    with clock.use_clock(clock.FixedClock(datetime(2026, 3, 2, 18, 30, tzinfo=UTC))):
        _scenario()
    # asked once March is over, so that a minimum of 1 and no delay publish both incidents
    with clock.use_clock(clock.FixedClock(datetime(2026, 4, 1, tzinfo=UTC))):
        collection = maps.incidents_geojson(
            who, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC)
        )
    assert len(collection["features"]) == 2
    assert _geojson_errors(collection, schema) == []
    for feature in collection["features"]:
        if feature["geometry"]["type"] == "Polygon":  # a published cell: a closed ring, counter-clockwise
            parse_area(feature["geometry"])


def test_a_published_map_with_withheld_groups_validates(aws: ArgusAws, shared_dir: Path) -> None:
    # Given the default privacy settings (10 / resolution 8 / 30 days) and two lone incidents
    schema = _geojson_schema(shared_dir)
    organisations.create_organisation(admin(), {"name": "Northshire", "slug": "northshire"})
    with clock.use_clock(clock.FixedClock(datetime(2026, 3, 2, 18, 30, tzinfo=UTC))):
        _scenario()
    # When a member asks in May (January to March published)
    with clock.use_clock(clock.FixedClock(datetime(2026, 5, 1, tzinfo=UTC))):
        collection = maps.incidents_geojson(
            MEMBER, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC)
        )
    # Then both are withheld, the answer says so in its foreign member, and it is valid GeoJSON
    assert collection["features"] == []
    assert collection["publication"]["suppressedGroups"] == 2
    assert collection["publication"]["months"] == ["2026-01", "2026-02", "2026-03"]
    assert _geojson_errors(collection, schema) == []
    assert _geojson_errors(collection, _geojson_schema(shared_dir, "GeoJSON")) == []
