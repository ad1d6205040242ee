"""The AppSync authoriser (Lambda "realtime-authorizer") against moto: when a client subscribes to a
watch group's or an incident's live events on AWS, it checks the relation the local subscriptions
check (argus.watch / argus.incidents access rules) and answers with the decision the subscription
resolver applies: refused with a stable code, or accepted with what ends the subscription."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from argus.handlers.realtime_authorizer import handler
from argus.incidents.service import reports
from argus.platform import clock
from argus.platform.auth.principal import Principal, Role
from argus.platform.settings import get_settings
from argus.realtime import CAPTAIN_KEY, INCIDENT_TIMELINE, MEMBER_KEY, WATCH_GROUP_ACTIVITY
from argus.watch.service import captains, members

from tests.factories.principals import OTHER_ORG, principal
from tests.fakes.aws import ArgusAws
from tests.integration.incidents.support import in_block, indexed_group, report_input
from tests.integration.watch.support import (
    CAPTAIN_SUB,
    OTHER_CAPTAIN_SUB,
    add_blocks,
    captain,
    enrolment,
    move,
    officer,
    propose,
    resident,
)

CONTEXT = SimpleNamespace(
    function_name="realtime-authorizer",
    memory_limit_in_mb=256,
    invoked_function_arn="arn:aws:lambda:eu-west-2:123456789012:function:realtime-authorizer",
    aws_request_id="req-1",
)
APPLICANT = "resident-priya"
STRANGER = "resident-stranger"


@pytest.fixture(scope="module", autouse=True)
def moto_as_in_the_local_stack(moto_as_in_the_local_stack: None) -> None:
    """The watch and incident services run on the local stack's moto (tests/integration/conftest.py)."""


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[clock.FixedClock]:
    fixed = clock.FixedClock(datetime(2026, 3, 2, 18, 30, tzinfo=UTC))
    with clock.use_clock(fixed):
        yield fixed


def appsync_event(field: str, arguments: dict[str, Any], who: Principal | None) -> dict[str, Any]:
    """What the subscription resolver's request handler sends the function: AppSync's Lambda resolver
    context (arguments, identity, info) for a subscriber signed in with OpenID Connect, whose identity
    holds the verified token's claims (no request headers: they hold the bearer token)."""
    settings = get_settings()
    identity = None
    if who is not None:
        claims = {
            "sub": who.sub,
            "iss": settings.jwt_issuer,
            "aud": settings.jwt_audience,
            settings.org_claim: who.org_id,
            settings.groups_claim: sorted(r.value for r in who.roles),
            "iat": int(time.time()),
            "exp": int(time.time()) + 3600,
            "email": "someone@example.org",
        }
        identity = {"claims": claims, "issuer": settings.jwt_issuer, "sub": who.sub}
    return {
        "arguments": arguments,
        "identity": identity,
        "source": None,
        "info": {
            "parentTypeName": "Subscription",
            "fieldName": field,
            "variables": arguments,
            "selectionSetList": ["type", "subject", "data"],
            "selectionSetGraphQL": "{ type subject data }",
        },
    }


def follow_group(group_id: str, who: Principal | None) -> dict[str, Any]:
    decision: dict[str, Any] = handler(
        appsync_event(WATCH_GROUP_ACTIVITY.field, {WATCH_GROUP_ACTIVITY.argument: group_id}, who), CONTEXT
    )
    return decision


def follow_incident(incident_id: str, who: Principal | None) -> dict[str, Any]:
    decision: dict[str, Any] = handler(
        appsync_event(INCIDENT_TIMELINE.field, {INCIDENT_TIMELINE.argument: incident_id}, who), CONTEXT
    )
    return decision


def scope(org: str, subject: str) -> dict[str, Any]:
    return {"orgId": {"eq": org}, "subject": {"eq": subject}}


def registered_group() -> Any:
    group = propose()
    move(group, "registered")
    return group


# --- watch groups ------------------------------------------------------------------------------------


def test_a_pending_enrolment_is_refused(aws: ArgusAws) -> None:
    # Given a resident whose enrolment waits for the captain
    group = registered_group()
    [block] = add_blocks(group, 1)
    members.enrol(resident(APPLICANT), enrolment(group, block, "Priya Patel", 41))
    # When they subscribe to the group's live activity
    decision = follow_group(group.id, resident(APPLICANT))
    # Then they are refused, as locally
    assert decision == {
        "allowed": False,
        "code": "FORBIDDEN",
        "message": "Only the group's approved members, captains and staff may follow it.",
        "details": {},
    }


def test_an_unrelated_member_is_refused(aws: ArgusAws) -> None:
    # Given a member of the organisation with no membership of this group
    group = registered_group()
    add_blocks(group, 1)
    # When they subscribe
    decision = follow_group(group.id, principal(Role.MEMBER, sub=STRANGER))
    # Then they are refused
    assert (decision["allowed"], decision["code"]) == (False, "FORBIDDEN")


def test_an_approved_member_is_accepted_until_they_leave(aws: ArgusAws) -> None:
    # Given an approved member
    group = registered_group()
    [block] = add_blocks(group, 1)
    captains.assign_captain(officer(), group.id, block.id, CAPTAIN_SUB)
    enrolled = members.enrol(resident(APPLICANT), enrolment(group, block, "Priya Patel", 41))
    members.approve(captain(), group.id, block.id, enrolled.id)
    # When they subscribe
    decision = follow_group(group.id, resident(APPLICANT))
    # Then they are accepted, and their subscription ends when their membership does
    assert decision == {
        "allowed": True,
        "invalidation": {**scope("northshire", group.id), MEMBER_KEY: {"eq": enrolled.id}},
    }
    # And once they have left, a new subscription is refused
    members.leave(resident(APPLICANT), group.id)
    assert follow_group(group.id, resident(APPLICANT))["allowed"] is False


def test_a_captain_is_accepted_until_replaced(aws: ArgusAws) -> None:
    # Given the captain of one of the group's blocks
    group = registered_group()
    [block] = add_blocks(group, 1)
    captains.assign_captain(officer(), group.id, block.id, CAPTAIN_SUB)
    # When they subscribe
    decision = follow_group(group.id, captain())
    # Then they are accepted, and their subscription ends when they are replaced as captain
    assert decision == {
        "allowed": True,
        "invalidation": {**scope("northshire", group.id), CAPTAIN_KEY: {"eq": CAPTAIN_SUB}},
    }
    # And once replaced, a new subscription is refused
    captains.assign_captain(officer(), group.id, block.id, OTHER_CAPTAIN_SUB)
    assert follow_group(group.id, captain())["allowed"] is False


def test_a_captain_who_is_also_a_member_can_be_ended_by_either(aws: ArgusAws) -> None:
    # Given a block's captain who is also an approved member of the group
    group = registered_group()
    [block] = add_blocks(group, 1)
    captains.assign_captain(officer(), group.id, block.id, CAPTAIN_SUB)
    added = members.add_member(officer(), enrolment(group, block, "Wei Chen", 7), member_sub=CAPTAIN_SUB)
    # When they subscribe
    decision = follow_group(group.id, captain())
    # Then either relation ending ends the subscription (they may subscribe again and be checked again)
    assert decision == {
        "allowed": True,
        "invalidation": {
            "or": [
                {**scope("northshire", group.id), MEMBER_KEY: {"eq": added.id}},
                {**scope("northshire", group.id), CAPTAIN_KEY: {"eq": CAPTAIN_SUB}},
            ]
        },
    }


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN])
def test_staff_are_accepted_and_nothing_in_the_group_ends_it(aws: ArgusAws, role: Role) -> None:
    group = registered_group()
    assert follow_group(group.id, principal(role, sub=f"staff-{role.value}")) == {
        "allowed": True,
        "invalidation": None,
    }


def test_another_organisation_is_refused(aws: ArgusAws) -> None:
    # Given a group of northshire, its captain, and callers of another organisation
    group = registered_group()
    [block] = add_blocks(group, 1)
    captains.assign_captain(officer(), group.id, block.id, CAPTAIN_SUB)
    # When an officer of southvale, or the same person signed in to southvale, subscribes to it
    foreign_officer = follow_group(group.id, principal(Role.OFFICER, org=OTHER_ORG, sub="officer-x"))
    same_person = follow_group(group.id, principal(Role.CAPTAIN, org=OTHER_ORG, sub=CAPTAIN_SUB))
    # Then both are refused: the group does not exist in their organisation
    assert foreign_officer == {
        "allowed": False,
        "code": "NOT_FOUND",
        "message": "No such watch group.",
        "details": {"field": "groupId"},
    }
    assert (same_person["allowed"], same_person["code"]) == (False, "NOT_FOUND")


# --- incidents ---------------------------------------------------------------------------------------


def reported(aws: ArgusAws, reporter: Principal) -> str:
    _, [block, _] = indexed_group(aws)
    incident = reports.report(reporter, report_input(*in_block(block)))
    return incident.id


def test_an_incidents_reporter_and_staff_are_accepted(aws: ArgusAws) -> None:
    reporter = principal(Role.MEMBER, sub="member-mensah")
    incident_id = reported(aws, reporter)
    assert follow_incident(incident_id, reporter) == {"allowed": True, "invalidation": None}
    assert follow_incident(incident_id, officer()) == {"allowed": True, "invalidation": None}


def test_anyone_else_is_refused_an_incident(aws: ArgusAws) -> None:
    # Given an incident a member reported
    incident_id = reported(aws, principal(Role.MEMBER, sub="member-mensah"))
    # Then another member is refused, and for another organisation it does not exist (as locally)
    other_member = follow_incident(incident_id, principal(Role.MEMBER, sub="member-other"))
    assert other_member == {
        "allowed": False,
        "code": "FORBIDDEN",
        "message": "Only the reporter of an incident and staff may follow it.",
        "details": {},
    }
    foreign = follow_incident(incident_id, principal(Role.OFFICER, org=OTHER_ORG, sub="officer-x"))
    assert (foreign["allowed"], foreign["code"]) == (False, "NOT_FOUND")


# --- the caller ---------------------------------------------------------------------------------------


def test_a_call_without_a_signed_in_subscriber_is_refused(aws: ArgusAws) -> None:
    group = registered_group()
    decision = follow_group(group.id, None)
    assert (decision["allowed"], decision["code"]) == (False, "UNAUTHENTICATED")


def test_claims_of_another_issuer_or_without_an_organisation_are_refused(aws: ArgusAws) -> None:
    group = registered_group()
    event = appsync_event(WATCH_GROUP_ACTIVITY.field, {"groupId": group.id}, officer())
    foreign = {**event, "identity": {**event["identity"], "claims": {**event["identity"]["claims"]}}}
    foreign["identity"]["claims"]["iss"] = "https://idp.example.org/other"
    orgless = {**event, "identity": {**event["identity"], "claims": {**event["identity"]["claims"]}}}
    del orgless["identity"]["claims"][get_settings().org_claim]
    for refused in (foreign, orgless):
        decision = handler(refused, CONTEXT)
        assert (decision["allowed"], decision["code"]) == (False, "UNAUTHENTICATED")


def test_a_failure_to_check_is_an_error_not_a_decision(
    aws: ArgusAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the table unreachable while the relation is checked
    from argus.handlers import realtime_authorizer

    def unreachable(*_args: Any) -> None:
        raise ConnectionError("DynamoDB unreachable")

    monkeypatch.setattr(realtime_authorizer.watch_access, "require_follower", unreachable)
    # Then the function fails (AppSync refuses with INTERNAL, the error alarm counts it): no decision
    with pytest.raises(ConnectionError):
        follow_group("any-group", officer())
