"""The GraphQL API executed in process (no HTTP) against moto: stable error codes, no stack traces,
and nothing at all without a verified principal."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from argus.api.context import ArgusContext
from argus.api.graphql import schema
from argus.api.live import get_broker
from argus.organisations import service
from argus.platform.auth.principal import Principal, Role
from argus.platform.errors import Unauthenticated
from strawberry.types import ExecutionResult

from tests.factories.events import cloudevent
from tests.factories.organisations import organisation_draft, staff_draft
from tests.factories.principals import OTHER_ORG, admin, principal
from tests.fakes.aws import ArgusAws

CREATE = """
mutation Create($input: CreateOrganisationInput!) {
  createOrganisation(input: $input) { id name slug timezone locale version privacy { minCellSize } }
}"""
UPDATE = """
mutation Update($input: UpdateOrganisationInput!) {
  updateOrganisation(input: $input) { id name version }
}"""
ORGANISATION = "query { organisation { id name slug version } }"
STAFF = """
query Staff($first: Int, $after: String) {
  staff(first: $first, after: $after) { nodes { sub } pageInfo { endCursor hasNextPage } }
}"""
FULL_CREATE_INPUT = {"name": "Northshire Watch", "slug": "northshire", "privacy": {}, "contacts": []}


async def execute(
    query: str,
    who: Principal | None,
    variables: dict[str, Any] | None = None,
    auth_error: Unauthenticated | None = None,
) -> dict[str, Any]:
    result = await schema.execute(
        query, variable_values=variables, context_value=ArgusContext(principal=who, auth_error=auth_error)
    )
    return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}


def codes(response: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in response["errors"]]


async def test_an_admin_creates_and_reads_their_organisation(aws: ArgusAws) -> None:
    created = await execute(CREATE, admin(), {"input": FULL_CREATE_INPUT})
    assert created == {
        "data": {
            "createOrganisation": {
                "id": "northshire",
                "name": "Northshire Watch",
                "slug": "northshire",
                "timezone": "Europe/London",
                "locale": "en-GB",
                "version": 1,
                "privacy": {"minCellSize": 10},
            }
        },
        "errors": [],
    }
    read = await execute(ORGANISATION, principal(Role.RESIDENT, sub="resident-1"))
    assert read["data"] == {
        "organisation": {"id": "northshire", "name": "Northshire Watch", "slug": "northshire", "version": 1}
    }


async def test_create_organisation_needs_only_name_and_slug(aws: ArgusAws) -> None:
    # Given only the fields the SDL marks as required
    response = await execute(CREATE, admin(), {"input": {"name": "Northshire Watch", "slug": "northshire"}})
    # Then the organisation is created with the documented defaults
    assert response["errors"] == []
    assert response["data"]["createOrganisation"]["privacy"] == {"minCellSize": 10}


async def test_a_partial_update_changes_only_what_is_given(aws: ArgusAws) -> None:
    await execute(CREATE, admin(), {"input": FULL_CREATE_INPUT})
    updated = await execute(UPDATE, admin(), {"input": {"name": "Renamed Watch", "expectedVersion": 1}})
    assert updated == {
        "data": {"updateOrganisation": {"id": "northshire", "name": "Renamed Watch", "version": 2}},
        "errors": [],
    }
    assert service.my_organisation(admin()).slug == "northshire"


async def test_forbidden(aws: ArgusAws) -> None:
    # Given a resident and a captain
    for who in (principal(Role.RESIDENT), principal(Role.CAPTAIN)):
        # When they try to create an organisation or list staff
        create = await execute(CREATE, who, {"input": FULL_CREATE_INPUT})
        staff = await execute(STAFF, who)
        # Then both are FORBIDDEN and nothing is written
        assert (create["data"], codes(create)) == (None, ["FORBIDDEN"])
        assert (staff["data"], codes(staff)) == (None, ["FORBIDDEN"])
    assert aws.items() == []


async def test_bad_user_input_names_the_fields(aws: ArgusAws) -> None:
    response = await execute(
        CREATE, admin(), {"input": {**FULL_CREATE_INPUT, "name": "", "timezone": "Mars/Base"}}
    )
    assert response["data"] is None
    [error] = response["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert set(error["extensions"]["details"]["fields"]) == {"name", "timezone"}
    assert error["path"] == ["createOrganisation"]
    assert aws.items() == []


async def test_a_request_the_schema_refuses_is_bad_user_input(aws: ArgusAws) -> None:
    # an unknown field, a missing required input field written inline, two anonymous operations
    for query in (
        "query { organisation { id secretField } }",
        'mutation { createOrganisation(input: {name: "No slug"}) { id } }',
        "{ organisation { id } } { me { sub } }",
    ):
        response = await execute(query, admin())
        assert response["data"] is None
        assert set(codes(response)) == {"BAD_USER_INPUT"}


async def test_a_syntax_error_is_bad_user_input(aws: ArgusAws) -> None:
    response = await execute("query { organisation { id ", admin())
    assert response["data"] is None
    assert codes(response) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    ("query", "variables"),
    [(CREATE, {"input": {"name": "No slug"}}), (STAFF, {"first": "ten"}), (CREATE, None)],
    ids=["missing-input-field", "wrong-variable-type", "missing-variable"],
)
async def test_bad_variables_are_bad_user_input(
    aws: ArgusAws, query: str, variables: dict[str, Any] | None
) -> None:
    response = await execute(query, admin(), variables)
    assert response["data"] is None
    assert set(codes(response)) == {"BAD_USER_INPUT"}
    assert response["errors"][0]["message"] != "Internal error."


async def test_an_out_of_range_page_size_is_bad_user_input(aws: ArgusAws) -> None:
    response = await execute(STAFF, admin(), {"first": 1000})
    assert codes(response) == ["BAD_USER_INPUT"]
    assert response["errors"][0]["extensions"]["details"] == {"field": "first"}


async def test_conflicts(aws: ArgusAws) -> None:
    # Given northshire created, and southvale wanting the same slug
    await execute(CREATE, admin(), {"input": FULL_CREATE_INPUT})
    taken = await execute(CREATE, admin(org=OTHER_ORG), {"input": FULL_CREATE_INPUT})
    # And an update from a stale version
    await execute(UPDATE, admin(), {"input": {"name": "Second Name"}})
    stale = await execute(UPDATE, admin(), {"input": {"name": "Third Name", "expectedVersion": 1}})
    # Then both are CONFLICT, naming the field
    assert (codes(taken), taken["errors"][0]["extensions"]["details"]) == (["CONFLICT"], {"field": "slug"})
    assert (codes(stale), stale["errors"][0]["extensions"]["details"]) == (
        ["CONFLICT"],
        {"field": "expectedVersion"},
    )


async def test_not_found(aws: ArgusAws) -> None:
    response = await execute(ORGANISATION, admin())
    assert (response["data"], codes(response)) == (None, ["NOT_FOUND"])
    update = await execute(UPDATE, admin(), {"input": {"name": "Nobody"}})
    assert codes(update) == ["NOT_FOUND"]


async def test_staff_pages_through_graphql(aws: ArgusAws) -> None:
    for number in range(7):
        service.add_staff_member(admin(), staff_draft(number))
    first = await execute(STAFF, principal(Role.SUPERVISOR), {"first": 5})
    page = first["data"]["staff"]
    assert len(page["nodes"]) == 5 and page["pageInfo"]["hasNextPage"] is True
    second = await execute(
        STAFF, principal(Role.SUPERVISOR), {"first": 5, "after": page["pageInfo"]["endCursor"]}
    )
    subs = [n["sub"] for n in page["nodes"] + second["data"]["staff"]["nodes"]]
    assert sorted(subs) == [f"staff-{n:03d}" for n in range(7)]
    # and another organisation's supervisor cannot use that cursor
    foreign = await execute(
        STAFF, principal(Role.SUPERVISOR, org=OTHER_ORG), {"first": 5, "after": page["pageInfo"]["endCursor"]}
    )
    assert codes(foreign) == ["BAD_USER_INPUT"]


async def test_an_unexpected_exception_is_internal_without_details(
    aws: ArgusAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a service failing with an exception that carries internal detail
    def broken(_principal: Principal) -> None:
        raise RuntimeError("connection to 10.0.3.7 refused; table argus-prod; token=eyJhbGciOi")

    monkeypatch.setattr(service, "my_organisation", broken)
    # When the query runs
    response = await execute(ORGANISATION, admin())
    # Then the client sees INTERNAL with the generic message, and nothing of the exception or its stack
    assert response["data"] is None
    assert response["errors"] == [
        {
            "message": "Internal error.",
            "locations": [{"line": 1, "column": 9}],
            "path": ["organisation"],
            "extensions": {"code": "INTERNAL"},
        }
    ]
    serialized = json.dumps(response)
    for leak in ("10.0.3.7", "argus-prod", "eyJ", "RuntimeError", "Traceback", "stacktrace"):
        assert leak not in serialized


OPERATIONS = [
    pytest.param(ORGANISATION, None, id="organisation"),
    pytest.param("query { me { sub orgId roles profile { sub } } }", None, id="me"),
    pytest.param(STAFF, {"first": 5}, id="staff"),
    pytest.param("query { auditTrail(first: 5) { nodes { eventId } } }", None, id="auditTrail"),
    pytest.param(CREATE, {"input": FULL_CREATE_INPUT}, id="createOrganisation"),
    pytest.param(UPDATE, {"input": {"name": "Anonymous Rename"}}, id="updateOrganisation"),
    pytest.param(
        'mutation { addStaffMember(input: {sub: "x", displayName: "X", roles: [ADMIN]}) { sub } }',
        None,
        id="addStaffMember",
    ),
    pytest.param('mutation { erasePerson(sub: "x") { pseudonym } }', None, id="erasePerson"),
    pytest.param("mutation { setJurisdiction(boundary: null) { areaKm2 } }", None, id="setJurisdiction"),
    pytest.param("query { __typename }", None, id="typename"),
    *[
        pytest.param(q, None, id=q.split("{", 2)[1].split("(")[0].strip())
        for q in (
            "query { watchGroups { nodes { id } } }",
            'query { watchGroup(id: "g") { id } }',
            'query { blockRoster(groupId: "g", blockId: "b") { nodes { id } } }',
            "query { captainHub { captainSub } }",
            "query { myMemberships { id } }",
            'query { captainPerformance(groupId: "g") { captainSub } }',
            'query { groupActivity(groupId: "g") { nodes { id } } }',
            "query { coverage(longitude: 0, latitude: 51) { group { id } } }",
            'mutation { proposeWatchGroup(input: {name: "x", boundary: {}}) { id } }',
            'mutation { answerInterestSurvey(groupId: "g", interested: true) { id } }',
            'mutation { changeWatchGroupStatus(input: {groupId: "g", status: ACTIVE, reason: "r"}) { id } }',
            'mutation { recordFirstMeeting(groupId: "g") { id } }',
            'mutation { addBlock(input: {groupId: "g", name: "b", area: {}}) { id } }',
            'mutation { addPatrolZone(input: {groupId: "g", name: "z", area: {}}) { id } }',
            'mutation { assignCaptain(groupId: "g", blockId: "b", captainSub: "c") { blockId } }',
            'mutation { enrol(input: {groupId: "g", blockId: "b", displayName: "x"}) { id } }',
            'mutation { addMember(input: {groupId: "g", blockId: "b", displayName: "x"}) { id } }',
            'mutation { importBlockRoster(input: {groupId: "g", blockId: "b", households: []}) { members } }',
            'mutation { approveEnrolment(groupId: "g", blockId: "b", memberId: "m") { id } }',
            'mutation { leaveWatchGroup(groupId: "g") { id } }',
            'mutation { updateMyContactPreferences(groupId: "g", channels: []) { id } }',
            'mutation { removeMember(groupId: "g", blockId: "b", memberId: "m") { id } }',
            'mutation { logActivity(input: {groupId: "g", kind: PATROL, hours: 1, occurredOn: "2026-11-01"}) '
            "{ id } }",
            'mutation { linkMentor(groupId: "g", mentorSub: "a", menteeSub: "b") { since } }',
            "query { incidentCategories { id } }",
            'query { incident(id: "i") { id } }',
            'query { incidentTimeline(incidentId: "i") { nodes { eventId } } }',
            'query { incidentsGeoJson(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") }',
            'mutation { reportIncident(input: {category: BURGLARY, occurredFrom: "2026-01-01T00:00:00Z", '
            'location: {longitude: 0, latitude: 51}, description: "d"}) { id } }',
            'mutation { triageIncident(id: "i", reason: "r") { id } }',
            'mutation { referIncident(id: "i", rmsReference: "x", reason: "r") { id } }',
            'mutation { closeIncident(id: "i", reason: "r") { id } }',
            'mutation { addIncidentNote(id: "i", text: "t") { eventId } }',
            'mutation { importIncidents(format: POLICE_UK, csv: "x") { imported } }',
            'query { incidentMediaUrl(incidentId: "i", mediaId: "m") }',
            'mutation { requestIncidentMediaUpload(incidentId: "i", contentType: "image/jpeg", sizeBytes: 1) '
            "{ url } }",
            'mutation { confirmIncidentMediaUpload(incidentId: "i", mediaId: "m") { id } }',
            "query { patternRuns(first: 5) { nodes { id } } }",
            'query { patternRun(id: "r") { id cells { cell } } }',
            'query { patternHotspotsGeoJson(runId: "r") }',
            "mutation { requestPatternRun(weeks: 8) { id status } }",
        )
    ],
]


@pytest.mark.parametrize(("query", "variables"), OPERATIONS)
async def test_without_a_principal_every_operation_is_unauthenticated(
    aws: ArgusAws, query: str, variables: dict[str, Any] | None
) -> None:
    # Given an organisation that exists, and a request without a verified principal
    service.create_organisation(admin(), organisation_draft())
    before = aws.items()
    # When any operation runs
    response = await execute(query, None, variables)
    # Then there is no data, one UNAUTHENTICATED error, and nothing changed
    assert response["data"] is None
    assert codes(response) == ["UNAUTHENTICATED"]
    assert aws.items() == before


REFUSED = "Authentication required: the bearer token is missing or invalid."


@pytest.mark.parametrize("name", ["dev", "staging", "prod"])
async def test_the_reason_a_token_was_rejected_is_not_revealed(
    aws: ArgusAws, name: str, stage: Callable[[str], None]
) -> None:
    stage(name)
    generic = Unauthenticated(
        "Authentication required: the bearer token is missing or invalid.", reason="expired"
    )
    response = await execute(ORGANISATION, None, auth_error=generic)
    assert response["errors"] == [{"message": generic.message, "extensions": {"code": "UNAUTHENTICATED"}}]


async def test_the_local_stack_reveals_why_a_token_was_rejected(
    aws: ArgusAws, stage: Callable[[str], None]
) -> None:
    stage("local")
    refused = Unauthenticated(
        "Authentication required: the bearer token is missing or invalid.", reason="expired"
    )
    response = await execute(ORGANISATION, None, auth_error=refused)
    [error] = response["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["extensions"]["details"]["reason"] == "expired"


def test_every_root_field_is_covered_by_the_unauthenticated_test() -> None:
    covered = " ".join(str(p.values[0]) for p in OPERATIONS)
    for root in (schema.query, schema.mutation):
        for field in root.__strawberry_definition__.fields:
            assert field.name in covered or _camel(field.name) in covered, field.name


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


SUBSCRIBE = "subscription { organisationEvents { id type orgId subject data } }"


async def test_a_subscription_without_a_principal_is_unauthenticated(stage: Callable[[str], None]) -> None:
    stage("prod")
    stream = await schema.subscribe(SUBSCRIBE, context_value=ArgusContext(principal=None))
    assert not isinstance(stream, ExecutionResult)
    first = await asyncio.wait_for(anext(stream), timeout=5)
    await stream.aclose()
    assert first.data is None
    assert [e.extensions for e in first.errors or []] == [{"code": "UNAUTHENTICATED"}]


async def test_live_events_reach_only_subscribers_of_the_same_organisation() -> None:
    # Given a northshire officer subscribed to organisation events
    stream = await schema.subscribe(SUBSCRIBE, context_value=ArgusContext(principal=principal(Role.OFFICER)))
    assert not isinstance(stream, ExecutionResult)
    pending = asyncio.ensure_future(anext(stream))
    for _ in range(100):  # wait until the resolver has registered with the broker
        if get_broker().subscriber_count:
            break
        await asyncio.sleep(0.01)
    # When southvale's event, an unrelated event type and northshire's event are delivered
    get_broker().publish(cloudevent(org=OTHER_ORG))
    get_broker().publish(cloudevent("org.argus.watch.group.proposed.v1"))
    ours = cloudevent(data={"actor": "user-admin", "changed": ["name"]})
    get_broker().publish(ours)
    # Then the subscriber receives only northshire's organisation event
    result = await asyncio.wait_for(pending, timeout=5)
    await stream.aclose()
    assert result.errors is None
    assert result.data == {
        "organisationEvents": {
            "id": ours.get_id(),
            "type": ours.get_type(),
            "orgId": "northshire",
            "subject": "northshire",
            "data": {"actor": "user-admin", "changed": ["name"]},
        }
    }


# -- abuse limits and input hygiene on the real schema ---------------------------------------------

GEOJSON = 'incidentsGeoJson(from: "2026-08-29T00:00:00Z", to: "2026-11-22T00:00:00Z")'


def reason(response: dict[str, Any]) -> str:
    assert response["data"] is None, response
    reasons = {e["extensions"]["details"]["reason"] for e in response["errors"]}
    assert len(reasons) == 1, response
    return reasons.pop()


@pytest.fixture
def nothing_resolves(monkeypatch: pytest.MonkeyPatch) -> None:
    """Services that must not be reached: a refused operation resolves nothing."""
    from argus.incidents.service import maps
    from argus.watch.service import captains

    def never(*_args: Any) -> None:
        raise AssertionError("a refused operation reached a service")

    monkeypatch.setattr(service, "my_profile", never)
    monkeypatch.setattr(maps, "incidents_geojson", never)
    monkeypatch.setattr(captains, "captain_hub", never)


async def test_many_aliases_of_a_cheap_field_are_refused(nothing_resolves: None) -> None:
    # Given 1,000 aliases of `me { sub }` (9.5 s locally before there was a limit)
    query = "{ " + " ".join(f"m{i}: me {{ sub }}" for i in range(1000)) + " }"
    # When a resident and an admin send it
    for who in (principal(Role.RESIDENT), admin()):
        response = await execute(query, who)
        # Then it is refused before anything resolves
        assert reason(response) in ("too_many_aliases", "too_many_tokens")
    few = "{ " + " ".join(f"m{i}: me {{ sub }}" for i in range(11)) + " }"
    assert reason(await execute(few, principal(Role.RESIDENT))) == "too_many_aliases"


async def test_repeated_expensive_fields_are_too_costly(nothing_resolves: None) -> None:
    # Given 10 aliases of a 12-week incidents map (21 s locally before) and 15 captain hubs for a
    # captain (within the captain's alias limit)
    maps = "{ " + " ".join(f"m{i}: {GEOJSON}" for i in range(10)) + " }"
    hubs = "{ " + " ".join(f"h{i}: captainHub(first: 10) {{ captainSub }}" for i in range(16)) + " }"
    # Then both are refused as too costly, for staff as well
    assert reason(await execute(maps, principal(Role.OFFICER))) == "too_costly"
    assert reason(await execute(maps, principal(Role.RESIDENT))) == "too_costly"
    two_maps = "{ " + f"a: {GEOJSON} b: {GEOJSON}" + " }"
    assert reason(await execute(two_maps, principal(Role.RESIDENT))) == "too_costly"
    assert reason(await execute(hubs, principal(Role.CAPTAIN, sub="captain-1"))) == "too_costly"


async def test_a_page_of_groups_each_with_its_geojson_is_too_costly() -> None:
    # Given a page of 100 watch groups, each exporting its GeoJSON (three queries a group)
    query = "{ watchGroups(first: 100) { nodes { id geoJson } } }"
    response = await execute(query, principal(Role.OFFICER))
    assert reason(response) == "too_costly"
    assert response["errors"][0]["extensions"]["details"]["cost"] == 1 + 100 * 3


async def test_a_long_document_is_refused(nothing_resolves: None) -> None:
    many = "{ " + " ".join(["__typename"] * 1001) + " }"
    assert reason(await execute(many, principal(Role.RESIDENT))) == "too_many_tokens"
    huge = "{ me { sub } }" + " " * 40_000
    assert reason(await execute(huge, admin())) == "too_large"


def test_every_paged_list_and_expensive_field_declares_its_cost() -> None:
    from argus.api.cost import Cost
    from graphql import GraphQLObjectType

    declared: dict[str, Cost] = {}
    for type_ in schema._schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            definition = (field.extensions or {}).get("strawberry-definition")
            for extension in getattr(definition, "extensions", None) or ():
                if isinstance(extension, Cost):
                    declared[f"{type_.name}.{name}"] = extension
            if "first" in field.args:
                # A list sized by `first` multiplies what is selected in it
                assert f"{type_.name}.{name}" in declared, f"{type_.name}.{name} declares no cost"
                assert declared[f"{type_.name}.{name}"].paged_by == "first"
    for heavy in ("Query.incidentsGeoJson", "Query.patternHotspotsGeoJson", "Mutation.importIncidents"):
        assert declared[heavy].weight >= 100, heavy
    for looping in (
        "Query.captainHub",
        "Query.captainPerformance",
        "WatchGroup.geoJson",
        "WatchGroup.blocks",
    ):
        assert declared[looping].weight >= 1, looping


CONTROL_CASES = [
    pytest.param(UPDATE, {"input": {"name": "Demo\x00Police"}}, "input.name", id="organisation-name-nul"),
    pytest.param(
        CREATE, {"input": {**FULL_CREATE_INPUT, "name": "North\x1b[2Jshire"}}, "input.name", id="escape"
    ),
    pytest.param(
        "mutation($n: String!) { proposeWatchGroup(input: {name: $n, boundary: {}}) { id } }",
        {"n": "Group\x07"},
        "n",
        id="watch-group-name-bell",
    ),
    pytest.param(
        'mutation($t: String!) { addIncidentNote(id: "i", text: $t) { eventId } }',
        {"t": "note\x00"},
        "t",
        id="incident-note-nul",
    ),
    pytest.param(
        """mutation($d: String!) { reportIncident(input: {category: BURGLARY,
           occurredFrom: "2026-01-01T00:00:00Z", location: {longitude: 0, latitude: 51},
           description: $d}) { id } }""",
        {"d": "Shed forced\x0c"},
        "d",
        id="incident-description-form-feed",
    ),
    pytest.param(
        "mutation($i: EnrolmentInput!) { enrol(input: $i) { id } }",
        {"i": {"groupId": "g", "blockId": "b", "displayName": "Pat\x85"}},
        "i.displayName",
        id="display-name-c1",
    ),
]


@pytest.mark.parametrize(("query", "variables", "field"), CONTROL_CASES)
async def test_control_characters_are_refused_in_every_domain(
    aws: ArgusAws, query: str, variables: dict[str, Any], field: str
) -> None:
    # Given an organisation
    service.create_organisation(admin(), organisation_draft())
    before = aws.items()
    # When a mutation's text holds a control character
    response = await execute(query, admin(), variables)
    # Then it is refused naming the field, and nothing is written
    assert reason(response) == "control_character"
    assert response["errors"][0]["extensions"]["details"]["field"] == field
    assert aws.items() == before


async def test_a_name_keeps_no_line_break(aws: ArgusAws) -> None:
    await execute(CREATE, admin(), {"input": FULL_CREATE_INPUT})
    response = await execute(UPDATE, admin(), {"input": {"name": "Demo\nPolice\tService"}})
    assert response["data"]["updateOrganisation"]["name"] == "Demo Police Service"


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "../../etc/localtime", "Mars/Base"])
async def test_an_organisation_time_zone_must_be_an_iana_zone_name(aws: ArgusAws, zone: str) -> None:
    response = await execute(CREATE, admin(), {"input": {**FULL_CREATE_INPUT, "timezone": zone}})
    assert response["data"] is None
    assert codes(response) == ["BAD_USER_INPUT"]
    assert set(response["errors"][0]["extensions"]["details"]["fields"]) == {"timezone"}
    assert aws.items() == []
