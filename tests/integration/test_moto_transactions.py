"""The local stack's replacement of moto's DynamoDB transactions (argus.local.moto_patches):
all-or-nothing including the table stream, and a stream iterator that keeps working afterwards.
Also guards the patch point: if moto moves it, these tests fail."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from argus.local import moto_patches
from argus.platform.table import create_table_request
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

REGION = "eu-west-2"


@pytest.fixture
def clients() -> Iterator[tuple[Any, Any]]:
    moto_patches.install()
    try:
        with mock_aws():
            ddb = boto3.client("dynamodb", region_name=REGION)
            ddb.create_table(**create_table_request("t"))
            yield ddb, boto3.client("dynamodbstreams", region_name=REGION)
    finally:
        moto_patches.uninstall()


def _put(pk: str, condition: str | None = None) -> dict[str, Any]:
    put: dict[str, Any] = {
        "TableName": "t",
        "Item": {"PK": {"S": pk}, "SK": {"S": "X"}, "kind": {"S": "outbox"}},
    }
    if condition:
        put["ConditionExpression"] = condition
    return {"Put": put}


def _stream_keys(ddb: Any, streams: Any, iterator: str) -> tuple[list[str], str]:
    response = streams.get_records(ShardIterator=iterator)
    keys = [r["dynamodb"]["Keys"]["PK"]["S"] for r in response["Records"]]
    return keys, response["NextShardIterator"]


def test_the_patch_point_is_where_the_local_stack_expects_it() -> None:
    # Given moto as pinned, When the patch is installed, Then it replaces the backend method
    assert callable(DynamoDBBackend.transact_write_items)
    moto_patches.install()
    try:
        assert DynamoDBBackend.transact_write_items is moto_patches.transact_write_items
    finally:
        moto_patches.uninstall()
    assert DynamoDBBackend.transact_write_items is not moto_patches.transact_write_items


def test_a_cancelled_transaction_writes_nothing_and_streams_nothing(clients: tuple[Any, Any]) -> None:
    ddb, streams = clients
    arn = ddb.describe_table(TableName="t")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    ddb.transact_write_items(TransactItems=[_put("existing")])
    # Given an item, When a transaction's first write is fine but its second condition fails
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as caught:
        ddb.transact_write_items(TransactItems=[_put("new-1"), _put("existing", "attribute_not_exists(PK)")])
    # Then DynamoDB's reasons name the failed operation, nothing was written, nothing streamed
    codes = [r["Code"] for r in caught.value.response["CancellationReasons"]]
    assert codes == ["None", "ConditionalCheckFailed"]
    assert "Item" not in ddb.get_item(TableName="t", Key={"PK": {"S": "new-1"}, "SK": {"S": "X"}})
    keys, iterator = _stream_keys(ddb, streams, iterator)
    assert keys == ["existing"]
    # And the same iterator sees later writes
    ddb.transact_write_items(TransactItems=[_put("new-2")])
    keys, _ = _stream_keys(ddb, streams, iterator)
    assert keys == ["new-2"]


def test_two_writes_to_one_item_are_refused_as_dynamodb_does(clients: tuple[Any, Any]) -> None:
    ddb, _ = clients
    with pytest.raises(ddb.exceptions.ClientError) as caught:
        ddb.transact_write_items(TransactItems=[_put("same"), _put("same")])
    assert "ValidationException" in str(caught.value)
    assert "Item" not in ddb.get_item(TableName="t", Key={"PK": {"S": "same"}, "SK": {"S": "X"}})
