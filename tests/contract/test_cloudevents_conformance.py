"""Our CloudEvents parser against the CloudEvents JSON-format conformance cases
(../shared/standards/cloudevents-1.0/conformance/format/json)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from argus.platform.cloudevents import InvalidEvent, parse_batch, parse_event

from tests.contract.conftest import STANDARDS

CONFORMANCE = STANDARDS / "cloudevents-1.0" / "conformance" / "format" / "json"
CORE_OPTIONAL = ("datacontenttype", "dataschema", "subject", "time")
NOT_EXTENSIONS = {"specversion", "id", "source", "type", *CORE_OPTIONAL, "data", "data_base64"}


def cases(file_name: str) -> list[Any]:
    """One pytest param per conformance case, with the case's own id; a skipped placeholder when the
    shared standards are not beside the repository."""
    path = CONFORMANCE / file_name
    if not path.is_file():
        return [
            pytest.param(
                None,
                id=f"{file_name}-unavailable",
                marks=pytest.mark.skip(reason=f"conformance file not found: {path.resolve()}"),
            )
        ]
    document = json.loads(path.read_text(encoding="utf-8"))
    return [pytest.param(case, id=case["id"]) for case in document["tests"]]


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def assert_same_event(event: Any, document: dict[str, Any]) -> None:
    """Every attribute of ``document`` survived parsing with its value."""
    assert event.get_specversion() == document["specversion"]
    assert event.get_id() == document["id"]
    assert event.get_source() == document["source"]
    assert event.get_type() == document["type"]
    assert event.get_datacontenttype() == document.get("datacontenttype")
    assert event.get_dataschema() == document.get("dataschema")
    assert event.get_subject() == document.get("subject")
    if document.get("time") is not None:
        assert event.get_time() == _instant(document["time"])
    for name, value in document.items():
        if name not in NOT_EXTENSIONS:
            assert event.get_extension(name) == value, name
    if "data" in document:
        assert event.get_data() == document["data"]


@pytest.mark.parametrize("case", cases("valid-events.json"))
def test_a_valid_event_is_accepted(case: dict[str, Any]) -> None:
    # Given a valid structured-mode event, as JSON text on the wire
    document = case["event"]
    # When our parser reads it
    event = parse_event(json.dumps(document))
    # Then every attribute is kept
    assert_same_event(event, document)
    if case.get("sampleId") == "minimalWithTime":
        # all the time variants of this sample name the same instant
        assert event.get_time() == datetime(2018, 4, 5, 17, 31, tzinfo=UTC)


def _without_time(file_name: str) -> list[Any]:
    return [p for p in cases(file_name) if p.values[0] is None or p.values[0]["event"].get("time") is None]


@pytest.mark.parametrize("case", _without_time("valid-events.json"))
def test_an_event_without_time_stays_without_time(case: dict[str, Any]) -> None:
    # Given a valid event without a time (the attribute is OPTIONAL)
    # When our parser reads it
    event = parse_event(json.dumps(case["event"]))
    # Then it has no time: a receiver must not claim its own clock as the occurrence time
    assert event.get_time() is None


@pytest.mark.parametrize("case", cases("invalid-events.json"))
def test_an_invalid_event_is_rejected(case: dict[str, Any]) -> None:
    # Given an event the specification forbids
    # When our parser reads it, Then it raises InvalidEvent (and nothing else)
    with pytest.raises(InvalidEvent):
        parse_event(json.dumps(case["event"]))


@pytest.mark.parametrize("case", cases("invalid-events.json"))
def test_an_invalid_event_is_rejected_when_given_as_a_dict(case: dict[str, Any]) -> None:
    # The SQS consumer hands parse_event the already-decoded ``detail`` object
    with pytest.raises(InvalidEvent):
        parse_event(case["event"])


@pytest.mark.parametrize("case", cases("valid-batches.json"))
def test_a_valid_batch_is_accepted(case: dict[str, Any]) -> None:
    # Given a valid JSON batch
    batch = case["batch"]
    # When read
    events = parse_batch(json.dumps(batch))
    # Then it yields one event per member, in order, each intact
    assert len(events) == len(batch)
    for event, document in zip(events, batch, strict=True):
        assert_same_event(event, document)


@pytest.mark.parametrize("case", cases("invalid-batches.json"))
def test_an_invalid_batch_is_rejected(case: dict[str, Any]) -> None:
    with pytest.raises(InvalidEvent):
        parse_batch(json.dumps(case["batch"]))
