"""The access matrix of docs/access.md, walked cell by cell through the GraphQL schema with the real
services on moto: every role, with and without each relation the cell names. The list of operations
comes from the schema itself, so an operation (or a field guarded by a relation) without a row in the
matrix fails here, as does a row the schema does not have."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from argus.api.context import ArgusContext
from argus.api.graphql import schema
from argus.api.live import get_broker
from argus.api.permissions import Relation
from argus.platform import clock
from argus.platform.auth.principal import Role
from moto.core.models import MockAWS
from strawberry.permission import PermissionExtension
from strawberry.types import ExecutionResult

from tests.fakes.aws import fresh_table
from tests.integration.access_cases import (
    IMPLIES,
    SELF,
    Arrange,
    Case,
    World,
    build_world,
    matrix,
    relations_of,
)
from tests.integration.access_scenarios import SCENARIOS

MATRIX = matrix()
ALLOWED = "allowed"


def schema_operations() -> set[str]:
    """Every root field, and every field whose permission names a relation, as ``Type.field``."""
    found: set[str] = set()
    core = schema._schema
    for root in (core.query_type, core.mutation_type, core.subscription_type):
        assert root is not None
        found |= {f"{root.name}.{name}" for name in root.fields}
    for type_name, graphql_type in core.type_map.items():
        for name, graphql_field in (getattr(graphql_type, "fields", None) or {}).items():
            definition = (graphql_field.extensions or {}).get("strawberry-definition")
            for extension in getattr(definition, "extensions", None) or []:
                if isinstance(extension, PermissionExtension) and any(
                    isinstance(p, Relation) for p in extension.permissions
                ):
                    found.add(f"{type_name}.{name}")
    return found


def test_every_operation_has_a_row_in_the_matrix() -> None:
    # Given the operations of the schema and the rows of docs/access.md
    in_schema, in_matrix = schema_operations(), set(MATRIX)
    # Then each has the other, and every row has a scenario that can walk it
    assert sorted(in_schema - in_matrix) == [], "operations without a row in docs/access.md"
    assert sorted(in_matrix - in_schema) == [], "rows of docs/access.md the schema does not have"
    assert sorted(in_matrix - set(SCENARIOS)) == [], "rows without a scenario in access_scenarios.py"
    for operation, cells in MATRIX.items():
        for role, cell in cells.items():
            assert relations_of(cell) <= SCENARIOS[operation].relations, (operation, role, cell)


@pytest.fixture(scope="module")
def world(moto: MockAWS, moto_as_in_the_local_stack: None) -> Iterator[World]:
    """One organisation for the module (each case makes the objects it changes)."""
    fixed = clock.FixedClock(datetime(2026, 3, 2, 18, 30, tzinfo=UTC))
    with clock.use_clock(fixed):
        yield build_world(fresh_table(moto), fixed)


async def outcome(case: Case) -> str:
    """``allowed`` (data and no error at all), or the error codes, sorted."""
    if case.trigger is None:
        result = await schema.execute(
            case.document, variable_values=case.variables, context_value=ArgusContext(principal=case.who)
        )
    else:
        result = await first_event(case)
    if not result.errors and result.data is not None:
        return ALLOWED
    return ",".join(sorted({str((e.extensions or {}).get("code")) for e in result.errors or []}))


async def first_event(case: Case) -> ExecutionResult:
    """The subscription's first result: its refusal, or the event ``trigger`` makes once it listens."""
    assert case.trigger is not None
    context = ArgusContext(principal=case.who)
    stream = await schema.subscribe(case.document, variable_values=case.variables, context_value=context)
    if isinstance(stream, ExecutionResult):
        return stream
    broker = get_broker()
    already = broker.subscriber_count
    pending = asyncio.ensure_future(anext(stream))
    for _ in range(200):
        if pending.done() or broker.subscriber_count > already:
            break
        await asyncio.sleep(0.005)
    if not pending.done():
        broker.publish(case.trigger())
    try:
        return await asyncio.wait_for(pending, timeout=5)
    finally:
        await stream.aclose()
        for _ in range(200):  # gone from the broker before the next case counts its subscribers
            if broker.subscriber_count <= already:
                break
            await asyncio.sleep(0.005)


def refusal(relations: frozenset[str]) -> str:
    """Without the relation: FORBIDDEN, or NOT_FOUND where the object is the caller's own (there is
    no membership of theirs to change)."""
    return "NOT_FOUND" if relations == {SELF} else "FORBIDDEN"


@pytest.mark.parametrize("operation", sorted(MATRIX))
async def test_the_matrix_holds(world: World, operation: str) -> None:
    scenario = SCENARIOS[operation]
    mismatches: list[str] = []

    async def expect(role: Role, relations: frozenset[str], wanted: str) -> None:
        world.clock.advance(seconds=1)  # a new moment per case (a pattern run per moment)
        got = await outcome(scenario.build(Arrange(world, role, relations)))
        if got != wanted:
            given = ", ".join(sorted(relations)) or "no relation"
            mismatches.append(f"{role.value} ({given}): expected {wanted}, got {got}")

    for role, cell in MATRIX[operation].items():
        # Given a caller of one role, related to a fresh object as the cell says (or not)
        # When it sends the operation, Then it is let in exactly where the matrix says
        named = relations_of(cell)
        if cell == "yes":
            await expect(role, frozenset(), ALLOWED)
        elif cell == "no":
            await expect(role, frozenset(), "FORBIDDEN")
            if scenario.relations:
                await expect(role, scenario.relations, "FORBIDDEN")
        else:
            for relation in sorted(named):
                await expect(role, frozenset({relation}), ALLOWED)
            others = frozenset(
                r for r in scenario.relations - named if not (IMPLIES.get(r, frozenset()) & named)
            )
            await expect(role, others, refusal(named))
    assert not mismatches, f"{operation} departs from docs/access.md:\n" + "\n".join(mismatches)
