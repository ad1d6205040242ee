"""The outbox relay: DynamoDB stream records of outbox items → EventBridge, 10 entries per PutEvents.

Entries EventBridge refuses (``FailedEntryCount``) are reported as batch item failures by their
stream sequence number, so Lambda retries them and nothing is dropped.

Events of the live types (given by the caller: the platform knows no domain) also carry their data as
JSON text in the extension attribute ``livedata``. AppSync's ``AWSJSON`` arguments take JSON text, not
an object, and an EventBridge input transformer can only pass on what the event holds; other events are
published exactly as the outbox holds them, so they do not grow."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from argus.platform.cloudevents import with_extension
from argus.platform.publisher import MAX_ENTRIES_PER_PUT, BusEntry, EventPublisher
from argus.platform.table import TABLE

# How often a failing batch is retried before its position goes to the relay's dead-letter queue
# (the event source mapping on AWS and the local poller use the same number).
RELAY_MAX_ATTEMPTS = 10
# The extension attribute holding a live event's data as JSON text (the EventBridge → AppSync target
# maps it to the AWSJSON argument of publishLiveEvent).
LIVE_DATA = "livedata"
# EventBridge refuses an entry larger than 256 KiB (Source, DetailType and Detail in UTF-8, the parts
# an Argus entry has); a live event whose copy would pass it goes without the copy.
MAX_ENTRY_BYTES = 256 * 1024


@dataclass(frozen=True)
class OutboxRecord:
    sequence_number: str
    entry: BusEntry


def entry_size(entry: BusEntry) -> int:
    """The size EventBridge counts for ``entry`` against its 256 KiB limit."""
    request = entry.to_request("")
    return sum(len(request[part].encode("utf-8")) for part in ("Source", "DetailType", "Detail"))


def with_live_data(entry: BusEntry) -> BusEntry:
    """``entry`` whose CloudEvent also carries its data as JSON text (``livedata``), unless the copy
    would make the entry too large for EventBridge (then live subscribers miss it, consumers do not)."""
    data = json.loads(entry.detail).get("data")
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    copied = BusEntry(entry.event_type, with_extension(entry.detail, LIVE_DATA, text))
    return copied if entry_size(copied) <= MAX_ENTRY_BYTES else entry


def outbox_records(
    stream_records: Iterable[dict[str, Any]], live_types: Collection[str] = ()
) -> list[OutboxRecord]:
    """The outbox inserts among DynamoDB stream records (other items and modifications are ignored);
    those of ``live_types`` carry their data as JSON text too."""
    found: list[OutboxRecord] = []
    for record in stream_records:
        if record.get("eventName") != "INSERT":
            continue
        ddb = record.get("dynamodb", {})
        image = ddb.get("NewImage", {})
        if image.get(TABLE.discriminator, {}).get("S") != TABLE.outbox_kind:
            continue
        entry = BusEntry(event_type=image["event_type"]["S"], detail=image["event"]["S"])
        if entry.event_type in live_types:
            entry = with_live_data(entry)
        found.append(OutboxRecord(sequence_number=ddb["SequenceNumber"], entry=entry))
    return found


def relay(
    stream_records: Sequence[dict[str, Any]], publisher: EventPublisher, live_types: Collection[str] = ()
) -> list[str]:
    """Publish the outbox records (those of ``live_types`` with their data as JSON text too); return
    the sequence numbers of those that failed."""
    records = outbox_records(stream_records, live_types)
    failed: list[str] = []
    for start in range(0, len(records), MAX_ENTRIES_PER_PUT):
        chunk = records[start : start + MAX_ENTRIES_PER_PUT]
        try:
            failed_indexes = publisher.put([r.entry for r in chunk])
        except Exception:  # noqa: BLE001 - a failed call fails the whole chunk, which is retried
            failed_indexes = list(range(len(chunk)))
        failed += [chunk[i].sequence_number for i in failed_indexes]
    return failed


# The event-source filter of the relay: only inserts of outbox items (CDK sets it on the event source
# mapping; the local poller applies the same rule).
STREAM_FILTER_PATTERN: dict[str, Any] = {
    "eventName": ["INSERT"],
    "dynamodb": {"NewImage": {TABLE.discriminator: {"S": [TABLE.outbox_kind]}}},
}


def matches_stream_filter(record: dict[str, Any]) -> bool:
    image = record.get("dynamodb", {}).get("NewImage", {})
    return (
        record.get("eventName") == "INSERT"
        and image.get(TABLE.discriminator, {}).get("S") == TABLE.outbox_kind
    )
