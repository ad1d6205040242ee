"""The GraphQL API's abuse limits (``argus.api.limits``) on a small schema of its own: depth, aliases,
tokens, document size and estimated cost by role, control characters and deep variables, the bounded
document cache, introspection by stage, and refusing a caller without a principal before parsing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import strawberry
from argus.api import documents, limits
from argus.api.context import ArgusContext
from argus.api.cost import cost
from argus.api.errors import ArgusErrors
from argus.api.limits import Limits, RequestLimits
from argus.platform.auth.principal import Principal, Role
from argus.platform.settings import reset_settings

from tests.factories.principals import principal

RESIDENT = principal(Role.RESIDENT, sub="resident-1")
OFFICER = principal(Role.OFFICER, sub="officer-1")


@strawberry.type
class Item:
    name: str

    @strawberry.field(extensions=[cost(5)])
    def expensive(self) -> str:
        return "slow"

    @strawberry.field
    def child(self) -> Item:
        return Item(name="child")


@strawberry.type
class Page:
    items: list[Item]


@strawberry.type
class Query:
    @strawberry.field
    def cheap(self, text: str | None = None) -> str:
        return text or "ok"

    @strawberry.field
    def item(self) -> Item:
        return Item(name="one")

    @strawberry.field(extensions=[cost(40)])
    def export(self) -> str:
        return "{}"

    @strawberry.field(extensions=[cost(1, paged_by="first", default=10, maximum=50)])
    def page(self, first: int | None = None) -> Page:
        return Page(items=[Item(name=str(i)) for i in range(first or 10)])


@strawberry.type
class Mutation:
    @strawberry.mutation
    def rename(self, name: str, note: str | None = None) -> str:
        return name


schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=[ArgusErrors, RequestLimits])
SMALL = Limits(depth=3, aliases=2, tokens=40, cost=50)
LARGER = Limits(depth=5, aliases=6, tokens=200, cost=500)


@pytest.fixture(autouse=True)
def small_limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Small limits for the tests (residents SMALL, officers LARGER) and a fresh document cache."""
    monkeypatch.setattr(limits, "BY_ROLE", {Role.RESIDENT: SMALL, Role.OFFICER: LARGER})
    monkeypatch.setattr(limits, "PUBLIC", SMALL)
    limits.document_cache.cache_clear()
    yield
    limits.document_cache.cache_clear()


@pytest.fixture
def stage(monkeypatch: pytest.MonkeyPatch) -> Any:
    def set_stage(name: str) -> None:
        monkeypatch.setenv("ARGUS_STAGE", name)
        reset_settings()

    yield set_stage
    monkeypatch.undo()  # before the settings are read again
    reset_settings()


async def run(
    query: str, who: Principal | None = RESIDENT, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    result = await schema.execute(query, variable_values=variables, context_value=ArgusContext(principal=who))
    return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}


def refusal(response: dict[str, Any]) -> tuple[str, str]:
    """(code, reason) of a response refused with one error."""
    assert response["data"] is None, response
    [error] = response["errors"]
    return error["extensions"]["code"], error["extensions"]["details"]["reason"]


def aliases(count: int, field: str = "cheap") -> str:
    return "{ " + " ".join(f"a{i}: {field}" for i in range(count)) + " }"


async def test_aliases_are_limited_by_role() -> None:
    # Given a resident allowed 2 aliases and an officer allowed 6
    # When each sends 3 aliases
    resident = await run(aliases(3))
    officer = await run(aliases(3), OFFICER)
    # Then the resident is refused with the reason and limit, and the officer is answered
    assert refusal(resident) == ("BAD_USER_INPUT", "too_many_aliases")
    assert resident["errors"][0]["extensions"]["details"]["limit"] == 2
    assert officer == {"data": {f"a{i}": "ok" for i in range(3)}, "errors": []}


async def test_depth_is_limited() -> None:
    # Given a resident allowed a depth of 3
    deep = "{ item { child { child { child { name } } } } }"
    # When they ask 5 levels deep, and an officer (5 allowed) asks the same
    # Then only the resident is refused
    assert refusal(await run(deep)) == ("BAD_USER_INPUT", "too_deep")
    assert (await run(deep, OFFICER))["errors"] == []


async def test_tokens_are_limited() -> None:
    # Given a resident allowed 40 tokens and a document of about 60
    many = "{ " + " ".join(["cheap"] * 58) + " }"
    response = await run(many)
    # Then it is refused while parsing, with the limit
    assert refusal(response) == ("BAD_USER_INPUT", "too_many_tokens")
    assert response["errors"][0]["extensions"]["details"]["limit"] == 40
    assert (await run(many, OFFICER))["errors"] == []


async def test_a_document_over_the_size_limit_is_refused_before_it_is_parsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a size limit of 100 characters and a parser that must not be called
    monkeypatch.setenv("ARGUS_GRAPHQL_MAX_DOCUMENT_CHARS", "100")
    reset_settings()

    def no_parsing(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the parser was called")

    monkeypatch.setattr(documents, "Parser", no_parsing)
    try:
        # When a 101-character document arrives
        response = await run("{ cheap }" + " " * 92)
    finally:
        monkeypatch.undo()
        reset_settings()
    # Then it is refused as too large
    assert refusal(response) == ("BAD_USER_INPUT", "too_large")
    assert response["errors"][0]["extensions"]["details"]["limit"] == 100


async def test_an_expensive_field_repeated_by_aliases_is_too_costly() -> None:
    # Given an export costing 40 and a resident's budget of 50
    # When they ask for it once, then twice (within the alias limit)
    once = await run("{ export }")
    twice = await run("{ a: export b: export }")
    # Then once is answered and twice is refused with the estimate and the limit
    assert once["errors"] == []
    assert refusal(twice) == ("BAD_USER_INPUT", "too_costly")
    assert twice["errors"][0]["extensions"]["details"] == {"reason": "too_costly", "cost": 80, "limit": 50}


async def test_a_page_multiplies_the_cost_of_what_is_selected_in_it() -> None:
    # Given a page costing 1 whose items each cost 5 for `expensive`
    query = "query($n: Int) { page(first: $n) { items { name expensive } } }"
    # When 9 items are asked for (1 + 9 * 5 = 46) and then 10 (51, over the budget of 50)
    nine = await run(query, variables={"n": 9})
    ten = await run(query, variables={"n": 10})
    default = await run("{ page { items { expensive } } }")  # default page of 10
    # Then the variable's value counts, and so does the default page size
    assert nine["errors"] == []
    assert refusal(ten)[1] == "too_costly" and ten["errors"][0]["extensions"]["details"]["cost"] == 51
    assert refusal(default)[1] == "too_costly"


async def test_a_page_larger_than_its_maximum_is_costed_at_the_maximum() -> None:
    # Given a page of at most 50 items
    response = await run("{ page(first: 100000) { items { expensive } } }")
    # Then the estimate is 1 + 50 * 5, not 1 + 100000 * 5
    assert refusal(response)[1] == "too_costly"
    assert response["errors"][0]["extensions"]["details"]["cost"] == 251


async def test_fragments_count_once_per_response_key() -> None:
    # Given the same field selected directly and through a fragment (merged by the executor)
    query = "query { export ...F } fragment F on Query { export }"
    # Then it costs what one export costs
    assert (await run(query))["errors"] == []


async def test_control_characters_are_refused_in_variables_and_literals() -> None:
    mutation = "mutation($name: String!, $note: String) { rename(name: $name, note: $note) }"
    for name in ("Demo\x00Police", "Bell\x07", "Esc\x1b[2J", "C1\x85", "lone \ud800"):
        # When a name holds a control character (or a lone surrogate)
        response = await run(mutation, variables={"name": name})
        # Then it is refused, naming the variable but not repeating the value
        assert refusal(response) == ("BAD_USER_INPUT", "control_character"), name
        assert response["errors"][0]["extensions"]["details"]["field"] == "name"
        assert name not in str(response)
    literal = await run('mutation { rename(name: "Demo\\u0000Police") }')
    assert refusal(literal) == ("BAD_USER_INPUT", "control_character")
    # And free text keeps tabs and line breaks
    fine = await run(mutation, variables={"name": "Demo", "note": "line one\r\nline\ttwo"})
    assert fine == {"data": {"rename": "Demo"}, "errors": []}


async def test_input_nested_too_deeply_is_refused() -> None:
    deep: Any = "x"
    for _ in range(40):
        deep = [deep]
    response = await run("query($t: String) { cheap(text: $t) }", variables={"t": deep})
    assert refusal(response) == ("BAD_USER_INPUT", "too_deep")


async def test_introspection_only_in_dev_and_the_local_stack(stage: Any) -> None:
    introspection = "{ __schema { queryType { name } } }"
    for name, allowed in (("dev", True), ("local", True), ("staging", False), ("prod", False)):
        # Given the stage
        stage(name)
        # When an introspection query and a __typename arrive
        response = await run(introspection, OFFICER)
        typename = await run("{ __typename }", OFFICER)
        # Then introspection is answered in dev and locally only; __typename always
        if allowed:
            assert response["data"] == {"__schema": {"queryType": {"name": "Query"}}}, name
        else:
            assert response["data"] is None, name
            reasons = {e["extensions"]["details"]["reason"] for e in response["errors"]}
            assert reasons == {"introspection_disabled"}, name
        assert typename["data"] == {"__typename": "Query"}


async def test_two_anonymous_operations_are_refused() -> None:
    response = await run("{ cheap } { cheap }")
    assert response["data"] is None
    assert {e["extensions"]["code"] for e in response["errors"]} == {"BAD_USER_INPUT"}
    assert all("anonymous operation" in e["message"] for e in response["errors"])


async def test_without_a_principal_the_document_is_not_even_parsed(
    monkeypatch: pytest.MonkeyPatch, stage: Callable[[str], None]
) -> None:
    # Given a production stage (the local stack also says why: tests/integration/test_graphql.py)
    stage("prod")

    # And a parser that must not be called
    def no_parsing(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the parser was called")

    monkeypatch.setattr(documents, "Parser", no_parsing)
    # When a request without a principal sends a document that would not even parse
    response = await run("{ cheap ", None)
    # Then the only answer is UNAUTHENTICATED
    assert response == {
        "data": None,
        "errors": [
            {
                "message": "Authentication required: the bearer token is missing or invalid.",
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }


async def test_refusals_before_parsing_keep_the_operation_name() -> None:
    result = await schema.execute(
        "{ cheap " + "x" * 40_000, operation_name="Named", context_value=ArgusContext(principal=RESIDENT)
    )
    assert [e.extensions["details"]["reason"] for e in result.errors or []] == ["too_large"]  # type: ignore[index]


async def test_the_document_cache_is_bounded_by_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a cache budget of 200 KB
    monkeypatch.setenv("ARGUS_GRAPHQL_CACHE_BYTES", str(200_000))
    reset_settings()
    limits.document_cache.cache_clear()
    try:
        # When ten distinct documents of 190 tokens each (about 76 KB estimated each) are executed
        for n in range(10):
            query = "{ " + " ".join(f"a{i}: cheap" for i in range(2)) + " " + " ".join(["cheap"] * 180) + "}"
            await run(query.replace("a0", f"x{n}"), OFFICER)
        cache = limits.document_cache()
        # Then the cache holds no more than its budget, and the latest documents
        assert 0 < cache.size_bytes <= 200_000
        assert 1 <= len(cache) <= 2
    finally:
        monkeypatch.undo()
        reset_settings()
        limits.document_cache.cache_clear()


async def test_a_cached_document_is_validated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    rules = limits.validation_rules(LARGER, True)
    first = rules[0]
    real_init = first.__init__

    def counted(self: Any, context: Any) -> None:
        calls.append(1)
        real_init(self, context)

    monkeypatch.setattr(first, "__init__", counted)
    for _ in range(3):
        assert (await run("{ cheap }", OFFICER))["errors"] == []
    assert len(calls) == 1


def test_the_most_generous_role_applies() -> None:
    both = principal(Role.RESIDENT, Role.OFFICER)
    assert limits.limits_for(both) == LARGER
    assert limits.limits_for(None) == SMALL


async def test_documents_over_the_size_limit_are_not_kept() -> None:
    # Given ten distinct 5 MB documents (they kept 73 MB in the parser cache)
    for n in range(10):
        response = await run("{ cheap }" + " " * 5_000_000 + f"# {n}", OFFICER)
        # Then each is refused as too large
        assert refusal(response) == ("BAD_USER_INPUT", "too_large")
    # And none of them is kept
    assert len(limits.document_cache()) == 0
    assert limits.document_cache().size_bytes == 0
