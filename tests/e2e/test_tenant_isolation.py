"""Tenant isolation, property-based: whatever operation a person of organisation "alpha" sends —
drawn from every root query and mutation field the schema has (found by introspection, so new
fields are covered without touching this file), with arguments that include organisation "bravo"'s
ids, subs, slugs and cursors, and with any roles — the response never contains anything that
identifies bravo, and bravo's data is unchanged afterwards."""

from __future__ import annotations

import json
import string
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from argus.local.stack import LocalStack
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .support import (
    ADD_STAFF,
    AUDIT_PAGE,
    CREATE_ORGANISATION,
    ORGANISATION_UPDATED,
    STAFF_PAGE,
    UPDATE_ORGANISATION,
    GraphQLClient,
    Org,
    Response,
    audit_trail,
    b64url_json,
    create_org,
    organisation,
    running_stack,
    staff_list,
    unique,
    wait_for_audit,
    wait_quiet,
    wait_until,
)

pytestmark = pytest.mark.e2e

REQUEST_PATTERN_RUN = "mutation { requestPatternRun(weeks: 4) { id } }"
PATTERN_RUN_STATUS = "query Run($id: ID!) { patternRun(id: $id) { status } }"

EXAMPLES = 30
CALLS_PER_EXAMPLE = 6  # + one operation with several root fields
TOP_UP_EXAMPLES = 3  # for each root field the examples happened not to draw
MAX_SELECTION_DEPTH = 4

# -- the schema, by introspection ---------------------------------------------------------------------

TYPE_REF = "kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"
INTROSPECTION = f"""
query {{
  __schema {{
    queryType {{ name }}
    mutationType {{ name }}
    types {{
      kind name
      fields(includeDeprecated: true) {{
        name
        args {{ name defaultValue type {{ {TYPE_REF} }} }}
        type {{ {TYPE_REF} }}
      }}
      inputFields {{ name defaultValue type {{ {TYPE_REF} }} }}
      enumValues(includeDeprecated: true) {{ name }}
      possibleTypes {{ name }}
    }}
  }}
}}
"""


def named(type_ref: dict[str, Any]) -> dict[str, Any]:
    while type_ref.get("ofType"):
        type_ref = type_ref["ofType"]
    return type_ref


def type_string(type_ref: dict[str, Any]) -> str:
    if type_ref["kind"] == "NON_NULL":
        return type_string(type_ref["ofType"]) + "!"
    if type_ref["kind"] == "LIST":
        return f"[{type_string(type_ref['ofType'])}]"
    return str(type_ref["name"])


def required(arg: dict[str, Any]) -> bool:
    return arg["type"]["kind"] == "NON_NULL" and arg.get("defaultValue") is None


@dataclass
class Schema:
    types: dict[str, dict[str, Any]]
    roots: dict[str, list[dict[str, Any]]]  # "query" / "mutation" → root fields

    @classmethod
    def introspect(cls, gql: GraphQLClient, token: str) -> Schema:
        data = gql.execute(INTROSPECTION, token=token).ok()["__schema"]
        types = {t["name"]: t for t in data["types"]}
        roots = {
            kind: [f for f in types[data[f"{kind}Type"]["name"]]["fields"] if not f["name"].startswith("__")]
            for kind in ("query", "mutation")
            if data.get(f"{kind}Type")
        }
        return cls(types, roots)

    def ask_all(self, gql: GraphQLClient, token: str) -> Iterator[tuple[str, Response]]:
        """Every query root field that needs no arguments, with its full selection."""
        for f in self.roots["query"]:
            if not any(required(a) for a in f["args"]):
                yield (
                    f["name"],
                    gql.execute(f"query {{ {f['name']} {self.selection(f['type'])} }}", token=token),
                )

    def ids(self, gql: GraphQLClient, token: str) -> set[str]:
        """Every value of an ID-typed field in the answers of ``ask_all``."""
        found: set[str] = set()
        fields = {f["name"]: f for f in self.roots["query"]}
        for name, response in self.ask_all(gql, token):
            if response.data:
                self._collect_ids(response.data[name], fields[name]["type"], found)
        return found

    def _collect_ids(self, value: Any, type_ref: dict[str, Any], found: set[str]) -> None:
        if value is None:
            return
        if type_ref["kind"] == "NON_NULL":
            self._collect_ids(value, type_ref["ofType"], found)
        elif type_ref["kind"] == "LIST":
            for item in value:
                self._collect_ids(item, type_ref["ofType"], found)
        elif type_ref["name"] == "ID":
            found.add(str(value))
        elif isinstance(value, dict):
            target = self.types[type_ref["name"]]
            if target["kind"] in ("INTERFACE", "UNION"):
                target = self.types[value["__typename"]]
            field_types = {f["name"]: f["type"] for f in target["fields"] or []}
            for key, item in value.items():
                if key in field_types:
                    self._collect_ids(item, field_types[key], found)

    def selection(self, type_ref: dict[str, Any], depth: int = 0) -> str:
        """Every field reachable without required arguments, to ``MAX_SELECTION_DEPTH`` levels."""
        target = self.types[named(type_ref)["name"]]
        if target["kind"] in ("SCALAR", "ENUM"):
            return ""
        if target["kind"] in ("INTERFACE", "UNION"):
            parts = ["__typename"] + [
                f"... on {p['name']} {self.selection({'kind': 'OBJECT', 'name': p['name']}, depth)}"
                for p in target["possibleTypes"] or []
            ]
            return "{ " + " ".join(parts) + " }"
        parts = []
        for f in target["fields"] or []:
            if any(required(a) for a in f["args"]):
                continue
            inner = self.types[named(f["type"])["name"]]
            if inner["kind"] in ("SCALAR", "ENUM"):
                parts.append(f["name"])
            elif depth + 1 < MAX_SELECTION_DEPTH:
                parts.append(f"{f['name']} {self.selection(f['type'], depth + 1)}")
        return "{ " + " ".join(parts or ["__typename"]) + " }"


# -- the two organisations -------------------------------------------------------------------------------


@dataclass
class World:
    stack: LocalStack
    gql: GraphQLClient
    alpha: Org
    bravo: Org
    alpha_subs: list[str]
    bravo_subs: list[str]
    alpha_cursors: list[str]
    bravo_cursors: list[str]
    forged_cursors: list[str]
    bravo_secrets: list[str]  # everything that identifies bravo; none may reach alpha
    schema: Schema
    alpha_ids: list[str] = field(default_factory=list)  # every ID-typed value alpha's queries show
    bravo_ids: list[str] = field(default_factory=list)  # … and bravo's
    snapshot: dict[str, Any] = field(default_factory=dict)

    def bravo_state(self) -> dict[str, Any]:
        """Bravo's data as bravo's admin sees it: its organisation, staff and audit trail in full, and
        the answer to every query that needs no arguments."""
        token = self.bravo.admin_token
        return {
            "organisation": organisation(self.gql, token),
            "staff": staff_list(self.gql, token),
            "audit": audit_trail(self.gql, token),
            "queries": {name: response.body for name, response in self.schema.ask_all(self.gql, token)},
        }


def _cursor(gql: GraphQLClient, query: str, field_name: str, token: str, first: int) -> str:
    page = gql.execute(query, {"first": first}, token=token).ok()[field_name]
    assert page["pageInfo"]["endCursor"], page
    return str(page["pageInfo"]["endCursor"])


def complete_a_pattern_run(gql: GraphQLClient, org: Org) -> str:
    """Request a crime-pattern run as ``org``'s admin and wait until the local stack's job completes it."""
    run_id = str(gql.execute(REQUEST_PATTERN_RUN, token=org.admin_token).ok()["requestPatternRun"]["id"])

    def status() -> str:
        run = gql.execute(PATTERN_RUN_STATUS, {"id": run_id}, token=org.admin_token).ok()["patternRun"]
        return str(run["status"])

    wait_until(lambda: status() == "COMPLETED", timeout=60, what=f"{org.id}'s pattern run to complete")
    return run_id


def build_world(stack: LocalStack, gql: GraphQLClient) -> World:
    # Bravo's identifying values share no substring with each other (only its id contains "bravo"),
    # and its names and addresses carry a marker that alpha never sends.
    marker = uuid.uuid4().hex[:10]
    alpha = create_org(
        gql, stack, "alpha", org_id="alpha", name="Alpha Neighbourhood Watch", slug=unique("alpha-watch")
    )
    bravo = create_org(
        gql,
        stack,
        "harbour",
        org_id="bravo",
        name=f"Harbour Watch {marker}",
        slug=unique("harbour"),
        admin_sub=unique("h-admin"),
        timezone="Europe/Dublin",
        contacts=[
            {"kind": "EMAIL", "value": f"desk.{marker}@harbour.example", "label": f"Harbour desk {marker}"}
        ],
    )
    alpha_staff = [
        (alpha.admin_sub, "Ada Alpha", "ada@alpha.example", ["ADMIN"]),
        (unique("alpha-officer"), "Otto Alpha", "otto@alpha.example", ["OFFICER"]),
        (unique("alpha-analyst"), "Ana Alpha", None, ["ANALYST"]),
    ]
    bravo_staff = [
        (bravo.admin_sub, f"Bea Harbour {marker}", f"bea.{marker}@harbour.example", ["ADMIN"]),
        (unique("h-officer"), f"Bob Harbour {marker}", f"bob.{marker}@harbour.example", ["OFFICER"]),
        (unique("h-supervisor"), f"Bo Harbour {marker}", f"bo.{marker}@harbour.example", ["SUPERVISOR"]),
        (unique("h-analyst"), f"Bel Harbour {marker}", None, ["ANALYST", "CAPTAIN"]),
    ]
    for org, people in ((alpha, alpha_staff), (bravo, bravo_staff)):
        for sub, name, email, roles in people:
            gql.execute(
                ADD_STAFF,
                {"input": {"sub": sub, "displayName": name, "email": email, "roles": roles}},
                token=org.admin_token,
            ).ok()
    # a second audit entry for each, so that both trails have cursors
    for org in (alpha, bravo):
        gql.execute(UPDATE_ORGANISATION, {"input": {"locale": "en-IE"}}, token=org.admin_token).ok()
        wait_for_audit(gql, org.admin_token, lambda t: len(t) == 2, what=f"{org.id}'s two events")
    # a completed crime-pattern run each (requested and completed: two more audit entries)
    runs = {}
    for org in (alpha, bravo):
        runs[org.id] = complete_a_pattern_run(gql, org)
        wait_for_audit(gql, org.admin_token, lambda t: len(t) == 4, what=f"{org.id}'s pattern run events")

    cursors = {}
    for org in (alpha, bravo):
        cursors[org.id] = [
            _cursor(gql, STAFF_PAGE, "staff", org.admin_token, 1),
            _cursor(gql, STAFF_PAGE, "staff", org.admin_token, 2),
            _cursor(gql, AUDIT_PAGE, "auditTrail", org.admin_token, 1),
        ]
    bravo_sub = bravo_staff[1][0]
    forged = [
        b64url_json(key)
        for key in (
            # bravo's partitions, well-formed
            {
                "GSI1PK": {"S": "ORG#bravo#STAFF"},
                "GSI1SK": {"S": f"admin#bea harbour {marker}#{bravo.admin_sub}"},
                "PK": {"S": f"ORG#bravo#USER#{bravo.admin_sub}"},
                "SK": {"S": "PROFILE"},
            },
            {"PK": {"S": "ORG#bravo#AUDIT"}, "SK": {"S": "2000-01-01T00:00:00+00:00#x"}},
            # alpha's partition, pointing at one of bravo's items
            {
                "GSI1PK": {"S": "ORG#alpha#STAFF"},
                "GSI1SK": {"S": f"officer#bob harbour {marker}#{bravo_sub}"},
                "PK": {"S": f"ORG#bravo#USER#{bravo_sub}"},
                "SK": {"S": "PROFILE"},
            },
            {"PK": {"S": "ORG#alpha#AUDIT"}, "SK": {"S": "0000#x"}},
        )
    ] + ["", "not-a-cursor", "e30"]
    bravo_events = [r["eventId"] for r in audit_trail(gql, bravo.admin_token)]
    secrets = ["bravo", marker, bravo.slug, *bravo_events, *cursors["bravo"]]
    for sub, _name, _email, _ in bravo_staff:
        secrets.append(sub)  # names and addresses carry the marker
    assert all(marker in value for _, name, email, _ in bravo_staff for value in (name, email) if value)
    assert marker in bravo.name
    schema = Schema.introspect(gql, alpha.admin_token)
    # the ids of whatever the queries show (more with every domain that gives bravo data)
    alpha_ids, bravo_ids = schema.ids(gql, alpha.admin_token), schema.ids(gql, bravo.admin_token)
    assert {"alpha", alpha.admin_sub, runs["alpha"]} <= alpha_ids
    assert {"bravo", bravo.admin_sub, runs["bravo"]} <= bravo_ids
    bravo_only = sorted(bravo_ids - alpha_ids)
    return World(
        stack,
        gql,
        alpha,
        bravo,
        [s for s, *_ in alpha_staff],
        [s for s, *_ in bravo_staff],
        cursors["alpha"],
        cursors["bravo"],
        forged,
        sorted({*secrets, *bravo_only}),
        schema,
        sorted(alpha_ids),
        bravo_only,
    )


@pytest.fixture(scope="module")
def isolation_stack(argus_local_dir: Any) -> Iterator[LocalStack]:
    """A stack of its own, so that no other suite's data or events mix with the isolation checks."""
    with running_stack(seed=False) as started:
        yield started


@pytest.fixture(scope="module")
def world(isolation_stack: LocalStack) -> Iterator[World]:
    gql = GraphQLClient(isolation_stack.graphql_url)
    built = build_world(isolation_stack, gql)
    built.snapshot = built.bravo_state()
    yield built
    gql.close()


# -- generated operations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    kind: str  # "query" or "mutation"
    fields: tuple[tuple[str, dict[str, Any]], ...]  # (root field, arguments)
    roles: tuple[str, ...]
    sub: str


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    return st.one_of(*[strategy for weight, strategy in choices for _ in range(weight)])


@dataclass(frozen=True)
class Generators:
    call: Callable[[str, list[dict[str, Any]]], st.SearchStrategy[Call]]
    scenario: st.SearchStrategy[tuple[list[Call], Call]]


def strategies(world: World, schema: Schema) -> Generators:
    """Plausible operations: mostly valid input (so that resolvers and transactions really run),
    with bravo's identifiers where identifiers go (ids, slugs, subs, cursors) and now and then
    anywhere."""
    bravo_ids = sorted({"bravo", world.bravo.slug, *world.bravo_subs, *world.bravo_ids})
    alpha_ids = sorted({"alpha", world.alpha.slug, *world.alpha_subs, *world.alpha_ids})
    any_id = st.sampled_from(bravo_ids + alpha_ids)  # (cursors go where cursors go: "after")
    fresh_slug = st.from_regex(r"[a-z][a-z0-9]{2,10}", fullmatch=True).map(lambda s: f"fresh-{s}")
    proper_name = st.from_regex(r"[A-Z][a-z]{2,10}( [A-Z][a-z]{2,10})?", fullmatch=True)
    words = st.text(alphabet=string.ascii_letters + " ", min_size=0, max_size=24)
    by_name: dict[str, st.SearchStrategy[str]] = {
        "after": st.sampled_from(world.bravo_cursors + world.alpha_cursors + world.forged_cursors),
        "slug": weighted(
            (2, fresh_slug), (2, st.sampled_from(["bravo", world.bravo.slug, world.alpha.slug]))
        ),
        "sub": weighted((1, fresh_slug), (2, st.sampled_from(world.bravo_subs + world.alpha_subs))),
        "timezone": weighted(
            (8, st.sampled_from(["Europe/London", "Europe/Dublin", "America/New_York"])),
            (1, st.sampled_from(["Mars/Olympus", ""])),
        ),
        "locale": weighted((8, st.sampled_from(["en-GB", "cy-GB", "fr", "en-IE"])), (1, st.just("english"))),
        "email": weighted((4, fresh_slug.map(lambda s: f"{s}@alpha.example")), (1, st.just("not-an-email"))),
        "name": weighted((4, proper_name), (1, words)),
    }

    def string_for(arg_name: str) -> st.SearchStrategy[str]:
        key = next((k for k in by_name if k in arg_name.lower()), None)
        if key in ("after", "slug", "sub"):
            return by_name[key]  # identifiers: bravo's are already among the choices
        specific = by_name[key] if key else weighted((4, proper_name), (1, words))
        # mostly what fits the argument, now and then any identifier of bravo's (or alpha's)
        return weighted((8, specific), (1, any_id))

    def value_for(type_ref: dict[str, Any], arg_name: str) -> st.SearchStrategy[Any]:
        if type_ref["kind"] == "NON_NULL":
            return _non_null(type_ref["ofType"], arg_name)
        return weighted((5, _non_null(type_ref, arg_name)), (1, st.none()))

    def _non_null(type_ref: dict[str, Any], arg_name: str) -> st.SearchStrategy[Any]:
        if type_ref["kind"] == "NON_NULL":
            return _non_null(type_ref["ofType"], arg_name)
        if type_ref["kind"] == "LIST":
            item = value_for(type_ref["ofType"], arg_name)
            return weighted((4, st.lists(item, min_size=1, max_size=3)), (1, st.just([])))
        target = schema.types[type_ref["name"]]
        if target["kind"] == "ENUM":
            return st.sampled_from([v["name"] for v in target["enumValues"]])
        if target["kind"] == "INPUT_OBJECT":
            return arguments(target["inputFields"])
        scalar = target["name"]
        if scalar == "Int" and "version" in arg_name.lower():
            return st.integers(min_value=1, max_value=8)
        if scalar == "Int":
            return weighted(
                (4, st.integers(min_value=1, max_value=100)), (1, st.integers(min_value=-3, max_value=120))
            )
        if scalar == "Float":
            return st.floats(allow_nan=False, allow_infinity=False, width=32)
        if scalar == "Boolean":
            return st.booleans()
        if scalar == "ID":
            return weighted((2, st.sampled_from(bravo_ids)), (1, st.sampled_from(alpha_ids)), (1, fresh_slug))
        return string_for(arg_name)  # String and custom scalars (a string is a fair try)

    def arguments(args: list[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
        return st.fixed_dictionaries(
            {a["name"]: value_for(a["type"], a["name"]) for a in args if required(a)},
            optional={a["name"]: value_for(a["type"], a["name"]) for a in args if not required(a)},
        )

    role_names = [v["name"].lower() for v in schema.types["Role"]["enumValues"]]
    roles = weighted(
        (2, st.just(("admin",))),  # the most powerful role deserves the most tries
        (2, st.sampled_from(role_names).map(lambda r: (r,))),
        (1, st.sets(st.sampled_from([*role_names, "superuser"]), max_size=3).map(lambda r: tuple(sorted(r)))),
    )
    subs = weighted((1, fresh_slug), (1, st.sampled_from(world.bravo_subs + world.alpha_subs)))

    def call(kind: str, fields: list[dict[str, Any]]) -> st.SearchStrategy[Call]:
        return st.builds(
            Call,
            kind=st.just(kind),
            fields=st.tuples(*[st.tuples(st.just(f["name"]), arguments(f["args"])) for f in fields]),
            roles=roles,
            sub=subs,
        )

    roots = [(kind, f) for kind, fields in schema.roots.items() for f in fields]
    # a few calls of one root field each …
    single = st.sampled_from(roots).flatmap(lambda root: call(root[0], [root[1]]))
    # … and one operation with several root fields of one kind
    combined = st.sampled_from(sorted(schema.roots)).flatmap(
        lambda kind: st.lists(st.sampled_from(schema.roots[kind]), min_size=2, max_size=3).flatmap(
            lambda fields: call(kind, fields)
        )
    )
    scenario = st.tuples(st.lists(single, min_size=CALLS_PER_EXAMPLE, max_size=CALLS_PER_EXAMPLE), combined)
    return Generators(call, scenario)


def document(call: Call, schema: Schema) -> tuple[str, dict[str, Any]]:
    fields = {f["name"]: f for f in schema.roots[call.kind]}
    declarations, selections, variables = [], [], {}
    for index, (name, args) in enumerate(call.fields):
        field_def = fields[name]
        arg_types = {a["name"]: a["type"] for a in field_def["args"]}
        passed = []
        for arg_name, value in args.items():
            variable = f"v{index}_{arg_name}"
            declarations.append(f"${variable}: {type_string(arg_types[arg_name])}")
            passed.append(f"{arg_name}: ${variable}")
            variables[variable] = value
        arguments = f"({', '.join(passed)})" if passed else ""
        selections.append(f"f{index}: {name}{arguments} {schema.selection(field_def['type'])}")
    header = f"({', '.join(declarations)})" if declarations else ""
    return f"{call.kind} Generated{header} {{ {' '.join(selections)} }}", variables


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings_in(item)


@dataclass
class Run:
    """What alpha has sent so far: a bravo identifier alpha sent itself may come back (alpha may name
    its own staff after bravo's subs, or try bravo's slug and be told it is taken)."""

    world: World
    echoed: set[str] = field(default_factory=set)
    covered: set[tuple[str, str]] = field(default_factory=set)
    calls: int = 0

    def execute(self, call: Call, schema: Schema) -> None:
        world = self.world
        query, variables = document(call, schema)
        token = world.stack.token(world.alpha.id, list(call.roles), sub=call.sub)
        for sent in [*strings_in(variables), call.sub]:
            if any(secret in sent for secret in world.bravo_secrets):
                self.echoed.add(sent)
        response = world.gql.execute(query, variables, token=token)
        self.calls += 1
        self.covered.update((call.kind, name) for name, _ in call.fields)
        text = response.text
        for sent in sorted(self.echoed, key=len, reverse=True):
            text = text.replace(json.dumps(sent)[1:-1], "")
        leaked = [secret for secret in world.bravo_secrets if secret in text]
        assert not leaked, (
            f"alpha's {call.kind} revealed bravo's {leaked}\n{query}\n{json.dumps(variables)}\n"
            f"roles={call.roles} sub={call.sub}\n{response.text[:3000]}"
        )


def test_alpha_can_never_read_or_change_bravos_data(world: World) -> None:
    schema = world.schema
    assert schema.roots.get("query") and schema.roots.get("mutation")
    generators = strategies(world, schema)
    run = Run(world)
    # No shrinking: an example is a whole scenario of requests, and the failure message already
    # names the operation, its variables, the token and the response.
    quick = settings(
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )

    @settings(quick, max_examples=EXAMPLES)
    @given(generators.scenario)
    def alpha_tries(scenario: tuple[list[Call], Call]) -> None:
        calls, combined = scenario
        for call in [*calls, combined]:
            run.execute(call, schema)

    alpha_tries()

    # every root field is tried: those the examples did not draw get a few tries of their own
    everything = {(kind, f["name"]): f for kind, fields in schema.roots.items() for f in fields}
    for kind, name in sorted(everything.keys() - run.covered):

        @settings(quick, max_examples=TOP_UP_EXAMPLES)
        @given(generators.call(kind, [everything[kind, name]]))
        def alpha_tries_one(call: Call) -> None:
            run.execute(call, schema)

        alpha_tries_one()
    assert run.covered == everything.keys()

    # bravo's data is as it was …
    assert world.bravo_state() == world.snapshot
    # … also once every queued event has been handled
    wait_quiet(world.stack)
    assert world.bravo_state() == world.snapshot
    assert organisation(world.gql, world.alpha.admin_token)["id"] == "alpha"


def test_a_cursor_of_bravo_is_refused_for_alpha(world: World) -> None:
    gql, alpha = world.gql, world.alpha
    for roles in (["admin"], ["officer"], ["supervisor"], ["analyst"]):
        token = world.stack.token(alpha.id, roles, sub=unique("alpha-staff"))
        for cursor in world.bravo_cursors:
            refused = gql.execute(STAFF_PAGE, {"first": 5, "after": cursor}, token=token)
            refused.refused("BAD_USER_INPUT")
            assert refused.data is None
            assert refused.errors[0]["extensions"]["details"] == {"field": "after"}
            assert not [s for s in world.bravo_secrets if s in refused.text]
    for cursor in world.bravo_cursors:
        refused = gql.execute(AUDIT_PAGE, {"first": 5, "after": cursor}, token=alpha.admin_token)
        refused.refused("BAD_USER_INPUT")
        assert not [s for s in world.bravo_secrets if s in refused.text]
    # bravo's own cursors still work for bravo (the refusal is about the organisation)
    page = gql.execute(
        STAFF_PAGE, {"first": 1, "after": world.bravo_cursors[0]}, token=world.bravo.admin_token
    ).ok()["staff"]
    assert len(page["nodes"]) == 1


def test_alphas_attempts_leave_bravos_audit_trail_unchanged_once_delivered(
    fresh_stack: LocalStack, fresh_gql: GraphQLClient
) -> None:
    """The settled form of the property: after alpha's cross-tenant attempts and one successful
    change of its own have been delivered, bravo's audit trail holds nothing new."""
    world = build_world(fresh_stack, fresh_gql)
    gql, alpha, bravo = fresh_gql, world.alpha, world.bravo
    before = world.bravo_state()
    alpha_trail = audit_trail(gql, alpha.admin_token)
    gql.execute(
        CREATE_ORGANISATION, {"input": {"name": "Bravo", "slug": bravo.slug}}, token=alpha.admin_token
    ).refused("CONFLICT")
    gql.execute(UPDATE_ORGANISATION, {"input": {"slug": bravo.slug}}, token=alpha.admin_token).refused(
        "CONFLICT"
    )
    for sub in world.bravo_subs:
        gql.execute(
            ADD_STAFF,
            {"input": {"sub": sub, "displayName": "Copy", "roles": ["OFFICER"]}},
            token=alpha.admin_token,
        )
    marker = f"Alpha marker {unique('m')}"
    gql.execute(UPDATE_ORGANISATION, {"input": {"name": marker}}, token=alpha.admin_token).ok()

    def entry(record: dict[str, Any]) -> tuple[str, str]:
        """An audit record by its type and what it is about (organisation events name the organisation)."""
        data = record["data"]
        return record["eventType"], data["organisation"]["name"] if "organisation" in data else data["runId"]

    expected = [(ORGANISATION_UPDATED, marker)] + [entry(r) for r in alpha_trail]
    seen: list[tuple[str, str]] = []

    def delivered() -> bool:
        nonlocal seen
        seen = [entry(r) for r in audit_trail(gql, alpha.admin_token)]
        return seen == expected or bool(set(seen) - set(expected))

    wait_until(delivered, timeout=10, interval=0.1, what="alpha's marker in alpha's audit trail")
    assert seen == expected
    assert world.bravo_state() == before
