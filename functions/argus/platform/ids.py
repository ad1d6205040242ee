"""Identifiers: RFC 9562 UUIDv7 (time-ordered, so ids sort by creation time in DynamoDB keys)."""

from __future__ import annotations

import uuid

from uuid_utils.compat import uuid7


def new_id() -> str:
    """A new UUIDv7 as its canonical lowercase string."""
    return str(uuid7())


def is_uuid7(value: str) -> bool:
    """True when ``value`` is a canonical RFC 9562 version 7 UUID string."""
    try:
        parsed = uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return parsed.version == 7 and parsed.variant == uuid.RFC_4122 and str(parsed) == value.lower()


def uuid7_unix_ms(value: str) -> int:
    """The Unix timestamp in milliseconds carried by the first 48 bits of a UUIDv7."""
    return uuid.UUID(value).int >> 80
