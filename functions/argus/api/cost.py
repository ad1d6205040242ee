"""What a field costs to resolve, declared beside the field in each domain's schema, and the estimated
cost of an operation (checked against the caller's budget before anything is resolved).

A unit is roughly one store request (a DynamoDB query or its equal in work). A root field that
declares nothing costs 1 (one service call); a nested field that declares nothing costs 0 (it is read
from its parent). A field that runs queries of its own, or many, declares it::

    @strawberry.field(extensions=[*requires(), cost(100)])          # a heavy export
    @strawberry.field(extensions=[*requires(), cost(1, paged_by="first")])   # a connection

With ``paged_by``, what is selected under the field counts once per item of the page (the argument's
value, ``default`` when absent, at most ``maximum``): ``watchGroups(first: 50) { nodes { blocks { id }
} }`` costs 1 + 50 * 1 when ``blocks`` costs 1.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from strawberry.extensions.field_extension import FieldExtension

from argus.platform.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

ROOT_FIELD_COST = 1
NESTED_FIELD_COST = 0


class Cost(FieldExtension):
    """A field's declared cost. Only read by the cost analysis: it takes no part in resolving (no
    ``resolve`` method, so Strawberry leaves it out of the resolver chain)."""

    def __init__(self, weight: int, paged_by: str | None, default: int, maximum: int) -> None:
        if weight < 0 or not 1 <= default <= maximum:
            raise ValueError("a cost needs weight >= 0 and 1 <= default <= maximum")
        self.weight = weight
        self.paged_by = paged_by
        self.default = default
        self.maximum = maximum

    def page(self, arguments: Mapping[str, Any]) -> int:
        """How many items the page will hold, as the argument asks (bounded: the services refuse a
        larger page anyway, so a bigger number must not make the estimate absurd)."""
        if self.paged_by is None:
            return 1
        value = arguments.get(self.paged_by)
        if not isinstance(value, int) or isinstance(value, bool):
            return self.default
        return min(max(value, 1), self.maximum)


def cost(
    weight: int = 1,
    *,
    paged_by: str | None = None,
    default: int = DEFAULT_PAGE_SIZE,
    maximum: int = MAX_PAGE_SIZE,
) -> Cost:
    """A field extension declaring what the field costs (see the module docstring)."""
    return Cost(weight, paged_by, default, maximum)


@dataclass(frozen=True)
class _Field:
    node: FieldNode
    parent: GraphQLObjectType


def operation_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None,
) -> int:
    """The estimated cost of ``operation`` with these variable values. Fields that do not exist are
    skipped (validation reports them); fragment cycles are cut (validation reports them too)."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    walk = _Walk(schema, fragments, variables or {})
    return walk.cost([operation.selection_set], root, top=True)


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def cost(self, selection_sets: list[SelectionSetNode], parent: GraphQLObjectType, *, top: bool) -> int:
        # Fields with the same response key are merged by the executor (resolved once): count them once.
        by_key: dict[str, list[_Field]] = {}
        for found in self._fields(selection_sets, parent, frozenset()):
            key = (found.node.alias or found.node.name).value
            by_key.setdefault(key, []).append(found)
        total = 0
        for same_key in by_key.values():
            total += self._field_cost(same_key, top=top)
        return total

    def _field_cost(self, same_key: list[_Field], *, top: bool) -> int:
        first = same_key[0]
        definition = first.parent.fields.get(first.node.name.value)
        if definition is None:
            return 0
        declared = _declared(definition)
        own = declared.weight if declared else (ROOT_FIELD_COST if top else NESTED_FIELD_COST)
        page = max(declared.page(self._arguments(f.node)) for f in same_key) if declared else 1
        child_type = get_named_type(definition.type)
        children = [f.node.selection_set for f in same_key if f.node.selection_set]
        if not children or not isinstance(child_type, GraphQLObjectType):
            return own
        return own + page * self.cost(children, child_type, top=False)

    def _fields(
        self, selection_sets: list[SelectionSetNode], parent: GraphQLObjectType, seen: frozenset[str]
    ) -> Iterator[_Field]:
        for selection_set in selection_sets:
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    yield _Field(selection, parent)
                elif isinstance(selection, InlineFragmentNode):
                    yield from self._fields([selection.selection_set], self._type(selection, parent), seen)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if fragment is not None and name not in seen:
                        yield from self._fields(
                            [fragment.selection_set], self._type(fragment, parent), seen | {name}
                        )

    def _type(
        self, fragment: InlineFragmentNode | FragmentDefinitionNode, parent: GraphQLObjectType
    ) -> GraphQLObjectType:
        condition = fragment.type_condition
        named = self.schema.get_type(condition.name.value) if condition else None
        return named if isinstance(named, GraphQLObjectType) else parent

    def _arguments(self, node: FieldNode) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for argument in node.arguments or ():
            value = argument.value
            if isinstance(value, IntValueNode):
                values[argument.name.value] = int(value.value)
            elif isinstance(value, VariableNode):
                values[argument.name.value] = self.variables.get(value.name.value)
        return values


def _declared(definition: GraphQLField) -> Cost | None:
    strawberry_field = (definition.extensions or {}).get("strawberry-definition")
    for extension in getattr(strawberry_field, "extensions", None) or ():
        if isinstance(extension, Cost):
            return extension
    return None
