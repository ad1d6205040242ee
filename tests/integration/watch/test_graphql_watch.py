"""The watch domain through the GraphQL schema, in process: operations end to end with stable error
codes (and ``extensions.details`` a client can act on)."""

from __future__ import annotations

import json
from typing import Any

from argus.api.context import ArgusContext
from argus.api.graphql import schema
from argus.platform.auth.principal import Principal
from argus.platform.cloudevents import parse_event
from argus.watch import events
from argus.watch.service import captains, geography

from tests.fakes.aws import ArgusAws
from tests.integration.watch.support import (
    CAPTAIN_SUB,
    CONSENT,
    add_blocks,
    captain,
    counting_dynamodb_requests,
    import_households,
    inside,
    layout,
    officer,
    outbox_events,
    propose,
    resident,
    snapshot,
)

PROPOSE = """
mutation Propose($input: ProposeWatchGroupInput!) {
  proposeWatchGroup(input: $input) { id name status areaKm2 boundary checklist { ready membersEnrolled } }
}"""
GROUP = """
query Group($id: ID!) {
  watchGroup(id: $id) { id name status blocks { id name captainSub } statusHistory { toStatus by reason } }
}"""
ROSTER = """
query Roster($groupId: ID!, $blockId: ID!, $first: Int, $after: String) {
  blockRoster(groupId: $groupId, blockId: $blockId, first: $first, after: $after) {
    nodes { id displayName status channels { channel address consentWording consentGivenAt } }
    pageInfo { endCursor hasNextPage }
  }
}"""
ENROL = """
mutation Enrol($input: EnrolmentInput!) {
  enrol(input: $input) { id status displayName channels { channel consentWording } }
}"""
HUB = """
query Hub($first: Int) {
  captainHub(first: $first) {
    captainSub
    blocks { blockId blockName }
    figures { households members pending approvals meanResponseHours }
    roster { nodes { id displayName status } pageInfo { hasNextPage endCursor } }
    rosterBlockId
    recentActivity { kind hours }
    openTasks { kind memberId title }
    mentors { mentorSub }
  }
}"""
STATUS = """
mutation Status($input: ChangeWatchGroupStatusInput!) {
  changeWatchGroupStatus(input: $input) { id status }
}"""
COVERAGE = """
query Coverage($lon: Float!, $lat: Float!) {
  coverage(longitude: $lon, latitude: $lat) { group { id name } block { id name } }
}"""


async def execute(query: str, who: Principal, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    result = await schema.execute(query, variable_values=variables, context_value=ArgusContext(principal=who))
    return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}


def codes(response: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in response["errors"]]


async def test_a_resident_proposes_a_group_over_graphql(aws: ArgusAws) -> None:
    response = await execute(
        PROPOSE, resident(), {"input": {"name": "Amwell Watch", "boundary": layout().boundary.geojson}}
    )
    assert response["errors"] == []
    created = response["data"]["proposeWatchGroup"]
    assert (created["name"], created["status"], created["checklist"]) == (
        "Amwell Watch",
        "PROPOSED",
        {"ready": False, "membersEnrolled": False},
    )
    assert created["boundary"] == layout().boundary.geojson
    [event] = outbox_events(aws)
    assert (event["type"], event["subject"]) == (events.GROUP_PROPOSED, created["id"])
    # And an officer reads it back with its history
    read = await execute(GROUP, officer(), {"id": created["id"]})
    assert read["data"]["watchGroup"]["statusHistory"] == [
        {"toStatus": "PROPOSED", "by": "resident-founder", "reason": "Proposed by a resident"}
    ]


async def test_a_bad_polygon_is_bad_user_input_with_its_reason(aws: ArgusAws) -> None:
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[-0.11, 51.52], [-0.1, 51.53], [-0.1, 51.52], [-0.11, 51.53], [-0.11, 51.52]]],
    }
    clockwise = {
        "type": "Polygon",
        "coordinates": [list(reversed(layout().boundary.geojson["coordinates"][0]))],
    }
    for boundary, reason in ((bow_tie, "self_intersection"), (clockwise, "wrong_orientation")):
        response = await execute(PROPOSE, resident(), {"input": {"name": "Bad", "boundary": boundary}})
        assert response["data"] is None
        [error] = response["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["details"]["reason"] == reason
        assert error["path"] == ["proposeWatchGroup"]
        assert "Traceback" not in json.dumps(error)
    assert aws.items() == []
    # And the client can ask for the orientation to be fixed
    fixed = await execute(
        PROPOSE, resident(), {"input": {"name": "Fixed", "boundary": clockwise, "fixOrientation": True}}
    )
    assert fixed["errors"] == []
    assert fixed["data"]["proposeWatchGroup"]["boundary"] == layout().boundary.geojson


async def test_an_unknown_group_is_not_found(aws: ArgusAws) -> None:
    response = await execute(GROUP, officer(), {"id": "01a1fcb8-0000-7000-8000-000000000000"})
    assert response["data"] is None
    assert codes(response) == ["NOT_FOUND"]


async def test_the_roster_is_for_the_blocks_captain_and_staff(aws: ArgusAws) -> None:
    group = propose()
    [block] = add_blocks(group, 1)
    captains.assign_captain(officer(), group.id, block.id, CAPTAIN_SUB)
    import_households(group, block, 3, who=captain())
    variables = {"groupId": group.id, "blockId": block.id, "first": 2}
    # A resident (even one who is a member) may not read it
    forbidden = await execute(ROSTER, resident("neighbour-1"), variables)
    assert (forbidden["data"], codes(forbidden)) == (None, ["FORBIDDEN"])
    another_captain = await execute(ROSTER, captain("captain-novak"), variables)
    assert codes(another_captain) == ["FORBIDDEN"]
    # The captain pages through it
    first_page = await execute(ROSTER, captain(), variables)
    assert first_page["errors"] == []
    page = first_page["data"]["blockRoster"]
    assert (len(page["nodes"]), page["pageInfo"]["hasNextPage"]) == (2, True)
    rest = await execute(ROSTER, officer(), {**variables, "after": page["pageInfo"]["endCursor"]})
    names = [n["displayName"] for n in page["nodes"] + rest["data"]["blockRoster"]["nodes"]]
    assert sorted(names) == ["Neighbour 1", "Neighbour 2", "Neighbour 3"]


async def test_enrolment_and_the_captain_hub_over_graphql(aws: ArgusAws) -> None:
    group = propose()
    [block] = add_blocks(group, 1)
    captains.assign_captain(officer(), group.id, block.id, CAPTAIN_SUB)
    base = {
        "groupId": group.id,
        "blockId": block.id,
        "displayName": "Priya Patel",
        "address": {"line1": "41 Myddelton Square", "postcode": "EC1R 1XP"},
    }
    # A phone number not in E.164 form is refused, naming the field
    bad = await execute(
        ENROL,
        resident("resident-priya"),
        {
            "input": {
                **base,
                "channels": [{"channel": "SMS", "address": "07700 900123", "consentWording": CONSENT}],
            }
        },
    )
    [error] = bad["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "E.164" in json.dumps(error["extensions"]["details"]["fields"])
    # A good one is recorded with its consent
    good = await execute(
        ENROL,
        resident("resident-priya"),
        {
            "input": {
                **base,
                "channels": [{"channel": "SMS", "address": "+447700900123", "consentWording": CONSENT}],
            }
        },
    )
    assert good["errors"] == []
    enrolled = good["data"]["enrol"]
    assert (enrolled["status"], enrolled["channels"]) == (
        "PENDING",
        [{"channel": "SMS", "consentWording": CONSENT}],
    )
    # And the captain's hub shows the task, in three DynamoDB requests for the whole query
    with counting_dynamodb_requests() as requests:
        hub = await execute(HUB, captain(), {"first": 10})
    assert hub["errors"] == []
    assert len(requests.operations) <= 3
    data = hub["data"]["captainHub"]
    assert data["captainSub"] == CAPTAIN_SUB
    assert data["blocks"] == [{"blockId": block.id, "blockName": block.name}]
    assert data["figures"] == {
        "households": 1,
        "members": 0,
        "pending": 1,
        "approvals": 0,
        "meanResponseHours": None,
    }
    assert data["openTasks"] == [
        {
            "kind": "APPROVE_ENROLMENT",
            "memberId": enrolled["id"],
            "title": f"Approve an enrolment for {block.name}",
        }
    ]
    assert data["roster"]["nodes"] == [
        {"id": enrolled["id"], "displayName": "Priya Patel", "status": "PENDING"}
    ]
    # A resident has no hub
    assert codes(await execute(HUB, resident(), {})) == ["FORBIDDEN"]


async def test_only_managers_change_status_over_graphql(aws: ArgusAws) -> None:
    group = propose()
    variables = {"input": {"groupId": group.id, "status": "REGISTERED", "reason": "Agreed"}}
    before = snapshot(aws)
    for who in (resident(), captain()):
        response = await execute(STATUS, who, variables)
        assert (response["data"], codes(response)) == (None, ["FORBIDDEN"])
    assert snapshot(aws) == before
    done = await execute(STATUS, officer(), variables)
    assert done == {
        "data": {"changeWatchGroupStatus": {"id": group.id, "status": "REGISTERED"}},
        "errors": [],
    }
    closed = await execute(STATUS, officer(), {"input": {**variables["input"], "status": "ACTIVE"}})
    [error] = closed["errors"]
    assert (error["extensions"]["code"], error["extensions"]["details"]["reason"]) == (
        "BAD_USER_INPUT",
        "checklist_incomplete",
    )


async def test_coverage_over_graphql(aws: ArgusAws) -> None:
    group = propose()
    [block] = add_blocks(group, 1)
    for document in outbox_events(aws):
        geography.index_area_event(parse_event(json.dumps(document)), None)  # type: ignore[arg-type]
    lon, lat = inside(block.area)
    found = await execute(COVERAGE, resident(), {"lon": lon, "lat": lat})
    assert found == {
        "data": {
            "coverage": {
                "group": {"id": group.id, "name": group.name},
                "block": {"id": block.id, "name": block.name},
            }
        },
        "errors": [],
    }
    nowhere = await execute(COVERAGE, resident(), {"lon": -3.19, "lat": 55.95})
    assert nowhere == {"data": {"coverage": {"group": None, "block": None}}, "errors": []}
    bad = await execute(COVERAGE, resident(), {"lon": 200.0, "lat": 51.5})
    assert codes(bad) == ["BAD_USER_INPUT"]
