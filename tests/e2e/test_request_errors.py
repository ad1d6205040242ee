"""Requests that are wrong in themselves (syntax, validation, variables, cursors) get a clear error
with a stable ``extensions.code`` — BAD_USER_INPUT — never INTERNAL and never a stack trace."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
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
    wait_until,
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


# -- the HTTP edge over a real server: malformed bodies, sizes, limits, and what reaches the log ------

DEEP_GEOJSON = (
    b'{"query": "mutation($b: JSON!) { proposeWatchGroup(input: {name: \\"Deep\\", boundary: $b}) { id } }",'
    b' "variables": {"b": {"type": "Polygon", "coordinates": ' + b"[" * 5000 + b"0" + b"]" * 5000 + b"}}}"
)
MALFORMED = {
    "null": (b"null", "not_an_object"),
    "a-string": (b'"{ me { sub } }"', "not_an_object"),
    "a-number": (b"1", "not_an_object"),
    "json-100000-deep": (b"[" * 100_000 + b"]" * 100_000, "too_deep"),
    "geojson-coordinates-5000-deep": (DEEP_GEOJSON, "too_deep"),
    "not-utf8": (b'{"query": "{ me { sub } }", "variables": {"x": "\xff\xfe"}}', "not_utf8"),
}


class Records(logging.Handler):
    """Records of the root logger and of uvicorn's (which do not propagate)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if all(r is not record for r in self.records):
            self.records.append(record)

    def problems(self) -> list[str]:
        return [
            f"{r.name}: {r.getMessage()}"
            for r in self.records
            if r.levelno >= logging.ERROR or r.exc_info or "Traceback" in r.getMessage()
        ]


@pytest.fixture
def logs() -> Iterator[Records]:
    handler = Records()
    loggers = [logging.getLogger(name) for name in ("", "uvicorn")]
    argus_logger = logging.getLogger("argus")
    level = argus_logger.level
    argus_logger.setLevel(logging.INFO)
    for lg in loggers:
        lg.addHandler(handler)
    yield handler
    for lg in loggers:
        lg.removeHandler(handler)
    argus_logger.setLevel(level)


def post(stack: LocalStack, body: bytes, token: str | None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return httpx.post(stack.graphql_url, content=body, headers=headers, timeout=20)


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_body_is_a_4xx_graphql_error(
    case: str, stack: LocalStack, org: Org, logs: Records
) -> None:
    body, reason = MALFORMED[case]
    # When the body is posted with a valid token
    response = post(stack, body, org.admin_token)
    # Then it is a 400 GraphQL error in JSON with a stable code and reason
    assert (response.status_code, response.headers["content-type"]) == (400, "application/json")
    assert response.json()["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "details": {"reason": reason},
    }
    # And nothing reached the log as an error, nor any stack trace
    assert logs.problems() == []


def test_a_one_megabyte_body_is_refused(stack: LocalStack, logs: Records) -> None:
    body = json.dumps({"query": "{ me { sub } }", "variables": {"x": "a" * (7 * 1024 * 1024)}}).encode()
    response = post(stack, body, None)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["details"]["reason"] == "too_large"
    assert logs.problems() == []


def test_a_client_that_goes_away_logs_no_error(stack: LocalStack, logs: Records) -> None:
    # Given a client that announces a 100-byte body, sends 10 bytes and hangs up
    with socket.create_connection((stack.host, stack.port), timeout=5) as raw:
        raw.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: argus\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"query": '
        )
    # When the server notices
    went_away = "graphql client went away before its request was read"
    wait_until(
        lambda: any(r.getMessage() == went_away for r in logs.records), timeout=10, what="the log line"
    )
    # Then it logged one informational line, and no error or stack trace
    assert logs.problems() == []
    assert [r.levelno for r in logs.records if r.getMessage() == went_away] == [logging.INFO]


def test_introspection_is_answered_by_the_local_stack(gql: GraphQLClient, org: Org) -> None:
    # GraphiQL needs it
    response = gql.execute("{ __schema { queryType { name } } }", token=org.admin_token)
    assert response.ok() == {"__schema": {"queryType": {"name": "Query"}}}


def test_two_anonymous_operations_are_refused(gql: GraphQLClient, org: Org) -> None:
    response = gql.execute("{ organisation { id } } { me { sub } }", token=org.admin_token)
    response.refused("BAD_USER_INPUT")
    assert response.data is None


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("{ " + " ".join(f"m{i}: me {{ sub }}" for i in range(100)) + " }", "too_many_aliases"),
        (
            "{ "
            + " ".join(
                f'm{i}: incidentsGeoJson(from: "2026-08-29T00:00:00Z", to: "2026-11-22T00:00:00Z")'
                for i in range(10)
            )
            + " }",
            "too_costly",
        ),
        ("{ " + " ".join(["x"] * 3001) + " }", "too_many_tokens"),
    ],
    ids=["aliases", "cost", "tokens"],
)
def test_abuse_limits_over_http(gql: GraphQLClient, org: Org, query: str, reason: str) -> None:
    response = gql.execute(query, token=org.admin_token)
    response.refused("BAD_USER_INPUT")
    assert response.errors[0]["extensions"]["details"]["reason"] == reason
