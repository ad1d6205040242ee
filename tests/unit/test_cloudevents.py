"""Building and reading Argus CloudEvents (the conformance suite is in tests/contract)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from argus.platform import clock
from argus.platform.cloudevents import (
    InvalidEvent,
    event_domain,
    make_event,
    parse_batch,
    parse_event,
    to_dict,
    to_json,
)
from argus.platform.ids import is_uuid7


def test_make_event_builds_the_argus_envelope() -> None:
    # Given a fixed clock
    moment = datetime(2025, 3, 14, 9, 26, 53, 589_000, tzinfo=UTC)
    # When an event is made
    with clock.use_clock(lambda: moment):
        event = make_event(
            "org.argus.organisation.created.v2",
            org_id="northshire",
            collection="organisations",
            subject="northshire",
            data={"actor": "user-1"},
        )
    document = to_dict(event)
    # Then it carries every attribute DESIGN.md §4 asks for
    assert is_uuid7(document.pop("id"))
    assert document == {
        "specversion": "1.0",
        "type": "org.argus.organisation.created.v2",
        "source": "/orgs/northshire/organisations",
        "subject": "northshire",
        "time": "2025-03-14T09:26:53.589000Z",
        "datacontenttype": "application/json",
        "dataschema": "urn:argus:events:org.argus.organisation.created.v2",
        "orgid": "northshire",
        "data": {"actor": "user-1"},
    }


def test_an_explicit_event_id_is_kept() -> None:
    event = make_event(
        "org.argus.organisation.updated.v2",
        org_id="n",
        collection="organisations",
        subject="n",
        data={},
        event_id="019593fa-5d95-73a1-81b2-c3d4e5f60718",
    )
    assert event.get_id() == "019593fa-5d95-73a1-81b2-c3d4e5f60718"


@pytest.mark.parametrize(
    "event_type",
    [
        "com.example.thing.v1",
        "org.argus.organisation.created",
        "org.argus.Organisation.created.v1",
        "org.argus.organisation.v1",
        "org.argus..created.v1",
        "",
    ],
)
def test_only_argus_event_types_can_be_made(event_type: str) -> None:
    with pytest.raises(ValueError, match="Not an Argus event type"):
        make_event(event_type, org_id="northshire", collection="organisations", subject="x", data={})


@pytest.mark.parametrize(
    ("event_type", "domain"),
    [
        ("org.argus.organisation.created.v2", "organisation"),
        ("org.argus.watch-group.member.joined.v2", "watch-group"),
    ],
)
def test_event_domain(event_type: str, domain: str) -> None:
    assert event_domain(event_type) == domain


def test_an_event_round_trips_through_json() -> None:
    event = make_event(
        "org.argus.organisation.updated.v2",
        org_id="northshire",
        collection="organisations",
        subject="northshire",
        data={"changed": ["name"], "actor": "u"},
    )
    parsed = parse_event(to_json(event))
    assert to_dict(parsed) == to_dict(event)
    assert parsed.get_extension("orgid") == "northshire"
    assert parse_event(to_json(event).encode()).get_data() == {"changed": ["name"], "actor": "u"}


@pytest.mark.parametrize("payload", ["not json", b"\xff\xfe", "[]", "null", '"text"', "42"])
def test_parse_event_refuses_what_is_not_a_json_object(payload: str | bytes) -> None:
    with pytest.raises(InvalidEvent):
        parse_event(payload)


@pytest.mark.parametrize("payload", ['{"specversion": "1.0"}', "[1]", json.dumps([None])])
def test_parse_batch_refuses_a_document_that_is_not_an_array_of_events(payload: str) -> None:
    with pytest.raises(InvalidEvent):
        parse_batch(payload)


@pytest.mark.parametrize("payload", ["not json", b"\xff\xfe"])
def test_parse_batch_reports_text_that_is_not_json_as_an_invalid_event(payload: str | bytes) -> None:
    with pytest.raises(InvalidEvent):
        parse_batch(payload)
