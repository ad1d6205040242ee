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
from argus.incidents import events
from argus.incidents.service import imports, maps, reports
from argus.platform import clock
from argus.platform.auth.principal import Role
from argus.platform.cloudevents import parse_event
from jsonschema.validators import validator_for

from tests.contract.conftest import EVENTS_DIR, load_standard
from tests.factories.principals import principal
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


@pytest.mark.parametrize("who", [OFFICER, MEMBER], ids=["exact", "generalised"])
def test_the_map_validates_against_geojson(aws: ArgusAws, shared_dir: Path, who: Any) -> None:
    root = shared_dir / "standards" / "geojson" / "schema"
    if not (root / "FeatureCollection.json").is_file():
        pytest.skip(f"{root} is absent")
    schema = json.loads((root / "FeatureCollection.json").read_text(encoding="utf-8"))
    with clock.use_clock(clock.FixedClock(datetime(2026, 3, 2, 18, 30, tzinfo=UTC))):
        _scenario()
        collection = maps.incidents_geojson(
            who, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC)
        )
    assert len(collection["features"]) == 2
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(collection), key=lambda e: list(e.path))
    assert not errors, [e.message for e in errors[:5]]
