"""The outbox relay: DynamoDB stream records of outbox items → EventBridge, 10 entries per PutEvents.

Entries EventBridge refuses (``FailedEntryCount``) are reported as batch item failures by their
stream sequence number, so Lambda retries them and nothing is dropped."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from argus.platform.publisher import MAX_ENTRIES_PER_PUT, BusEntry, EventPublisher
from argus.platform.table import TABLE

# How often a failing batch is retried before its position goes to the relay's dead-letter queue
# (the event source mapping on AWS and the local poller use the same number).
RELAY_MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class OutboxRecord:
    sequence_number: str
    entry: BusEntry


def outbox_records(stream_records: Iterable[dict[str, Any]]) -> list[OutboxRecord]:
    """The outbox inserts among DynamoDB stream records (other items and modifications are ignored)."""
    found: list[OutboxRecord] = []
    for record in stream_records:
        if record.get("eventName") != "INSERT":
            continue
        ddb = record.get("dynamodb", {})
        image = ddb.get("NewImage", {})
        if image.get(TABLE.discriminator, {}).get("S") != TABLE.outbox_kind:
            continue
        found.append(
            OutboxRecord(
                sequence_number=ddb["SequenceNumber"],
                entry=BusEntry(event_type=image["event_type"]["S"], detail=image["event"]["S"]),
            )
        )
    return found


def relay(stream_records: Sequence[dict[str, Any]], publisher: EventPublisher) -> list[str]:
    """Publish the outbox records; return the sequence numbers of those that failed."""
    records = outbox_records(stream_records)
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
