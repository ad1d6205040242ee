"""Relay-style cursor pagination over DynamoDB queries.

A cursor is the opaque, URL-safe encoding of DynamoDB's ``LastEvaluatedKey``. Decoding checks that
the key belongs to the partition being queried, so a cursor can never move a query into another
partition (or another organisation)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from argus.platform.errors import BadUserInput

T = TypeVar("T")
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    end_cursor: str | None
    has_next_page: bool

    def map(self, fn: Callable[[T], Any]) -> Page[Any]:
        return Page([fn(i) for i in self.items], self.end_cursor, self.has_next_page)


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 1 or first > MAX_PAGE_SIZE:
        raise BadUserInput(f"`first` must be between 1 and {MAX_PAGE_SIZE}.", details={"field": "first"})
    return first


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, partition_attr: str, partition_value: str) -> dict[str, Any] | None:
    """Decode ``cursor``; raise BadUserInput unless it points inside ``partition_value``."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadUserInput("The cursor is not valid.", details={"field": "after"}) from None
    if not _is_key_of(key, partition_attr, partition_value):
        raise BadUserInput("The cursor is not valid for this list.", details={"field": "after"})
    return key


def _is_key_of(key: Any, partition_attr: str, partition_value: str) -> bool:
    """True when ``key`` is exactly a LastEvaluatedKey of a query on ``partition_value``: the table's
    keys plus those of the index queried, every one a string, the partition the expected one."""
    if not isinstance(key, dict) or key.get(partition_attr) != {"S": partition_value}:
        return False
    expected = {"PK", "SK", partition_attr, partition_attr[:-2] + "SK"}
    return set(key) == expected and all(
        isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in key.values()
    )


def encode_part_cursor(part: str, last_evaluated_key: dict[str, Any] | None) -> str:
    """A cursor for a list read from several partitions in turn: ``part`` names the partition and
    ``last_evaluated_key`` where to go on in it (None: from its start)."""
    raw = json.dumps({"part": part, "key": last_evaluated_key}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_part_cursor(
    cursor: str, *, allowed: dict[str, tuple[str, str]]
) -> tuple[str, dict[str, Any] | None]:
    """Decode a part cursor; ``allowed`` maps each part to (partition attribute, partition value).
    Raises BadUserInput unless the part is allowed and its key lies in that partition."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        document = json.loads(base64.urlsafe_b64decode(padded.encode()))
        part, key = document["part"], document["key"]
    except (binascii.Error, ValueError, UnicodeDecodeError, KeyError, TypeError):
        raise BadUserInput("The cursor is not valid.", details={"field": "after"}) from None
    if part not in allowed:
        raise BadUserInput("The cursor is not valid for this list.", details={"field": "after"})
    attr, value = allowed[part]
    if key is not None and not _is_key_of(key, attr, value):
        raise BadUserInput("The cursor is not valid for this list.", details={"field": "after"})
    return part, key
