"""What the local stack does about moto's memory and the background work DynamoDB does that moto
never does (argus.local.moto_patches, argus.local.housekeeping): TTL expiry, shard iterators that
expire, a stream trimmed of what its only reader has dealt with, model objects tracked weakly, no
empty partitions, and a Query that tolerates writes on other threads."""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from argus.local import housekeeping, moto_patches
from argus.local.poller import Poller
from argus.local.provision import provision
from argus.platform.table import create_table_request
from moto import mock_aws
from moto.core.model_instances import reset_model_data
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

REGION = "eu-west-2"
ACCOUNT = "123456789012"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def aws() -> Iterator[tuple[Any, Any]]:
    with moto_patches.installed(), mock_aws():
        ddb = boto3.client("dynamodb", region_name=REGION)
        ddb.create_table(**create_table_request("t"))
        ddb.update_time_to_live(
            TableName="t", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
        )
        yield ddb, boto3.client("dynamodbstreams", region_name=REGION)


def _table() -> Table:
    table: Table = dynamodb_backends[ACCOUNT][REGION].get_table("t")
    return table


def _stream_arn(ddb: Any) -> str:
    arn: str = ddb.describe_table(TableName="t")["Table"]["LatestStreamArn"]
    return arn


def _put(ddb: Any, pk: str, **attributes: dict[str, str]) -> None:
    ddb.put_item(TableName="t", Item={"PK": {"S": pk}, "SK": {"S": "X"}, **attributes})


def _exists(ddb: Any, pk: str) -> bool:
    return "Item" in ddb.get_item(TableName="t", Key={"PK": {"S": pk}, "SK": {"S": "X"}})


def _iterator(streams: Any, arn: str, kind: str = "TRIM_HORIZON", **position: str) -> str:
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator: str = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType=kind, **position
    )["ShardIterator"]
    return iterator


def _epoch(moment: datetime) -> dict[str, str]:
    return {"N": str(int(moment.timestamp()))}


# -- TTL ---------------------------------------------------------------------------------------------


def test_an_expired_item_disappears_and_a_live_one_stays(aws: tuple[Any, Any]) -> None:
    ddb, streams = aws
    arn = _stream_arn(ddb)
    # Given items expired a second ago, expiring in a minute, without a TTL, with a TTL that is not a
    # Number, and one expired more than five years ago (DynamoDB ignores those two)
    _put(ddb, "expired", expires_at=_epoch(NOW - timedelta(seconds=1)))
    _put(ddb, "live", expires_at=_epoch(NOW + timedelta(minutes=1)))
    _put(ddb, "no-ttl")
    _put(ddb, "text-ttl", expires_at={"S": str(int((NOW - timedelta(days=1)).timestamp()))})
    _put(ddb, "ancient", expires_at=_epoch(NOW - timedelta(days=6 * 365)))
    start = _iterator(streams, arn, "LATEST")
    # When the local stack's TTL runs
    deleted = housekeeping.expire_ttl_items(_table(), NOW)
    # Then only the expired item is gone, with a REMOVE record naming the DynamoDB service
    assert deleted == 1
    assert not _exists(ddb, "expired")
    assert all(_exists(ddb, pk) for pk in ("live", "no-ttl", "text-ttl", "ancient"))
    records = streams.get_records(ShardIterator=start)["Records"]
    assert [(r["eventName"], r["dynamodb"]["Keys"]["PK"]["S"]) for r in records] == [("REMOVE", "expired")]
    assert records[0]["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
    # And the live one goes once its time has passed
    assert housekeeping.expire_ttl_items(_table(), NOW + timedelta(minutes=2)) == 1
    assert not _exists(ddb, "live")


def test_nothing_expires_when_the_table_has_ttl_disabled(aws: tuple[Any, Any]) -> None:
    ddb, _ = aws
    ddb.update_time_to_live(
        TableName="t", TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires_at"}
    )
    # Given an expired item in a table whose TTL is off, When the TTL runs, Then it stays
    _put(ddb, "expired", expires_at=_epoch(NOW - timedelta(hours=1)))
    assert housekeeping.expire_ttl_items(_table(), NOW) == 0
    assert _exists(ddb, "expired")


# -- the stream ----------------------------------------------------------------------------------------


def test_a_trimmed_stream_starts_after_what_was_trimmed_and_numbers_on(aws: tuple[Any, Any]) -> None:
    ddb, streams = aws
    arn = _stream_arn(ddb)
    old_iterator = _iterator(streams, arn)
    for pk in ("a", "b", "c"):
        _put(ddb, pk)
    records = streams.get_records(ShardIterator=old_iterator)["Records"]
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    # Given three records read, When the stream is trimmed through the second
    assert housekeeping.trim_stream(_table(), str(numbers[1])) == 2
    # Then a TRIM_HORIZON iterator starts at the third, and a new record takes the next number
    _put(ddb, "d")
    after = streams.get_records(ShardIterator=_iterator(streams, arn))["Records"]
    assert [r["dynamodb"]["Keys"]["PK"]["S"] for r in after] == ["c", "d"]
    assert int(after[1]["dynamodb"]["SequenceNumber"]) == numbers[2] + 1
    # And a position before the trim horizon is refused as DynamoDB refuses it
    stale = _iterator(streams, arn, "AT_SEQUENCE_NUMBER", SequenceNumber=str(numbers[0]))
    with pytest.raises(streams.exceptions.TrimmedDataAccessException):
        streams.get_records(ShardIterator=stale)


def test_a_shard_iterator_expires_after_fifteen_minutes(aws: tuple[Any, Any]) -> None:
    ddb, streams = aws
    arn = _stream_arn(ddb)
    old = _iterator(streams, arn)
    fresh = _iterator(streams, arn)
    backend = housekeeping.streams_of(arn)
    backend.shard_iterators[old].created_at -= 15 * 60 + 1  # type: ignore[attr-defined]
    # Given an iterator handed out 15 minutes ago and a fresh one, When iterators expire
    assert housekeeping.expire_shard_iterators(backend) == 1
    # Then the old one is refused as on AWS and the fresh one still reads
    with pytest.raises(streams.exceptions.ExpiredIteratorException):
        streams.get_records(ShardIterator=old)
    assert streams.get_records(ShardIterator=fresh)["Records"] == []


def test_the_poller_trims_what_it_relayed_and_lets_its_iterators_go(aws: tuple[Any, Any]) -> None:
    ddb, streams = aws
    clients = {s: boto3.client(s, region_name=REGION) for s in ("dynamodb", "events", "sqs", "kms", "s3")}
    resources = provision(
        {**clients, "dynamodbstreams": streams, "region": REGION},
        table_name="relayed",
        bus_name="relayed",
        consumers=(),
    )
    relayed: list[str] = []

    def relay(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        relayed.extend(r["dynamodb"]["Keys"]["PK"]["S"] for r in event["Records"])
        return {"batchItemFailures": []}

    poller = Poller(
        {**clients, "dynamodbstreams": streams},
        resources,
        (),
        live_handler=lambda event, context: {"batchItemFailures": []},
        relay_handler=relay,
        housekeeping=housekeeping.Housekeeping(resources.stream_arn),
    )
    table: Table = dynamodb_backends[ACCOUNT][REGION].get_table("relayed")
    # Given outbox items and another item written to the table
    for pk in ("o1", "o2"):
        ddb.put_item(TableName="relayed", Item={"PK": {"S": pk}, "SK": {"S": "X"}, "kind": {"S": "outbox"}})
    ddb.put_item(TableName="relayed", Item={"PK": {"S": "other"}, "SK": {"S": "X"}, "kind": {"S": "x"}})
    poller.start()
    try:
        deadline = time.monotonic() + 10
        while (len(relayed) < 2 or table.stream_shard.items) and time.monotonic() < deadline:  # type: ignore[union-attr]
            time.sleep(0.05)
        time.sleep(0.3)  # a few idle polls
    finally:
        poller.stop()
    # When the poller has relayed them, Then the stream keeps none of the records, and of the
    # iterators it read with only the one it holds
    assert relayed == ["o1", "o2"]
    assert table.stream_shard.items == []  # type: ignore[union-attr]
    assert len(housekeeping.streams_of(resources.stream_arn).shard_iterators) <= 1


# -- moto's own bookkeeping ----------------------------------------------------------------------------


def test_moto_tracks_its_objects_weakly(aws: tuple[Any, Any]) -> None:
    ddb, _ = aws
    for reset in (False, True):
        if reset:
            reset_model_data()  # moto puts plain lists back; tracking stays weak
        # Given items written and queried (each Query answers from copies of the items)
        for n in range(20):
            _put(ddb, f"item-{reset}-{n}")
            ddb.query(
                TableName="t",
                KeyConditionExpression="PK = :pk",
                ExpressionAttributeValues={":pk": {"S": f"item-{reset}-{n}"}},
            )
        gc.collect()
        # Then moto's dashboard list holds the items written, alive in the table, and no copy
        tracked = {id(i) for i in Item.instances_tracked}  # type: ignore[attr-defined]
        stored = {id(i): i for i in moto_patches.all_items_unsorted(_table())}
        written = {k for k, i in stored.items() if i.hash_key.value.startswith(f"item-{reset}-")}
        assert len(written) == 20
        assert written <= tracked <= set(stored)


def test_reads_and_deletes_of_absent_keys_leave_no_empty_partition(aws: tuple[Any, Any]) -> None:
    ddb, _ = aws
    key = {"PK": {"S": "kept"}, "SK": {"S": "X"}}
    _put(ddb, "kept")
    # Given a table of one item, When absent keys are read, deleted, and the one item deleted
    for n in range(5):
        ddb.get_item(TableName="t", Key={"PK": {"S": f"absent-{n}"}, "SK": {"S": "X"}})
        ddb.delete_item(TableName="t", Key={"PK": {"S": f"gone-{n}"}, "SK": {"S": "X"}})
    assert "Item" in ddb.get_item(TableName="t", Key=key)
    ddb.delete_item(TableName="t", Key=key)
    # Then the table holds no partition at all
    assert dict(_table().items) == {}


def test_a_query_while_other_threads_write_new_partitions_succeeds(aws: tuple[Any, Any]) -> None:
    table = _table()
    for n in range(20_000):
        table.put_item({"PK": {"S": f"p{n}"}, "SK": {"S": "X"}})
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            table.put_item({"PK": {"S": f"new-{n}"}, "SK": {"S": "X"}})
            n += 1

    interval = sys.getswitchinterval()
    writer = threading.Thread(target=write)
    # Given a writer adding partitions, switching threads as often as the interpreter allows
    sys.setswitchinterval(1e-6)
    writer.start()
    try:
        # When queries run meanwhile, Then each answers (moto's iteration of the table does not break)
        for _ in range(10):
            results, _, _ = table.query(DynamoType({"S": "p7"}), None, [], None, None, True, None)
            assert [r.hash_key.value for r in results] == ["p7"]
    finally:
        stop.set()
        writer.join()
        sys.setswitchinterval(interval)
