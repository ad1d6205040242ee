"""Requests that are wrong in themselves (syntax, validation, variables, cursors) get a clear error
with a stable ``extensions.code`` — BAD_USER_INPUT — never INTERNAL and never a stack trace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from argus.local.stack import LocalStack

from .support import (
    AUDIT_PAGE,
    STAFF_PAGE,
    UPDATE_ORGANISATION,
    GraphQLClient,
    Org,
    b64url_json,
    create_org,
    organisation,
)

pytestmark = pytest.mark.e2e


# name → (query, variables(org))
CASES: dict[str, tuple[str, Callable[[Org], dict[str, Any] | None]]] = {
    "unknown-field": ("query { organisation { nope } }", lambda org: None),
    "missing-argument": ("mutation { updateOrganisation { id } }", lambda org: None),
    "undeclared-variable": ("query { staff(first: $x) { nodes { sub } } }", lambda org: None),
    "unused-variable": ("query($x: Int) { organisation { id } }", lambda org: {"x": 1}),
    "unknown-enum-value-inline": (
        'mutation { updateOrganisation(input: {contacts: [{kind: PIGEON, value: "x"}]}) { id } }',
        lambda org: None,
    ),
    "page-size-too-small": (STAFF_PAGE, lambda org: {"first": 0}),
    "page-size-too-large": (STAFF_PAGE, lambda org: {"first": 101}),
    "cursor-not-base64-json": (STAFF_PAGE, lambda org: {"first": 1, "after": "!!!"}),
    "cursor-not-an-object": (STAFF_PAGE, lambda org: {"first": 1, "after": b64url_json([1])}),  # type: ignore[arg-type]
    "syntax-error": ("query { organisation { id ", lambda org: None),
    "variable-of-the-wrong-type": (STAFF_PAGE, lambda org: {"first": "ten"}),
    "variable-int-out-of-range": (STAFF_PAGE, lambda org: {"first": 2**40}),
    "unknown-input-field": (UPDATE_ORGANISATION, lambda org: {"input": {"first": 1}}),
    "missing-required-variable": (UPDATE_ORGANISATION, lambda org: None),
    "null-for-a-required-variable": (UPDATE_ORGANISATION, lambda org: {"input": None}),
    "unknown-enum-value-in-variable": (
        UPDATE_ORGANISATION,
        lambda org: {"input": {"contacts": [{"kind": "PIGEON", "value": "x"}]}},
    ),
    "cursor-without-sort-key": (
        AUDIT_PAGE,
        lambda org: {"first": 1, "after": b64url_json({"PK": {"S": f"ORG#{org.id}#AUDIT"}})},
    ),
    "subscription-over-http": (
        "subscription { organisationEvents { id } }",
        lambda org: None,
    ),
}


@pytest.fixture(scope="module")
def org(stack: LocalStack, gql: GraphQLClient) -> Org:
    return create_org(gql, stack, "requests")


def _check(gql: GraphQLClient, org: Org, query: str, variables: dict[str, Any] | None) -> None:
    before = organisation(gql, org.admin_token)
    response = gql.execute(query, variables, token=org.admin_token)
    response.refused("BAD_USER_INPUT")
    assert response.data is None
    assert "Traceback" not in response.text
    assert organisation(gql, org.admin_token) == before


@pytest.mark.parametrize("case", list(CASES))
def test_a_wrong_request_is_bad_user_input(case: str, org: Org, gql: GraphQLClient) -> None:
    query, variables = CASES[case]
    _check(gql, org, query, variables(org))
