"""Enum output in one dictionary lookup.

Strawberry serialises an enum member by scanning every value of the enum and comparing ``.value``
each time (``CustomGraphQLEnumType.coerce_output_value``), and ``Enum.value`` is a slow descriptor.
A list of 1,000 staff profiles with their roles spent about a tenth of its time there. After the
schema is built, :func:`use_enum_lookup` gives every Strawberry enum type a member→name table built
once; values the table does not know (plain values, or anything odd) still take Strawberry's own
path, so answers and errors are exactly Strawberry's.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.schema.schema_converter import CustomGraphQLEnumType


class LookupGraphQLEnumType(CustomGraphQLEnumType):
    """Strawberry's enum type with a member→name table (set by :func:`use_enum_lookup`)."""

    names_by_member: dict[Any, str]

    def coerce_output_value(self, output_value: Any) -> str:
        try:
            return self.names_by_member[output_value]
        except (KeyError, TypeError):  # TypeError: an unhashable value
            return super().coerce_output_value(output_value)

    def serialize(self, output_value: Any) -> str:
        return self.coerce_output_value(output_value)


def use_enum_lookup(schema: strawberry.Schema) -> int:
    """Switch every Strawberry enum type of ``schema`` to :class:`LookupGraphQLEnumType`; returns how
    many were switched. The table maps each member of the Python enum to the name Strawberry gives it
    (the first GraphQL value whose ``.value`` equals the member's, as Strawberry's scan finds it)."""
    switched = 0
    for graphql_type in schema._schema.type_map.values():
        if type(graphql_type) is not CustomGraphQLEnumType:
            continue
        names: dict[Any, str] = {}
        for name, value in graphql_type.values.items():
            names.setdefault(graphql_type.wrapped_cls(value.value), name)
        graphql_type.__class__ = LookupGraphQLEnumType
        graphql_type.names_by_member = names  # type: ignore[attr-defined]
        switched += 1
    return switched
