"""Event and entity ids are RFC 9562 UUIDv7 (checked against the RFC's test vectors in
../shared/standards/uuid-rfc9562)."""

from __future__ import annotations

import itertools
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from argus.platform.ids import is_uuid7, new_id, uuid7_unix_ms

from tests.contract.conftest import load_standard

BURST = 10_000


@pytest.fixture(scope="module")
def burst() -> tuple[int, list[str], int]:
    before_ms = time.time_ns() // 1_000_000
    ids = [new_id() for _ in range(BURST)]
    after_ms = time.time_ns() // 1_000_000
    return before_ms, ids, after_ms


@pytest.fixture(scope="module")
def vectors() -> list[dict[str, Any]]:
    document = load_standard("uuid-rfc9562", "rfc9562-test-vectors.json")
    return document["vectors"]


def _vector(vectors: list[dict[str, Any]], section: str) -> dict[str, Any]:
    return next(v for v in vectors if v["section"] == section)


def test_new_ids_have_the_rfc9562_v7_layout(burst: tuple[int, list[str], int]) -> None:
    # Given a burst of new ids
    _, ids, _ = burst
    for value in ids:
        bits = uuid.UUID(value).int
        # Then each is the canonical lowercase 8-4-4-4-12 form
        assert value == str(uuid.UUID(value)) and value == value.lower() and len(value) == 36
        # with version 7 in bits 48-51 and variant 0b10 in bits 64-65
        assert (bits >> 76) & 0xF == 0x7
        assert (bits >> 62) & 0b11 == 0b10
        assert is_uuid7(value)


def test_new_ids_carry_the_current_unix_time_in_milliseconds(burst: tuple[int, list[str], int]) -> None:
    # Given ids made between two readings of the clock
    before_ms, ids, after_ms = burst
    # Then the 48-bit timestamp of each lies between the readings
    stamps = [uuid7_unix_ms(value) for value in ids]
    assert stamps == [uuid.UUID(v).int >> 80 for v in ids]
    assert before_ms <= min(stamps) and max(stamps) <= after_ms


def test_new_ids_are_unique_and_strictly_increasing_over_a_burst(burst: tuple[int, list[str], int]) -> None:
    # Given 10k ids made as fast as possible (many within one millisecond)
    _, ids, _ = burst
    # Then they are unique and strictly increasing, as integers and as strings (DynamoDB sort keys)
    as_ints = [uuid.UUID(v).int for v in ids]
    assert all(a < b for a, b in itertools.pairwise(as_ints))
    assert ids == sorted(ids)
    assert len(set(ids)) == BURST


def test_the_rfc_v7_vector_is_recognised_and_its_time_read(vectors: list[dict[str, Any]]) -> None:
    # Given the UUIDv7 test vector of RFC 9562 Appendix A.6
    vector = _vector(vectors, "A.6")
    value = vector["uuid"]
    # Then it is a UUIDv7 (the RFC prints it in upper case)
    assert is_uuid7(value) and is_uuid7(value.lower())
    # And its timestamp is the vector's unix_ts_ms: Tuesday, February 22, 2022 2:22:22.00 PM GMT-05:00
    assert uuid7_unix_ms(value) == int(vector["unix_ts_ms"], 16) == 1645557742000
    assert datetime.fromtimestamp(uuid7_unix_ms(value) / 1000, UTC) == datetime(
        2022, 2, 22, 19, 22, 22, tzinfo=UTC
    )
    # And the fields rebuild it bit for bit
    rebuilt = (
        int(vector["unix_ts_ms"], 16) << 80
        | 0x7 << 76
        | int(vector["rand_a"], 16) << 64
        | 0b10 << 62
        | int(vector["rand_b"], 16)
    )
    assert uuid.UUID(int=rebuilt) == uuid.UUID(value)


@pytest.mark.parametrize("section", ["A.1", "A.2", "A.3", "A.4", "A.5", "B.1", "B.2"])
def test_the_other_versions_vectors_are_not_uuid7(vectors: list[dict[str, Any]], section: str) -> None:
    vector = _vector(vectors, section)
    assert uuid.UUID(vector["uuid"]).version == vector["version"] != 7
    assert not is_uuid7(vector["uuid"])
    assert not is_uuid7(vector["uuid"].lower())


@pytest.mark.parametrize(
    "value",
    [
        "00000000-0000-0000-0000-000000000000",  # nil
        "ffffffff-ffff-ffff-ffff-ffffffffffff",  # max
        "017f22e2-79b0-7cc3-18c4-dc0c0c07398f",  # version 7 but NCS variant
        "017f22e2-79b0-7cc3-f8c4-dc0c0c07398f",  # version 7 but reserved variant
        "017f22e279b07cc398c4dc0c0c07398f",  # no hyphens
        "{017f22e2-79b0-7cc3-98c4-dc0c0c07398f}",
        "urn:uuid:017f22e2-79b0-7cc3-98c4-dc0c0c07398f",
        "017f22e2-79b0-7cc3-98c4-dc0c0c07398",
        "",
        "not a uuid",
    ],
)
def test_non_canonical_or_non_v7_values_are_refused(value: str) -> None:
    assert not is_uuid7(value)


@pytest.mark.parametrize("value", [None, 7, b"017f22e2-79b0-7cc3-98c4-dc0c0c07398f"])
def test_non_strings_are_not_uuid7(value: Any) -> None:
    assert not is_uuid7(value)
