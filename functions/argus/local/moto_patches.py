"""Makes moto's DynamoDB transactions behave as DynamoDB's do, for the local stack.

moto 5.2.5 applies a transaction's writes one by one (appending their stream records), and on a
failed condition swaps in a deep copy of the whole table taken beforehand. So a cancelled
transaction's outbox item still reaches the stream, a stream iterator keeps pointing at the discarded
copy (no later event is ever delivered), and the copy races with the server's other threads
("dictionary changed size during iteration") and costs time in proportion to the table.

This replacement checks every condition first and writes nothing unless all hold; should a write still
fail, the items it touched and their stream records are put back. The patch point is a public method
of moto's backend; a test fails if it moves (tests/integration/test_moto_transactions.py).

Queries: moto sorts every item of the table before each Query (``Table.all_items``), then sorts the
matching items again by the key the Query reads in (the table's or the index's keys, with the table's
keys appended, so a total order). The first sort decides nothing and grew with the table: with the demo
incidents loaded it made every query of the local stack several times slower. While a Query runs, on its
own thread, ``all_items`` here returns the items unsorted; scans and everything else still get them
sorted (tests/integration/test_moto_queries.py compares the answers)."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table

_lock = threading.RLock()
_original = DynamoDBBackend.transact_write_items
_original_query = Table.query
_original_all_items = Table.all_items
_in_query = threading.local()
_OPERATIONS = {"ConditionCheck", "Put", "Delete", "Update"}


def _key(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    table = backend.get_table(op["TableName"])
    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = op["Item"][table.range_key_attr]
    return key


def _check(
    backend: DynamoDBBackend, items: list[dict[str, Any]]
) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Validate the request and every condition without writing; raise as DynamoDB would."""
    if len(items) > 100:
        raise TooManyTransactionsException()
    seen: set[tuple[str, str]] = set()
    planned: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    reasons: list[tuple[Any, Any, Any]] = []
    for item in items:
        if len(item) != 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        if op_type not in _OPERATIONS:
            raise ValueError("Unsupported transaction operation")
        key = _key(backend, op_type, op)
        identity = (str(op["TableName"]), str(dict(sorted(key.items()))))
        if identity in seen:
            raise MultipleTransactionsException()
        seen.add(identity)
        current = backend.get_item(op["TableName"], key)
        condition = op.get("ConditionExpression")
        holds = condition is None or get_filter_expression(
            condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        ).expr(current)
        if holds:
            reasons.append((None, None, None))
        else:
            old = (
                current.to_json()["Attributes"]
                if current and op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
                else None
            )
            reasons.append(("ConditionalCheckFailed", ConditionalCheckFailed().message, old))
        planned.append((op_type, op, key))
    if any(code is not None for code, _, _ in reasons):
        raise TransactionCanceledException(reasons)
    return planned


def _apply(backend: DynamoDBBackend, planned: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> None:
    touched: list[tuple[str, dict[str, Any], Any]] = []
    marks: dict[str, int] = {}
    try:
        for op_type, op, key in planned:
            name = op["TableName"]
            table = backend.get_table(name)
            if table.stream_shard is not None:
                marks.setdefault(name, len(table.stream_shard.items))
            touched.append((name, key, copy.deepcopy(backend.get_item(name, key))))
            if op_type == "Put":
                backend.put_item(name, op["Item"])
            elif op_type == "Delete":
                backend.delete_item(name, key)
            elif op_type == "Update":
                backend.update_item(
                    name,
                    key,
                    update_expression=op["UpdateExpression"],
                    expression_attribute_names=op.get("ExpressionAttributeNames") or {},
                    expression_attribute_values=op.get("ExpressionAttributeValues") or {},
                )
    except Exception:
        for name, key, before in reversed(touched):
            table = backend.get_table(name)
            hash_value, range_value = backend.get_keys_value(table, key)
            if before is None:
                table.delete_item(hash_value, range_value)
            else:
                table.put_item(before.to_json()["Attributes"])
        for name, mark in marks.items():
            shard = backend.get_table(name).stream_shard
            if shard is not None:
                del shard.items[mark:]
        raise


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    with _lock:
        _apply(self, _check(self, transact_items))


def all_items(self: Table) -> list[Item]:
    """moto's ``Table.all_items``, unsorted while this thread runs a Query (which sorts its matches)."""
    if not getattr(_in_query, "active", False):
        return _original_all_items(self)
    if not self.range_key_attr:
        return list(self.items.values())  # type: ignore[arg-type]
    return [item for partition in self.items.values() for item in partition.values()]


def query(self: Table, *args: Any, **kwargs: Any) -> Any:
    _in_query.active = True
    try:
        return _original_query(self, *args, **kwargs)
    finally:
        _in_query.active = False


# (class, attribute, replacement, moto's own)
_PATCHES: tuple[tuple[type, str, Any, Any], ...] = (
    (DynamoDBBackend, "transact_write_items", transact_write_items, _original),
    (Table, "query", query, _original_query),
    (Table, "all_items", all_items, _original_all_items),
)


def install() -> None:
    """Replace moto's transact_write_items and Query's full-table sort (idempotent)."""
    for owner, name, replacement, _ in _PATCHES:
        setattr(owner, name, replacement)


def uninstall() -> None:
    for owner, name, _, original in _PATCHES:
        setattr(owner, name, original)


@contextmanager
def installed() -> Iterator[None]:
    """The patches for the duration of a block (tests, benchmarks); what was there before comes back."""
    before = [(owner, name, owner.__dict__[name]) for owner, name, _, _ in _PATCHES]
    install()
    try:
        yield
    finally:
        for owner, name, value in before:
            setattr(owner, name, value)
