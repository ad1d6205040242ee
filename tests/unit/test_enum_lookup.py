"""The schema's enum types answer from a member->name table exactly as Strawberry's scan would."""

from __future__ import annotations

import enum

import pytest
import strawberry
from argus.api.enums import LookupGraphQLEnumType, use_enum_lookup
from argus.api.graphql import schema
from graphql import GraphQLError
from strawberry.schema.schema_converter import CustomGraphQLEnumType


def _enum_types(s: strawberry.Schema) -> list[CustomGraphQLEnumType]:
    return [t for t in s._schema.type_map.values() if isinstance(t, CustomGraphQLEnumType)]


def test_every_enum_of_the_api_schema_uses_the_lookup() -> None:
    enums = _enum_types(schema)
    assert len(enums) > 5
    assert all(type(t) is LookupGraphQLEnumType for t in enums), [t.name for t in enums]


def test_every_member_of_every_enum_gets_the_name_strawberry_gives_it() -> None:
    checked = 0
    for graphql_type in _enum_types(schema):
        for member in graphql_type.wrapped_cls:
            expected = CustomGraphQLEnumType.coerce_output_value(graphql_type, member)
            assert graphql_type.serialize(member) == expected
            assert graphql_type.coerce_output_value(member.value) == expected
            checked += 1
    assert checked > 30


class Colour(enum.Enum):
    RED = "r"
    CRIMSON = "r"  # an alias: the same member as RED
    BLUE = 2


@strawberry.enum
class Size(enum.Enum):
    SMALL = "s"
    LARGE = "l"


def test_plain_enums_aliases_and_unknown_values_behave_as_in_strawberry() -> None:
    @strawberry.type
    class Query:
        colour: strawberry.enum(Colour) = Colour.RED  # type: ignore[valid-type]
        size: Size = Size.LARGE

    small = strawberry.Schema(query=Query)
    assert use_enum_lookup(small) == 2
    colour = small._schema.type_map["Colour"]
    assert isinstance(colour, LookupGraphQLEnumType)
    assert colour.serialize(Colour.RED) == colour.serialize(Colour.CRIMSON) == "RED"
    assert colour.serialize(Colour.BLUE) == "BLUE"
    assert colour.serialize(2) == "BLUE"  # a plain value falls back to graphql-core's lookup
    with pytest.raises(GraphQLError):
        colour.serialize("no such value")
    with pytest.raises(GraphQLError):
        colour.serialize(["unhashable"])
    result = small.execute_sync("{ colour size }", root_value=Query())
    assert result.errors is None
    assert result.data == {"colour": "RED", "size": "LARGE"}
