"""The local stack's moto patches under concurrent use, as the local stack's moto server uses them (one
thread per request): threads writing (new partitions, new items in a partition, attributes added to
items others are reading, deletes, transactions) and threads querying, scanning and reading the same
table. Every call must answer; none may fail with ``dictionary changed size during iteration``."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from argus.local import moto_patches
from argus.platform.table import create_table_request
from moto import mock_aws
from moto.dynamodb.models import dynamodb_backends

REGION = "eu-west-2"
ROUNDS = 20
BULK = 4000
HOT = [f"P#{n}" for n in range(4)]  # partitions every thread touches


@pytest.fixture
def ddb() -> Iterator[Any]:
    with moto_patches.installed(), mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(**create_table_request("t"))
        client.update_time_to_live(
            TableName="t", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
        )
        for pk in HOT:
            for n in range(50):
                client.put_item(TableName="t", Item=_item(pk, f"S#{n:03d}"))
        # and many partitions, so that iterating the table takes a while
        table = dynamodb_backends["123456789012"][REGION].get_table("t")
        for n in range(BULK):
            table.put_item(_item(f"B#{n}", "S#000"))
        yield client


def _item(pk: str, sk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}, "GSI1PK": {"S": "SAME"}, "GSI1SK": {"S": f"{pk}#{sk}"}}


def _writers(client: Any, me: int) -> list[Callable[[int], Any]]:
    def new_partition(n: int) -> Any:
        return client.put_item(TableName="t", Item=_item(f"W{me}#{n}", "S#000"))

    def new_item_in_a_hot_partition(n: int) -> Any:
        return client.put_item(TableName="t", Item=_item(HOT[n % 4], f"W{me}#{n:05d}"))

    def attribute_added_to_a_read_item(n: int) -> Any:
        # a new attribute name each time: moto changes the item's attribute dict in place
        return client.update_item(
            TableName="t",
            Key={"PK": {"S": HOT[n % 4]}, "SK": {"S": f"S#{n % 50:03d}"}},
            UpdateExpression=f"SET #a{me}x{n} = :v",
            ExpressionAttributeNames={f"#a{me}x{n}": f"a{me}x{n}"},
            ExpressionAttributeValues={":v": {"N": str(n)}},
        )

    def delete(n: int) -> Any:
        return client.delete_item(
            TableName="t", Key={"PK": {"S": HOT[n % 4]}, "SK": {"S": f"W{me}#{n - 1:05d}"}}
        )

    def transaction(n: int) -> Any:
        return client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "t", "Item": _item(f"T{me}#{n}", "S#000")}},
                {"Put": {"TableName": "t", "Item": _item(HOT[n % 4], f"T{me}#{n:05d}")}},
            ]
        )

    return [new_partition, new_item_in_a_hot_partition, attribute_added_to_a_read_item, delete, transaction]


def _readers(client: Any) -> list[Callable[[int], Any]]:
    def query(n: int) -> Any:
        return client.query(
            TableName="t",
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": HOT[n % 4]}},
        )

    def index_query(n: int) -> Any:
        return client.query(
            TableName="t",
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :g AND begins_with(GSI1SK, :p)",
            ExpressionAttributeValues={":g": {"S": "SAME"}, ":p": {"S": HOT[n % 4]}},
            Limit=20,
        )

    def scan(n: int) -> Any:
        return client.scan(TableName="t", Limit=50)

    def get(n: int) -> Any:
        return client.get_item(TableName="t", Key={"PK": {"S": HOT[n % 4]}, "SK": {"S": f"S#{n % 50:03d}"}})

    return [query, index_query, scan, get]


def test_concurrent_writes_and_reads_all_answer(ddb: Any) -> None:
    failures: list[str] = []
    start = threading.Barrier(6)

    def run(operations: list[Callable[[int], Any]]) -> None:
        start.wait()
        for n in range(1, ROUNDS + 1):
            for operation in operations:
                try:
                    operation(n)
                except Exception as exc:  # noqa: BLE001 - every failure is collected and reported
                    failures.append(f"{operation.__name__}: {type(exc).__name__}: {exc}")

    clients = [boto3.client("dynamodb", region_name=REGION) for _ in range(6)]
    threads = [threading.Thread(target=run, args=(_writers(clients[i], i),)) for i in range(3)]
    threads += [threading.Thread(target=run, args=(_readers(clients[3 + i]),)) for i in range(3)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads as often as the interpreter allows
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert failures == [], f"{len(failures)} calls failed, first: {failures[:5]}"


class _PartitionThatLetsAWriterIn(dict):  # type: ignore[type-arg]
    """A partition whose items, when read, first let another thread add a partition to the table (and
    wait for it at most ``patience`` seconds): a deterministic interleaving of a read and a write."""

    def __init__(self, items: dict[Any, Any], write: Callable[[], Any], patience: float) -> None:
        super().__init__(items)
        self._write, self._patience = write, patience
        self.writer: threading.Thread | None = None

    def values(self) -> Any:
        if self.writer is None:
            self.writer = threading.Thread(target=self._write)
            self.writer.start()
            self.writer.join(self._patience)
        return super().values()


def test_a_write_waits_for_a_scan_that_is_reading_the_table(ddb: Any) -> None:
    # Given a partition that, as a scan reads it, has another thread add a partition
    table = dynamodb_backends["123456789012"][REGION].get_table("t")
    writer_client = boto3.client("dynamodb", region_name=REGION)
    partition = _PartitionThatLetsAWriterIn(
        table.items["P#0"],
        lambda: writer_client.put_item(TableName="t", Item=_item("NEW", "S#000")),
        patience=0.5,
    )
    table.items["P#0"] = partition
    # When the table is scanned, Then the scan answers, and the write is done after it
    assert len(ddb.scan(TableName="t", Limit=10)["Items"]) == 10
    assert partition.writer is not None
    partition.writer.join()
    assert "Item" in ddb.get_item(TableName="t", Key={"PK": {"S": "NEW"}, "SK": {"S": "S#000"}})
