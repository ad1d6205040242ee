"""What DynamoDB does in the background and moto never does, for the local stack's moto server (which
runs in this process): expired TTL items are deleted, shard iterators expire, and the table stream
keeps only what its reader still needs. Without it a long `argus dev` session keeps every outbox item,
every stream record and every shard iterator (one per poll) for as long as the process runs.

- TTL: an item whose TTL attribute holds a Number of epoch seconds in the past is deleted, with a
  REMOVE stream record whose ``userIdentity`` names the DynamoDB service, as DynamoDB's own TTL deletes
  have. DynamoDB ignores an attribute of another type, and a time more than five years in the past;
  so does this. DynamoDB deletes within days of expiry, here within a minute.
- Shard iterators expire 15 minutes after they are handed out, as on AWS (a read with one then gets
  ExpiredIteratorException). The poller gets a new one with every read (one every poll) and never
  reuses one, so it lets each go as soon as it has read with it.
- Stream records: DynamoDB keeps them 24 hours for any reader. The local stack's only reader is its
  event source mapping (the poller), so the records it has dealt with are trimmed at once; a
  TRIM_HORIZON iterator then starts after them, and an older position is refused with
  TrimmedDataAccessException, as DynamoDB refuses a position past its retention.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table
from moto.dynamodbstreams.models import DynamoDBStreamsBackend, dynamodbstreams_backends

from argus.local import moto_patches

SHARD_ITERATOR_LIFETIME = timedelta(minutes=15)
# DynamoDB's TTL ignores expiry times further back than this (a value in milliseconds, say).
TTL_IGNORED_BEFORE = timedelta(days=5 * 365)
TTL_SWEEP_INTERVAL = 60.0  # seconds
# As GetRecords gives it (a Lambda event spells the keys ``type`` and ``principalId``).
TTL_DELETE_IDENTITY = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}


def table_of_stream(stream_arn: str) -> Table:
    """The moto table whose stream this is (``arn:aws:dynamodb:<region>:<account>:table/<name>/stream/…``)."""
    _, _, _, region, account, resource = stream_arn.split(":", 5)
    backend: DynamoDBBackend = dynamodb_backends[account][region]
    return backend.get_table(resource.split("/")[1])


def streams_of(stream_arn: str) -> DynamoDBStreamsBackend:
    _, _, _, region, account, _ = stream_arn.split(":", 5)
    backend: DynamoDBStreamsBackend = dynamodbstreams_backends[account][region]
    return backend


def trim_stream(table: Table, through_sequence_number: str) -> int:
    """Drop the table's stream records up to and including ``through_sequence_number``; returns how many."""
    with moto_patches.lock:
        shard = table.stream_shard
        if shard is None:
            return 0
        count = int(through_sequence_number) - shard.starting_sequence_number + 1
        count = min(max(count, 0), len(shard.items))
        del shard.items[:count]
        # moto numbers a record by its index from the shard's starting sequence number.
        shard.starting_sequence_number += count
        return count


def _expiry(item: Item, attribute: str) -> float | None:
    value = item.attrs.get(attribute)
    if value is None or value.type != "N":
        return None
    try:
        return float(value.value)
    except ValueError:
        return None


def expire_ttl_items(table: Table, now: datetime | None = None) -> int:
    """Delete the table's expired items as DynamoDB's TTL does; returns how many (0 when TTL is off)."""
    attribute = table.ttl.get("AttributeName")
    if table.ttl.get("TimeToLiveStatus") != "ENABLED" or not attribute:
        return 0
    moment = (now or datetime.now(UTC)).timestamp()
    oldest = moment - TTL_IGNORED_BEFORE.total_seconds()
    deleted = 0
    for item in moto_patches.all_items_unsorted(table):
        at = _expiry(item, attribute)
        if at is None or not oldest <= at < moment:
            continue
        with moto_patches.lock:
            if table.delete_item(item.hash_key, item.range_key) is None:
                continue  # deleted meanwhile
            deleted += 1
            shard = table.stream_shard
            if shard is not None and shard.items:
                shard.items[-1].record["userIdentity"] = dict(TTL_DELETE_IDENTITY)
    return deleted


def expire_shard_iterators(streams: DynamoDBStreamsBackend, now: float | None = None) -> int:
    """Forget the shard iterators handed out more than 15 minutes ago (``time.monotonic`` clock)."""
    deadline = (time.monotonic() if now is None else now) - SHARD_ITERATOR_LIFETIME.total_seconds()
    stale = [
        arn for arn, it in list(streams.shard_iterators.items()) if getattr(it, "created_at", 0) < deadline
    ]
    for arn in stale:
        streams.shard_iterators.pop(arn, None)
    return len(stale)


@dataclass
class Housekeeping:
    """The background work of the local stack's table, run by the poller between its polls."""

    stream_arn: str
    sweep_interval: float = TTL_SWEEP_INTERVAL
    _next_sweep: float = field(default=0.0, init=False)

    def stream_processed(self, through_sequence_number: str) -> None:
        """The poller has dealt with every record up to this one (relayed, or given up to the DLQ)."""
        trim_stream(table_of_stream(self.stream_arn), through_sequence_number)

    def iterator_used(self, shard_iterator: str) -> None:
        """The poller has read with this iterator and will not use it again."""
        streams_of(self.stream_arn).shard_iterators.pop(shard_iterator, None)

    def tick(self) -> None:
        """Expire TTL items and shard iterators, at most once per ``sweep_interval`` seconds."""
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.sweep_interval
        expire_ttl_items(table_of_stream(self.stream_arn))
        expire_shard_iterators(streams_of(self.stream_arn), now)
