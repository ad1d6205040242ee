"""The local stack's Query patch (argus.local.moto_patches): moto answers every Query, scan and page
exactly as it does without it. Also guards the patch points: if moto moves them, this fails."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from argus.local import moto_patches
from argus.platform.table import create_table_request
from moto import mock_aws
from moto.dynamodb.models.table import Table

REGION = "eu-west-2"

QUERIES: list[dict[str, Any]] = [
    {"KeyConditionExpression": "PK = :pk", "ExpressionAttributeValues": {":pk": {"S": "P#3"}}},
    {
        "KeyConditionExpression": "PK = :pk AND SK BETWEEN :a AND :b",
        "ExpressionAttributeValues": {":pk": {"S": "P#1"}, ":a": {"S": "S#020"}, ":b": {"S": "S#055"}},
        "ScanIndexForward": False,
    },
    # one sort key: the item, or nothing
    {
        "KeyConditionExpression": "PK = :pk AND SK = :sk",
        "ExpressionAttributeValues": {":pk": {"S": "P#1"}, ":sk": {"S": "S#050"}},
    },
    {
        "KeyConditionExpression": "PK = :pk AND SK = :sk",
        "ExpressionAttributeValues": {":pk": {"S": "P#1"}, ":sk": {"S": "S#051"}},
    },
    {"KeyConditionExpression": "PK = :pk", "ExpressionAttributeValues": {":pk": {"S": "P#absent"}}},
    # many items share the index keys: the order and the pages rest on the table keys appended
    {
        "IndexName": "GSI1",
        "KeyConditionExpression": "GSI1PK = :g",
        "ExpressionAttributeValues": {":g": {"S": "SAME"}},
    },
    {
        "IndexName": "GSI1",
        "KeyConditionExpression": "GSI1PK = :g AND GSI1SK > :s",
        "ExpressionAttributeValues": {":g": {"S": "SAME"}, ":s": {"S": "k#1"}},
        "ScanIndexForward": False,
    },
]


@pytest.fixture
def ddb() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(**create_table_request("t"))
        # written in an order unlike the key order, so that an unsorted table differs from a sorted one
        for n in reversed(range(60)):
            client.put_item(
                TableName="t",
                Item={
                    "PK": {"S": f"P#{n % 7}"},
                    "SK": {"S": f"S#{n:03d}"},
                    "GSI1PK": {"S": "SAME"},
                    "GSI1SK": {"S": f"k#{n % 3}"},
                },
            )
        yield client


def _pages(client: Any, request: dict[str, Any], limit: int) -> list[list[dict[str, Any]]]:
    pages, start = [], None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        response = client.query(TableName="t", Limit=limit, **request, **extra)
        pages.append(response["Items"])
        start = response.get("LastEvaluatedKey")
        if not start:
            return pages


def _answers(client: Any) -> list[Any]:
    answers: list[Any] = [client.scan(TableName="t")["Items"]]
    for request in QUERIES:
        answers += [_pages(client, request, 100), _pages(client, request, 4)]
    return answers


def test_queries_scans_and_pages_are_answered_as_without_the_patch(ddb: Any) -> None:
    without = _answers(ddb)
    moto_patches.install()
    try:
        patched = _answers(ddb)
    finally:
        moto_patches.uninstall()
    assert patched == without
    found = [any(page for page in answer) for answer in without[1:]]  # two answers per query
    assert found.count(False) == 4  # only the two queries for what is not there found nothing
    assert len(without[0]) == 60


def test_only_a_query_sees_the_items_unsorted_and_a_table_query_only_its_partition(ddb: Any) -> None:
    moto_patches.install()
    try:
        backend_table = next(iter(_tables()))
        sorted_items = backend_table.all_items()
        keys = [(i.hash_key, i.range_key) for i in sorted_items]
        assert keys == sorted(keys)
        seen: list[list[Any]] = []
        original = moto_patches._original_query

        def spy(self: Table, *args: Any, **kwargs: Any) -> Any:
            seen.append([(i.hash_key, i.range_key) for i in self.all_items()])
            return original(self, *args, **kwargs)

        moto_patches._original_query = spy  # type: ignore[assignment]
        try:
            ddb.query(TableName="t", **QUERIES[5])  # of an index: every item, unsorted
            ddb.query(TableName="t", **QUERIES[0])  # of the table: the partition's items alone
        finally:
            moto_patches._original_query = original
        assert seen[0] != keys and sorted(seen[0]) == keys
        assert sorted(seen[1]) == [k for k in keys if k[0].value == "P#3"]
        assert [(i.hash_key, i.range_key) for i in backend_table.all_items()] == keys
    finally:
        moto_patches.uninstall()


def _tables() -> Iterator[Table]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    yield from dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables.values()
