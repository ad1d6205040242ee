"""Live events on the bus: the outbox relay adds their data as JSON text (extension attribute
``livedata``, for AppSync's AWSJSON); what it puts on the bus is still a valid CloudEvent and a valid
catalogue event, and only live event types carry the copy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from argus.platform.cloudevents import parse_event, to_json
from argus.platform.publisher import BusEntry
from argus.platform.relay import LIVE_DATA, entry_size, with_live_data
from argus.realtime import LIVE_EVENT_TYPES
from jsonschema import Draft7Validator

from tests.contract.conftest import load_standard
from tests.contract.test_event_catalogue import (
    catalogue_types,
    catalogue_validator,
    errors_of,
    load,
    sample_path,
    schema_path,
)


@pytest.fixture(scope="module")
def cloudevents_schema() -> Draft7Validator:
    """The official CloudEvents 1.0 JSON Schema (../shared/standards)."""
    schema = load_standard("cloudevents-1.0", "spec", "cloudevents.json")
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def relayed(sample: dict[str, Any]) -> dict[str, Any]:
    """The sample as the relay puts a live event on the bus."""
    entry = with_live_data(BusEntry(sample["type"], json.dumps(sample)))
    detail: dict[str, Any] = json.loads(entry.detail)
    return detail


@pytest.mark.parametrize("event_type", sorted(LIVE_EVENT_TYPES))
def test_a_relayed_live_event_is_a_valid_cloudevent_and_catalogue_event(
    event_type: str, cloudevents_schema: Draft7Validator
) -> None:
    # Given the sample of a live type, relayed
    sample = load(sample_path(event_type))
    detail = relayed(sample)
    # Then it carries its data as JSON text, and nothing else changed
    assert json.loads(detail[LIVE_DATA]) == sample["data"]
    assert {k: v for k, v in detail.items() if k != LIVE_DATA} == sample
    # And it is valid against the official CloudEvents schema, its catalogue entry and our parser
    assert errors_of(cloudevents_schema, detail) == []
    assert errors_of(catalogue_validator(event_type), detail) == []
    assert parse_event(json.dumps(detail)).get_extension(LIVE_DATA) == detail[LIVE_DATA]


@pytest.mark.parametrize("event_type", catalogue_types())
def test_only_live_types_declare_the_copy(event_type: str) -> None:
    # The catalogue describes the event on the bus: the copy exactly where the relay adds it
    properties = load(schema_path(event_type))["properties"]
    assert (LIVE_DATA in properties) == (event_type in LIVE_EVENT_TYPES)
    if LIVE_DATA in properties:
        assert properties[LIVE_DATA]["type"] == "string"
        assert LIVE_DATA not in load(schema_path(event_type))["required"]


def test_the_copy_costs_less_than_its_data_twice() -> None:
    # Measured on the catalogue's samples: the entry grows by about the data's JSON text (escaped once
    # more, less the spaces the compact rewrite drops): 17-58 %, median 30 %, all far below 64 KiB
    growth = []
    for event_type in sorted(LIVE_EVENT_TYPES):
        sample = load(sample_path(event_type))
        before = BusEntry(event_type, to_json(parse_event(json.dumps(sample))))  # as the outbox writes it
        after = with_live_data(before)
        data_bytes = len(json.dumps(sample["data"], separators=(",", ":")).encode())
        added = entry_size(after) - entry_size(before)
        assert 0 < added <= 2 * data_bytes + len(LIVE_DATA) + 8, event_type
        assert entry_size(after) < 64 * 1024  # one PutEvents billing chunk, as before
        growth.append(added / entry_size(before))
    assert max(growth) < 1.0  # never doubles an entry: the envelope is shared
