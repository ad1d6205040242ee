"""Benchmark 2: GraphQL overhead of the real API against raw graphql-core.

Ours: a 1,000-item ``staff`` list through the Mangum handler (API Gateway HTTP API v2 event with a
bearer token, verified on every request; the real ``argus.api.graphql`` schema with its permission
and error extensions and its parser/validation caches), JSON response body out.

Baseline: ``graphql.graphql_sync`` on a hand-built ``GraphQLSchema`` with the same fields, the same
role and relation checks, resolving from the same in-memory ``UserProfile`` objects, followed by
``json.dumps`` of the result (the least any HTTP endpoint must do).

The data never touches DynamoDB: ``argus.organisations.service.list_staff`` is replaced by a function
that performs the same role check and returns one 1,000-item page (the real one caps pages at
``MAX_PAGE_SIZE`` = 100).
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

from benchmarks.common import LAMBDA_CONTEXT, ORG_ID, http_api_event, median, paired_ratio, spread

ITEMS = 1000
QUERY = """
query Staff($first: Int) {
  staff(first: $first) {
    nodes { sub displayName email roles createdAt }
    pageInfo { endCursor hasNextPage }
  }
}
"""
TRIVIAL_QUERY = "{ __typename }"


@dataclass(frozen=True)
class OverheadResult:
    ours_ms: list[float]
    baseline_ms: list[float]
    trivial_ms: list[float]  # `{ __typename }` through the same handler: the fixed cost per request
    items: int

    @property
    def ratio(self) -> float:
        return median(self.ours_ms) / median(self.baseline_ms)

    @property
    def paired_ratio(self) -> float:
        return paired_ratio(self.ours_ms, self.baseline_ms)


def make_page(items: int = ITEMS) -> Any:
    from argus.organisations.model import UserProfile
    from argus.platform.auth.principal import Role
    from argus.platform.pagination import Page

    start = datetime(2026, 1, 1, tzinfo=UTC)
    roles = (Role.OFFICER, Role.SUPERVISOR, Role.ANALYST)
    profiles = [
        UserProfile(
            sub=f"user-{i:05d}",
            org_id=ORG_ID,
            display_name=f"Officer {i:05d}",
            email=f"user-{i:05d}@bench.argus.invalid",
            roles=(roles[i % 3],) if i % 2 else (roles[i % 3], Role.MEMBER),
            created_at=start + timedelta(minutes=i),
        )
        for i in range(items)
    ]
    return Page(profiles, None, False)


@contextmanager
def in_memory_staff(page: Any) -> Iterator[None]:
    """Replace the service's ``list_staff`` (same role check, no page-size cap, no DynamoDB)."""
    from argus.organisations import service

    def list_staff(principal: Any, first: int | None, after: str | None) -> Any:
        service._require(principal, *service.STAFF_VIEWERS)
        return page

    with mock.patch.object(service, "list_staff", list_staff):
        yield


def build_raw_schema(page: Any) -> Any:
    """The same fields as the product's schema, in plain graphql-core."""
    from argus.platform.auth.principal import Role
    from graphql import (
        GraphQLArgument,
        GraphQLBoolean,
        GraphQLEnumType,
        GraphQLEnumValue,
        GraphQLError,
        GraphQLField,
        GraphQLID,
        GraphQLInt,
        GraphQLList,
        GraphQLNonNull,
        GraphQLObjectType,
        GraphQLScalarType,
        GraphQLSchema,
        GraphQLString,
    )

    staff_viewers = (Role.OFFICER, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN)
    role = GraphQLEnumType("Role", {r.name: GraphQLEnumValue(r) for r in Role})
    date_time = GraphQLScalarType("DateTime", serialize=lambda value: value.isoformat())

    def email(user: Any, info: Any) -> str | None:
        principal = info.context
        if principal.sub == user.sub or principal.is_staff:
            return user.email  # type: ignore[no-any-return]
        raise GraphQLError("You may not see or change this.", extensions={"code": "FORBIDDEN"})

    user_profile = GraphQLObjectType(
        "UserProfile",
        {
            "sub": GraphQLField(GraphQLNonNull(GraphQLID), resolve=lambda user, info: user.sub),
            "displayName": GraphQLField(
                GraphQLNonNull(GraphQLString), resolve=lambda user, info: user.display_name
            ),
            "email": GraphQLField(GraphQLString, resolve=email),
            "roles": GraphQLField(
                GraphQLNonNull(GraphQLList(GraphQLNonNull(role))), resolve=lambda user, info: list(user.roles)
            ),
            "createdAt": GraphQLField(GraphQLNonNull(date_time), resolve=lambda user, info: user.created_at),
        },
    )
    page_info = GraphQLObjectType(
        "PageInfo",
        {
            "endCursor": GraphQLField(GraphQLString, resolve=lambda p, info: p.end_cursor),
            "hasNextPage": GraphQLField(
                GraphQLNonNull(GraphQLBoolean), resolve=lambda p, info: p.has_next_page
            ),
        },
    )
    connection = GraphQLObjectType(
        "UserProfileConnection",
        {
            "nodes": GraphQLField(
                GraphQLNonNull(GraphQLList(GraphQLNonNull(user_profile))), resolve=lambda p, info: p.items
            ),
            "pageInfo": GraphQLField(GraphQLNonNull(page_info), resolve=lambda p, info: p),
        },
    )

    def staff(_root: Any, info: Any, first: int | None = None, after: str | None = None) -> Any:
        principal = info.context
        if principal is None:
            raise GraphQLError("Authentication required.", extensions={"code": "UNAUTHENTICATED"})
        if not principal.has_any_role(*staff_viewers):
            raise GraphQLError("You do not have a role that allows this.", extensions={"code": "FORBIDDEN"})
        return page

    query = GraphQLObjectType(
        "Query",
        {
            "staff": GraphQLField(
                GraphQLNonNull(connection),
                args={"first": GraphQLArgument(GraphQLInt), "after": GraphQLArgument(GraphQLString)},
                resolve=staff,
            ),
        },
    )
    return GraphQLSchema(query=query)


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def run(*, rounds: int, warmup: int, token: str, principal: Any) -> OverheadResult:
    import argus.handlers.graphql as graphql_lambda
    from graphql import graphql_sync

    page = make_page()
    raw_schema = build_raw_schema(page)
    variables = {"first": ITEMS}
    event = http_api_event(QUERY, token=token, variables=variables)
    trivial_event = http_api_event(TRIVIAL_QUERY, token=token)

    def ours() -> str:
        response = graphql_lambda.handler(event, LAMBDA_CONTEXT)
        assert response["statusCode"] == 200, response
        return response["body"]  # type: ignore[no-any-return]

    def trivial() -> str:
        return graphql_lambda.handler(trivial_event, LAMBDA_CONTEXT)["body"]  # type: ignore[no-any-return]

    def baseline() -> str:
        result = graphql_sync(raw_schema, QUERY, context_value=principal, variable_values=variables)
        return json.dumps(result.formatted)

    with in_memory_staff(page):
        ours_body, baseline_body = json.loads(ours()), json.loads(baseline())
        if ours_body != baseline_body or ours_body.get("errors"):
            raise RuntimeError(
                "the two implementations disagree:\n"
                f"{json.dumps(ours_body)[:600]}\n{json.dumps(baseline_body)[:600]}"
            )
        if len(ours_body["data"]["staff"]["nodes"]) != ITEMS:
            raise RuntimeError("the list query did not return every item")
        if json.loads(trivial()) != {"data": {"__typename": "Query"}}:
            raise RuntimeError("the trivial query failed")
        for _ in range(warmup):
            ours(), baseline(), trivial()
        ours_ms: list[float] = []
        baseline_ms: list[float] = []
        trivial_ms: list[float] = []
        gc.collect()
        for i in range(rounds):
            pair = [(ours_ms, ours), (baseline_ms, baseline)]
            if i % 2:
                pair.reverse()
            for samples, fn in pair:
                samples.append(_timed(fn)[0])
            trivial_ms.append(_timed(trivial)[0])
    return OverheadResult(ours_ms=ours_ms, baseline_ms=baseline_ms, trivial_ms=trivial_ms, items=ITEMS)


def describe(samples: list[float]) -> str:
    low, high = spread(samples)
    return f"{median(samples):.2f} ms ({low:.2f}-{high:.2f})"


def profile(*, token: str, principal: Any, calls: int = 20, top: int = 25) -> str:
    """cProfile of ``calls`` list queries through the handler (after one warm-up), by own time."""
    import cProfile
    import io
    import pstats

    import argus.handlers.graphql as graphql_lambda

    page = make_page()
    event = http_api_event(QUERY, token=token, variables={"first": ITEMS})
    with in_memory_staff(page):
        graphql_lambda.handler(event, LAMBDA_CONTEXT)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(calls):
            graphql_lambda.handler(event, LAMBDA_CONTEXT)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()
