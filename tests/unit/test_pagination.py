"""Opaque cursors over DynamoDB keys, and page sizes."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from argus.platform.errors import BadUserInput
from argus.platform.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Page,
    decode_cursor,
    encode_cursor,
    page_size,
)
from hypothesis import given
from hypothesis import strategies as st

STAFF = "ORG#northshire#STAFF"
LAST_KEY = {
    "GSI1PK": {"S": STAFF},
    "GSI1SK": {"S": "officer#pat example#user-9"},
    "PK": {"S": "ORG#northshire#USER#user-9"},
    "SK": {"S": "PROFILE"},
}


def test_a_cursor_round_trips_to_the_same_key() -> None:
    # Given DynamoDB's LastEvaluatedKey of a staff query
    # When it is encoded and decoded for the same partition
    cursor = encode_cursor(LAST_KEY)
    decoded = decode_cursor(cursor, partition_attr="GSI1PK", partition_value=STAFF)
    # Then the key comes back unchanged, and the cursor is URL-safe without padding
    assert decoded == LAST_KEY
    assert cursor is not None
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_the_last_page_has_no_cursor() -> None:
    assert encode_cursor(None) is None
    assert encode_cursor({}) is None
    assert decode_cursor(None, partition_attr="PK", partition_value="x") is None
    assert decode_cursor("", partition_attr="PK", partition_value="x") is None


def test_a_cursor_is_stable_for_the_same_key() -> None:
    reordered = dict(reversed(list(LAST_KEY.items())))
    assert encode_cursor(reordered) == encode_cursor(LAST_KEY)


def test_a_cursor_from_another_partition_is_refused() -> None:
    # Given a cursor taken from northshire's staff list
    cursor = encode_cursor(LAST_KEY)
    # When it is used on southvale's staff list
    with pytest.raises(BadUserInput) as caught:
        decode_cursor(cursor, partition_attr="GSI1PK", partition_value="ORG#southvale#STAFF")
    # Then it is refused as bad input on the `after` argument
    assert caught.value.code == "BAD_USER_INPUT"
    assert caught.value.details == {"field": "after"}


def test_a_cursor_for_another_index_is_refused() -> None:
    # A staff-list cursor used on a list keyed by PK (the audit trail) does not name that partition
    with pytest.raises(BadUserInput):
        decode_cursor(encode_cursor(LAST_KEY), partition_attr="PK", partition_value="ORG#northshire#AUDIT")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%not-base64%%%",
        "A",
        _b64(b"not json"),
        _b64(b"\xff\xfe\xfd"),
        _b64(json.dumps(["GSI1PK", STAFF]).encode()),
        _b64(json.dumps({"GSI1PK": STAFF}).encode()),  # plain string, not an attribute value
        _b64(json.dumps({"GSI1PK": {"N": STAFF}}).encode()),
        _b64(json.dumps({"GSI1SK": {"S": "x"}}).encode()),
    ],
    ids=[
        "not-base64",
        "truncated",
        "not-json",
        "not-utf8",
        "json-array",
        "plain-value",
        "number-type",
        "no-partition",
    ],
)
def test_a_malformed_cursor_is_bad_input(cursor: str) -> None:
    with pytest.raises(BadUserInput) as caught:
        decode_cursor(cursor, partition_attr="GSI1PK", partition_value=STAFF)
    assert caught.value.details == {"field": "after"}


strings = st.builds(lambda s: {"S": s}, st.text(min_size=1, max_size=40))


@given(
    partition=st.text(min_size=1, max_size=60),
    index=st.sampled_from(["PK", "GSI1PK", "GSI2PK"]),
    values=st.lists(strings, min_size=3, max_size=3),
)
def test_any_last_evaluated_key_of_the_partition_round_trips(
    partition: str, index: str, values: list[dict[str, str]]
) -> None:
    # Given the shape DynamoDB returns: the table's keys plus those of the index queried
    key = {index: {"S": partition}, "PK": values[0], "SK": values[1], index[:-2] + "SK": values[2]}
    if index == "PK":
        key["PK"] = {"S": partition}
    assert decode_cursor(encode_cursor(key), partition_attr=index, partition_value=partition) == key


@given(
    partition=st.text(min_size=1, max_size=60),
    extra=st.dictionaries(
        st.text(min_size=1, max_size=10).filter(lambda k: k not in ("PK", "SK")),
        st.one_of(strings, st.builds(lambda n: {"N": str(n)}, st.integers())),
        min_size=1,
        max_size=3,
    ),
)
def test_a_key_of_another_shape_is_refused(partition: str, extra: dict[str, Any]) -> None:
    # Given a key with attributes a query on the table never returns (or a number where keys are strings)
    key = {"PK": {"S": partition}, "SK": {"S": "x"}, **extra}
    # Then it is not a cursor of the list
    with pytest.raises(BadUserInput):
        decode_cursor(encode_cursor(key), partition_attr="PK", partition_value=partition)


@pytest.mark.parametrize(
    ("first", "expected"), [(None, DEFAULT_PAGE_SIZE), (1, 1), (MAX_PAGE_SIZE, MAX_PAGE_SIZE)]
)
def test_page_size_defaults_and_bounds(first: int | None, expected: int) -> None:
    assert page_size(first) == expected


@pytest.mark.parametrize("first", [0, -1, MAX_PAGE_SIZE + 1])
def test_page_size_outside_the_bounds_is_bad_input(first: int) -> None:
    with pytest.raises(BadUserInput) as caught:
        page_size(first)
    assert caught.value.details == {"field": "first"}


def test_a_page_maps_its_items_and_keeps_its_cursor() -> None:
    page = Page([1, 2, 3], "cursor", True).map(str)
    assert (list(page.items), page.end_cursor, page.has_next_page) == (["1", "2", "3"], "cursor", True)
