"""The DateTime and Date scalars as Strawberry defines them (names, descriptions, what they accept and
how they serialise), with input errors that say what is expected instead of the Python parser's own
words (``invalid literal for int() with base 10``, ``month must be in 1..12``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import dateutil.parser
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

DATETIME_EXPECTED = (
    "an ISO 8601 date and time with a UTC offset, "
    'such as "2026-11-20T22:00:00Z" or "2026-11-20T22:00:00+01:00"'
)
DATE_EXPECTED = 'an ISO 8601 calendar date (YYYY-MM-DD), such as "2026-11-20"'


def _parser(parse: Callable[[str], object], name: str, expected: str) -> Callable[[object], object]:
    def parse_value(value: object) -> object:
        if isinstance(value, str):
            try:
                return parse(value)
            except (ValueError, OverflowError):
                pass
        shown = value if isinstance(value, str) else repr(value)
        raise StrawberryInputCoercionError(f'{name} expects {expected}; got "{shown}".')

    return parse_value


def _with_parser(definition: ScalarDefinition, parse_value: Callable[[object], object]) -> ScalarDefinition:
    return ScalarDefinition(
        name=definition.name,
        description=definition.description,
        specified_by_url=definition.specified_by_url,
        serialize=definition.serialize,
        parse_value=parse_value,
        parse_literal=None,
        origin=definition.origin,
    )


DATETIME = _with_parser(DateTimeDefinition, _parser(dateutil.parser.isoparse, "DateTime", DATETIME_EXPECTED))
DATE = _with_parser(DateDefinition, _parser(dt.date.fromisoformat, "Date", DATE_EXPECTED))
SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {dt.datetime: DATETIME, dt.date: DATE}
