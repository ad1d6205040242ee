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
sorted (tests/integration/test_moto_queries.py compares the answers).

Memory: moto keeps every model object it ever creates in a list on its class (``instances_tracked``,
for the ``/moto-api/data.json`` dashboard): every item, every copy a Query returns, every stream record,
message and shard iterator, long after moto itself has dropped them; here the lists hold them weakly, so
the dashboard still shows what is alive. A GetItem or a delete of an absent key, and the delete of a
partition's last item, leave an empty partition behind in moto's table (a ``defaultdict``); here they
do not.

Threads: the moto server answers each request on a thread of its own, and moto's DynamoDB is not
thread-safe: a Scan iterates the table's dicts while another request adds a partition, and UpdateItem
changes an item's attribute dict in place while a Query, Scan or GetItem copies or serialises that
item (``dictionary changed size during iteration``). Here every DynamoDB operation of the backend
(reads, writes, transactions), appending to, trimming (``argus.local.housekeeping``) and reading a
table stream hold one lock, and an item that leaves the lock (GetItem's, UpdateItem's) is a copy
(tests/integration/test_moto_concurrency.py).

Speed (what made the local stack's events trail by minutes after start-up, found with a sampling
profiler; benchmarks/local_stack.py measures it): every event put on the bus compiled the JSONPath
expressions of moto's default input template again for every target (a parser generator run each time:
most of PutEvents); every request to the moto server listed moto's package directory under the
server's dispatch lock and came on a new connection (HTTP/1.0); every SQS send and every message
received computed all of the queue's attributes, counting its messages one by one (a backlog made each
send slower); a stream's records went through moto's generic response serializer attribute by
attribute; and a Query of the table read every item of the table to find one partition's. Here the
compiled expressions are cached, the listing is read once, connections are kept alive (HTTP/1.1, with
TCP_NODELAY), a
send reads the two attributes it needs, the retention check reads the retention period, GetRecords
writes its records (already in their wire shape) as JSON at once, and a Query of the table (not of an
index) reads only its partition — only the one item when it asks for one sort key (``SK = :v``, as the
consumers' check for an event already processed does: it sorted the whole, ever-growing partition of
markers for every event)."""

from __future__ import annotations

import copy
import functools
import json
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import jsonpath_ng.ext as jsonpath_ext
from moto import backends as moto_backends
from moto.core.common_models import BaseModel
from moto.core.exceptions import JsonRESTError
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
from moto.dynamodb.models.table import StreamShard, Table
from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
from moto.moto_server.werkzeug_app import MotoRequestHandler
from moto.sqs.models import Queue, SQSBackend

# Held by every DynamoDB operation of the backend, by every append to a table stream, by trimming and by
# reading one.
lock = threading.RLock()
_original = DynamoDBBackend.transact_write_items
_original_query = Table.query
_original_all_items = Table.all_items
_original_get_item = Table.get_item
_original_delete_item = Table.delete_item
_original_put_item = Table.put_item
_original_new = BaseModel.__dict__["__new__"]
_original_shard_add = StreamShard.add
_original_shard_get = StreamShard.get
_original_iterator_init = ShardIterator.__init__
_original_get_records = DynamoDBStreamsBackend.get_records
_original_backend = {
    name: DynamoDBBackend.__dict__[name]
    for name in ("get_item", "put_item", "update_item", "delete_item", "query", "scan")
}
# Operations whose Item leaves the lock: the response serialises it later, so it gets a copy.
_COPIED = frozenset({"get_item", "update_item"})
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
    with lock:
        _apply(self, _check(self, transact_items))


def all_items_unsorted(table: Table) -> list[Item]:
    """Every item of ``table``, in no order. list() copies a dict's values in one step under the GIL,
    so another thread's put (a new partition, or a new item in one) cannot change a dict while it is
    being iterated here."""
    if not table.range_key_attr:
        return list(table.items.values())  # type: ignore[arg-type]
    return [item for partition in list(table.items.values()) for item in list(partition.values())]


def all_items(self: Table) -> list[Item]:
    """moto's ``Table.all_items`` (sorted by key); while this thread runs a Query, unsorted (the Query
    sorts its matches), and for a Query of the table itself only the queried partition's items (the
    Query keeps only those anyway)."""
    if getattr(_in_query, "active", False):
        partition = getattr(_in_query, "partition", None)
        if partition is None:
            return all_items_unsorted(self)
        found = self.items.get(partition)
        if found is None:
            return []
        if not self.range_key_attr:
            return [found]  # type: ignore[list-item]
        exact = getattr(_in_query, "range_key", None)
        if exact is not None:
            # ``SK = :v``: the one item with that key, if any (an existence check per consumed event
            # sorted and read the consumer's whole partition of processed-event markers)
            item = found.get(exact)  # type: ignore[union-attr]
            return [item] if item is not None else []
        return list(found.values())  # type: ignore[union-attr]
    items = all_items_unsorted(self)
    return sorted(items, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)


def _locked(name: str) -> Any:
    """The backend's operation ``name`` under the lock (an Item it returns copied, if it is in _COPIED)."""
    original = _original_backend[name]
    copied = name in _COPIED

    def operation(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        with lock:
            result = original(self, *args, **kwargs)
            return copy.deepcopy(result) if copied and result is not None else result

    operation.__name__ = operation.__qualname__ = name
    operation.__doc__ = f"moto's ``DynamoDBBackend.{name}`` under the lock."
    return operation


def query(self: Table, *args: Any, **kwargs: Any) -> Any:
    def argument(position: int, name: str) -> Any:
        return kwargs[name] if name in kwargs else (args[position] if len(args) > position else None)

    of_table = argument(7, "index_name") is None
    range_objs = argument(2, "range_objs")
    exact = (
        of_table and argument(1, "range_comparison") in ("=", "EQ") and range_objs and len(range_objs) == 1
    )
    _in_query.active = True
    _in_query.partition = argument(0, "hash_key") if of_table else None
    _in_query.range_key = range_objs[0] if exact else None
    try:
        return _original_query(self, *args, **kwargs)
    finally:
        _in_query.active = False
        _in_query.partition = _in_query.range_key = None


def get_item(self: Table, hash_key: Any, range_key: Any = None, *args: Any, **kwargs: Any) -> Item | None:
    """moto's ``Table.get_item`` without the empty partition its ``defaultdict`` keeps for an absent key."""
    if range_key and hash_key not in self.items:
        return None
    return _original_get_item(self, hash_key, range_key, *args, **kwargs)


def put_item(self: Table, *args: Any, **kwargs: Any) -> Item:
    """moto's ``Table.put_item``, under the lock a delete holds while it drops an emptied partition."""
    with lock:
        item: Item = _original_put_item(self, *args, **kwargs)
        return item


def delete_item(self: Table, hash_key: Any, range_key: Any) -> Item | None:
    """moto's ``Table.delete_item``; an absent key leaves no empty partition, nor does the last item."""
    with lock:
        if range_key and hash_key not in self.items:
            return None
        deleted = _original_delete_item(self, hash_key, range_key)
        if range_key and not self.items.get(hash_key, True):
            del self.items[hash_key]
        return deleted


class LiveInstances:
    """moto's per-class list of its instances, holding them weakly: iterating yields those still alive.
    The references of dead ones are dropped whenever the list has doubled since the last sweep."""

    def __init__(self) -> None:
        self._refs: list[weakref.ref[Any]] = []
        self._sweep_at = 64
        self._guard = threading.Lock()

    def append(self, instance: Any) -> None:
        with self._guard:
            self._refs.append(weakref.ref(instance))
            if len(self._refs) >= self._sweep_at:
                self._refs = [r for r in self._refs if r() is not None]
                self._sweep_at = max(64, 2 * len(self._refs))

    def __iter__(self) -> Iterator[Any]:
        with self._guard:
            refs = list(self._refs)
        return iter([o for o in (r() for r in refs) if o is not None])

    def __len__(self) -> int:
        return sum(1 for _ in self)


_tracking = threading.Lock()


def _new_model(cls: type, *args: Any, **kwargs: Any) -> Any:
    """``BaseModel.__new__``, tracking the instance weakly (moto's reset puts plain lists back)."""
    instance = super(BaseModel, cls).__new__(cls)  # type: ignore[misc]
    tracked = cls.__dict__.get("instances_tracked")
    if not isinstance(tracked, LiveInstances):
        with _tracking:
            tracked = cls.__dict__.get("instances_tracked")
            if not isinstance(tracked, LiveInstances):
                tracked = LiveInstances()
                cls.instances_tracked = tracked  # type: ignore[attr-defined]
    tracked.append(instance)
    return instance


def shard_add(self: StreamShard, old: Item | None, new: Item | None) -> None:
    with lock:
        _original_shard_add(self, old, new)


def shard_get(self: StreamShard, start: int, quantity: int) -> list[dict[str, Any]]:
    """moto's read of a shard; a position before the trim horizon is refused as DynamoDB refuses it."""
    with lock:
        if start < self.starting_sequence_number:
            raise JsonRESTError(
                "TrimmedDataAccessException",
                "The operation attempted to read past the oldest stream record in a shard.",
            )
        return _original_shard_get(self, start, quantity)


def iterator_init(self: ShardIterator, *args: Any, **kwargs: Any) -> None:
    _original_iterator_init(self, *args, **kwargs)
    self.created_at = time.monotonic()  # type: ignore[attr-defined]  # shard iterators expire


def get_records(self: DynamoDBStreamsBackend, iterator_arn: str, limit: int) -> dict[str, Any]:
    """moto's GetRecords; an iterator that has expired (or never existed) is refused as on AWS."""
    if iterator_arn not in self.shard_iterators:
        raise JsonRESTError("ExpiredIteratorException", "The shard iterator has expired.")
    result: dict[str, Any] = _original_get_records(self, iterator_arn, limit)
    return result


_original_retention_check = SQSBackend.is_message_valid_based_on_retention_period
_original_send_message = SQSBackend.send_message
_original_queue_attributes = Queue.__dict__["attributes"]
_sending = threading.local()


def retention_check(self: SQSBackend, queue_name: str, message: Any) -> bool:
    """moto's retention check of a received message, reading the retention period alone (moto computed
    every attribute of the queue, counting its messages, for each message received)."""
    queue = self.get_queue(queue_name)
    retention: int = queue.message_retention_period  # type: ignore[attr-defined]
    retain_until = retention + message.sent_timestamp / 1000
    return bool(retain_until > time.time())


def send_message(self: SQSBackend, *args: Any, **kwargs: Any) -> Any:
    """moto's SendMessage; the queue attributes it reads are the deduplication and FIFO settings only."""
    _sending.active = True
    try:
        return _original_send_message(self, *args, **kwargs)
    finally:
        _sending.active = False


def _queue_attributes(self: Queue) -> dict[str, Any]:
    if getattr(_sending, "active", False):
        return {
            "ContentBasedDeduplication": str(
                bool(getattr(self, "content_based_deduplication", False))
            ).lower(),
            "FifoQueue": str(bool(self.fifo_queue)).lower(),
        }
    attributes: dict[str, Any] = _original_queue_attributes.fget(self)
    return attributes


queue_attributes = property(_queue_attributes)

_original_list_of_moto_modules = moto_backends.list_of_moto_modules
_original_jsonpath_parse = jsonpath_ext.parse


@functools.cache
def _moto_modules() -> tuple[str, ...]:
    return tuple(_original_list_of_moto_modules())


def list_of_moto_modules() -> Iterable[str]:
    """moto's backend folders, listed once (the server listed them for every request, under its lock)."""
    return _moto_modules()


# moto's EventBridge compiles the JSONPath expressions of its default input template for every target
# of every event; compiled expressions are not changed by use.
jsonpath_parse = functools.lru_cache(maxsize=256)(_original_jsonpath_parse)


_original_stream_get_records = DynamoDBStreamsHandler.get_records


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):  # moto's naive UTC times; the JSON protocol sends epoch seconds
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def stream_get_records(self: DynamoDBStreamsHandler) -> str:
    """moto's GetRecords response, written as JSON at once: its records are already in the wire shape,
    and moto's generic response serializer walking every attribute of every image was the largest
    part of the local stack's work during a bulk import."""
    limit = self._get_param("Limit")
    result = self.backend.get_records(self._get_param("ShardIterator"), 1000 if limit is None else limit)
    return json.dumps(result, default=_json_default)


# (class or module, attribute, replacement, moto's own)
_PATCHES: tuple[tuple[Any, str, Any, Any], ...] = (
    (DynamoDBBackend, "transact_write_items", transact_write_items, _original),
    *((DynamoDBBackend, name, _locked(name), original) for name, original in _original_backend.items()),
    (Table, "query", query, _original_query),
    (Table, "all_items", all_items, _original_all_items),
    (Table, "get_item", get_item, _original_get_item),
    (Table, "put_item", put_item, _original_put_item),
    (Table, "delete_item", delete_item, _original_delete_item),
    (BaseModel, "__new__", staticmethod(_new_model), _original_new),
    (StreamShard, "add", shard_add, _original_shard_add),
    (StreamShard, "get", shard_get, _original_shard_get),
    (ShardIterator, "__init__", iterator_init, _original_iterator_init),
    (DynamoDBStreamsBackend, "get_records", get_records, _original_get_records),
    (SQSBackend, "is_message_valid_based_on_retention_period", retention_check, _original_retention_check),
    (SQSBackend, "send_message", send_message, _original_send_message),
    (Queue, "attributes", queue_attributes, _original_queue_attributes),
    (moto_backends, "list_of_moto_modules", list_of_moto_modules, _original_list_of_moto_modules),
    (jsonpath_ext, "parse", jsonpath_parse, _original_jsonpath_parse),
    (DynamoDBStreamsHandler, "get_records", stream_get_records, _original_stream_get_records),
    (MotoRequestHandler, "protocol_version", "HTTP/1.1", MotoRequestHandler.protocol_version),
    # A kept-alive connection without TCP_NODELAY holds a response's second write (werkzeug writes the
    # headers, then the body) until the client's delayed ACK of the first: up to 40 ms a request.
    (MotoRequestHandler, "disable_nagle_algorithm", True, MotoRequestHandler.disable_nagle_algorithm),
)


def install() -> None:
    """Replace moto's transactions, Query's full-table sort, its instance tracking and stream handling
    (idempotent)."""
    for owner, name, replacement, _ in _PATCHES:
        setattr(owner, name, replacement)


def uninstall() -> None:
    for owner, name, _, original in _PATCHES:
        setattr(owner, name, original)


_INHERITED = object()  # an attribute the owner does not define itself


@contextmanager
def installed() -> Iterator[None]:
    """The patches for the duration of a block (tests, benchmarks); what was there before comes back."""
    before = [(owner, name, owner.__dict__.get(name, _INHERITED)) for owner, name, _, _ in _PATCHES]
    install()
    try:
        yield
    finally:
        for owner, name, value in before:
            if value is _INHERITED:
                delattr(owner, name)
            else:
                setattr(owner, name, value)
