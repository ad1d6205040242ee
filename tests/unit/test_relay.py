"""The outbox relay: stream records of outbox inserts → the publisher, 10 per call, failures
reported by stream sequence number."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from argus.platform.cloudevents import CloudEvent, parse_event, with_extension
from argus.platform.publisher import BusEntry, EventBridgePublisher
from argus.platform.relay import MAX_ENTRY_BYTES, entry_size, outbox_records, relay

from tests.factories.events import cloudevent, outbox_image, outbox_stream_record, stream_record
from tests.fakes.publisher import FakeEventsClient, RecordingPublisher


def outbox_batch(count: int, start: int = 100) -> tuple[list[CloudEvent], list[dict[str, object]]]:
    events = [cloudevent(data={"actor": "user-admin", "changed": ["name"], "n": n}) for n in range(count)]
    return events, [outbox_stream_record(e, str(start + n)) for n, e in enumerate(events)]


def test_outbox_inserts_are_published_ten_per_call_in_order() -> None:
    # Given 25 outbox inserts on the stream
    events, records = outbox_batch(25)
    publisher = RecordingPublisher()
    # When they are relayed
    failed = relay(records, publisher)
    # Then PutEvents gets 10, 10 and 5 entries, in stream order, each carrying the whole CloudEvent
    assert failed == []
    assert [len(call) for call in publisher.calls] == [10, 10, 5]
    sent = [entry for call in publisher.calls for entry in call]
    assert [json.loads(e.detail)["id"] for e in sent] == [e.get_id() for e in events]
    assert {e.event_type for e in sent} == {"org.argus.organisation.updated.v2"}


def test_exactly_ten_records_make_one_call() -> None:
    _, records = outbox_batch(10)
    publisher = RecordingPublisher()
    relay(records, publisher)
    assert [len(call) for call in publisher.calls] == [10]


def test_nothing_to_relay_makes_no_call() -> None:
    publisher = RecordingPublisher()
    assert relay([], publisher) == []
    assert publisher.calls == []


def test_other_items_and_modifications_are_ignored() -> None:
    # Given a stream batch mixing outbox inserts with other items and non-insert events
    event = cloudevent()
    organisation_image = {
        "PK": {"S": "ORG#northshire#PROFILE"},
        "SK": {"S": "ORG"},
        "kind": {"S": "organisation"},
    }
    records = [
        stream_record(organisation_image, "1"),  # another entity
        outbox_stream_record(cloudevent(), "2", event_name="MODIFY"),  # an outbox item changed
        outbox_stream_record(cloudevent(), "3", event_name="REMOVE"),  # an outbox item expired by TTL
        stream_record({"PK": {"S": "SLUG#north"}, "SK": {"S": "SLUG"}}, "4"),  # no discriminator at all
        outbox_stream_record(event, "5"),
    ]
    publisher = RecordingPublisher()
    # When relayed
    failed = relay(records, publisher)
    # Then only the outbox insert is published
    assert failed == []
    assert publisher.calls == [
        [BusEntry(event_type=event.get_type(), detail=outbox_image(event)["event"]["S"])]
    ]
    assert [r.sequence_number for r in outbox_records(records)] == ["5"]


def test_refused_entries_are_reported_by_sequence_number() -> None:
    # Given a publisher that refuses the 3rd entry of the first call and the 1st of the second
    _, records = outbox_batch(15)
    publisher = RecordingPublisher(fail=lambda call, _entries: [2] if call == 0 else [0])
    # When relayed
    failed = relay(records, publisher)
    # Then exactly those records are reported for retry
    assert failed == ["102", "110"]


def test_a_failed_call_reports_its_whole_chunk_and_the_others_still_go() -> None:
    # Given a publisher whose second PutEvents call raises
    _, records = outbox_batch(25)
    publisher = RecordingPublisher(raise_on={1})
    # When relayed
    failed = relay(records, publisher)
    # Then every record of that chunk is reported, and the third chunk was still published
    assert failed == [str(n) for n in range(110, 120)]
    assert len(publisher.calls) == 3


def test_failed_entry_count_from_eventbridge_reaches_the_relay() -> None:
    # Given EventBridge refusing every "created" entry (FailedEntryCount > 0)
    created = [cloudevent("org.argus.organisation.created.v2", data={"actor": "a"}) for _ in range(3)]
    updated = [cloudevent() for _ in range(9)]
    ordered = [updated[0], created[0], *updated[1:5], created[1], *updated[5:], created[2]]
    records = [outbox_stream_record(e, f"{n:03d}") for n, e in enumerate(ordered)]
    client = FakeEventsClient(refuse={"org.argus.organisation.created.v2"})
    # When relayed through the EventBridge publisher
    failed = relay(records, EventBridgePublisher(client, "argus"))
    # Then the refused entries are reported by their sequence numbers, across both calls
    assert failed == ["001", "006", "011"]
    assert [len(r["Entries"]) for r in client.requests] == [10, 2]


def test_eventbridge_entries_follow_the_design() -> None:
    # Given an event of the organisation domain
    event = cloudevent("org.argus.organisation.created.v2", data={"actor": "a"})
    detail = outbox_image(event)["event"]["S"]
    client = FakeEventsClient()
    # When published
    assert EventBridgePublisher(client, "argus-bus").put([BusEntry(event.get_type(), detail)]) == []
    # Then Source is argus.<domain>, DetailType the CloudEvent type, Detail the whole CloudEvent
    assert client.requests == [
        {
            "Entries": [
                {
                    "EventBusName": "argus-bus",
                    "Source": "argus.organisation",
                    "DetailType": "org.argus.organisation.created.v2",
                    "Detail": detail,
                }
            ]
        }
    ]


def test_the_eventbridge_publisher_refuses_more_than_ten_and_skips_empty_calls() -> None:
    client = FakeEventsClient()
    publisher = EventBridgePublisher(client, "argus")
    entries: Sequence[BusEntry] = [BusEntry("org.argus.organisation.updated.v2", "{}")] * 11
    with pytest.raises(ValueError, match="at most 10"):
        publisher.put(entries)
    assert publisher.put([]) == []
    assert client.requests == []


# --- live events: their data as JSON text, for AppSync's AWSJSON ----------------------------------

LIVE = "org.argus.organisation.updated.v2"
NOT_LIVE = "org.argus.pattern.run-requested.v1"


def test_a_live_event_carries_its_data_as_json_text() -> None:
    # Given a live event on the stream
    event = cloudevent(LIVE, data={"actor": "user-admin", "changed": ["name"], "note": 'says "hi"'})
    publisher = RecordingPublisher()
    # When it is relayed with the live event types
    assert relay([outbox_stream_record(event, "1")], publisher, live_types={LIVE}) == []
    # Then its detail carries the extension attribute livedata: a string holding the data as JSON
    [[entry]] = publisher.calls
    detail = json.loads(entry.detail)
    assert isinstance(detail["livedata"], str)
    assert json.loads(detail["livedata"]) == detail["data"] == event.get_data()
    # And it is still the same, valid CloudEvent (a string extension is allowed by the specification)
    parsed = parse_event(entry.detail)
    assert parsed.get_extension("livedata") == detail["livedata"]
    assert (parsed.get_id(), parsed.get_type(), parsed.get_data()) == (
        event.get_id(),
        LIVE,
        event.get_data(),
    )
    assert {k: v for k, v in detail.items() if k != "livedata"} == json.loads(
        outbox_image(event)["event"]["S"]
    )


def test_other_events_are_published_exactly_as_the_outbox_holds_them() -> None:
    # Given an event of a type that is not delivered live
    event = cloudevent(NOT_LIVE, data={"runId": "r-1", "actor": "user-admin"})
    publisher = RecordingPublisher()
    # When relayed with the live event types
    relay([outbox_stream_record(event, "1")], publisher, live_types={LIVE})
    # Then its detail is the outbox's text, unchanged (no second copy of its data)
    assert publisher.calls == [[BusEntry(event_type=NOT_LIVE, detail=outbox_image(event)["event"]["S"])]]


def test_a_live_event_too_large_for_a_copy_is_published_without_it() -> None:
    # Given a live event whose data, copied, would take the entry past EventBridge's 256 KiB
    event = cloudevent(LIVE, data={"actor": "user-admin", "changed": ["name"], "blob": "x" * 150_000})
    publisher = RecordingPublisher()
    # When relayed
    assert relay([outbox_stream_record(event, "1")], publisher, live_types={LIVE}) == []
    # Then it is still published (its consumers get it), as the outbox holds it
    [[entry]] = publisher.calls
    assert entry.detail == outbox_image(event)["event"]["S"]
    assert entry_size(entry) <= MAX_ENTRY_BYTES


@pytest.mark.parametrize("name", ["liveData", "live_data", "x" * 21, "data", "orgid", "time", ""])
def test_an_extension_the_specification_forbids_or_the_event_has_is_refused(name: str) -> None:
    # CloudEvents extension names are 1-20 lowercase letters or digits, and not an attribute it has
    detail = outbox_image(cloudevent(LIVE))["event"]["S"]
    with pytest.raises(ValueError, match="cannot be added"):
        with_extension(detail, name, "{}")
