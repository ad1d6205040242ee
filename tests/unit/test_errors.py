"""The error hierarchy and how errors leave the GraphQL API (``argus.api.errors.ArgusErrors``),
checked on a small schema of its own so no domain code or AWS is involved."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import strawberry
from argus.api.context import ArgusContext, principal_of
from argus.api.errors import ArgusErrors
from argus.api.permissions import requires
from argus.platform.auth.principal import Role
from argus.platform.errors import (
    ERROR_CODES,
    ArgusError,
    BadUserInput,
    Conflict,
    Forbidden,
    Internal,
    NotFound,
    Unauthenticated,
)
from strawberry.types import Info

from tests.factories.principals import principal

SECRET = "db password is hunter2"


@pytest.mark.parametrize(
    ("error_class", "code"),
    [
        (Unauthenticated, "UNAUTHENTICATED"),
        (Forbidden, "FORBIDDEN"),
        (NotFound, "NOT_FOUND"),
        (BadUserInput, "BAD_USER_INPUT"),
        (Conflict, "CONFLICT"),
        (Internal, "INTERNAL"),
        (ArgusError, "INTERNAL"),
    ],
)
def test_each_error_has_its_stable_code(error_class: type[ArgusError], code: str) -> None:
    error = error_class("Something happened.")
    assert (error.code, error.message, str(error)) == (code, "Something happened.", "Something happened.")
    assert error.extensions() == {"code": code}


def test_details_appear_in_the_extensions_only_when_given() -> None:
    assert Conflict("Taken.", details={"field": "slug"}).extensions() == {
        "code": "CONFLICT",
        "details": {"field": "slug"},
    }
    assert Conflict("Taken.", details={}).extensions() == {"code": "CONFLICT"}


def test_the_code_list_names_every_error_class() -> None:
    classes = {Unauthenticated, Forbidden, NotFound, BadUserInput, Conflict, Internal}
    assert set(ERROR_CODES) == {c.code for c in classes}
    assert all(issubclass(c, ArgusError) for c in classes)


@strawberry.type
class Query:
    @strawberry.field
    def forbidden(self) -> str:
        raise Forbidden("You do not have a role that allows this.")

    @strawberry.field
    def bad_input(self) -> str:
        raise BadUserInput(
            "Invalid input: name: must not be empty", details={"fields": {"name": "must not be empty"}}
        )

    @strawberry.field
    def crash(self) -> str:
        raise RuntimeError(SECRET)

    @strawberry.field(extensions=requires(Role.ADMIN))
    def admins_only(self) -> str:
        return "ok"

    @strawberry.field
    def whoami(self, info: Info) -> str:
        return principal_of(info).sub


schema = strawberry.Schema(query=Query, extensions=[ArgusErrors])


async def run(query: str, context: ArgusContext) -> dict[str, Any]:
    result = await schema.execute(query, context_value=context)
    return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}


async def test_argus_errors_keep_their_message_code_and_details() -> None:
    response = await run("{ badInput }", ArgusContext(principal=principal()))
    assert response["data"] is None
    assert response["errors"] == [
        {
            "message": "Invalid input: name: must not be empty",
            "locations": [{"line": 1, "column": 3}],
            "path": ["badInput"],
            "extensions": {"code": "BAD_USER_INPUT", "details": {"fields": {"name": "must not be empty"}}},
        }
    ]


async def test_an_unexpected_exception_is_internal_with_a_generic_message() -> None:
    # Given a resolver that fails with an exception carrying internal detail
    # When it is executed
    response = await run("{ crash }", ArgusContext(principal=principal()))
    # Then the client sees INTERNAL, a generic message, and no trace of the exception
    assert [e["extensions"] for e in response["errors"]] == [{"code": "INTERNAL"}]
    assert response["errors"][0]["message"] == "Internal error."
    serialized = json.dumps(response)
    assert SECRET not in serialized
    assert "Traceback" not in serialized and "RuntimeError" not in serialized


async def test_permission_errors_carry_forbidden() -> None:
    response = await run("{ adminsOnly }", ArgusContext(principal=principal(Role.RESIDENT)))
    assert [e["extensions"]["code"] for e in response["errors"]] == ["FORBIDDEN"]
    admin = await run("{ adminsOnly }", ArgusContext(principal=principal(Role.ADMIN)))
    assert admin == {"data": {"adminsOnly": "ok"}, "errors": []}


@pytest.fixture
def production(stage: Callable[[str], None]) -> None:
    stage("prod")


async def test_without_a_principal_nothing_executes_and_the_answer_is_unauthenticated(
    production: None,
) -> None:
    # Given (in production) a request whose token was rejected, with the reason kept in the context
    context = ArgusContext(
        principal=None, auth_error=Unauthenticated("Authentication required: token expired.")
    )
    # When any operation is executed
    response = await run("{ whoami crash }", context)
    # Then nothing ran (the crash would be INTERNAL) and the only error is UNAUTHENTICATED
    assert response["data"] is None
    assert [(e["message"], e["extensions"]) for e in response["errors"]] == [
        ("Authentication required: token expired.", {"code": "UNAUTHENTICATED"})
    ]


async def test_a_request_that_does_not_parse_or_validate_is_bad_user_input() -> None:
    for query in ("{ whoami", "{ noSuchField }"):
        response = await run(query, ArgusContext(principal=principal()))
        assert response["data"] is None
        assert {e["extensions"]["code"] for e in response["errors"]} == {"BAD_USER_INPUT"}


async def test_partial_results_keep_the_fields_that_worked() -> None:
    @strawberry.type
    class Partial:
        @strawberry.field
        def fine(self) -> str:
            return "fine"

        @strawberry.field
        def missing(self) -> str | None:
            raise NotFound("No such watch group.")

    partial = strawberry.Schema(query=Partial, extensions=[ArgusErrors])
    result = await partial.execute("{ fine missing }", context_value=ArgusContext(principal=principal()))
    assert result.data == {"fine": "fine", "missing": None}
    assert [e.extensions for e in result.errors or []] == [{"code": "NOT_FOUND"}]
