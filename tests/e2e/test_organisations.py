"""The organisation flow over HTTP: create → read → update → audit trail (delivered by the poller);
bad input, conflicts and missing roles are refused with their codes and write nothing."""

from __future__ import annotations

from typing import Any

import pytest
from argus.local.stack import LocalStack

from .support import (
    ADD_STAFF,
    CREATE_ORGANISATION,
    ORGANISATION,
    ORGANISATION_CREATED,
    ORGANISATION_UPDATED,
    STAFF_PAGE,
    UPDATE_ORGANISATION,
    GraphQLClient,
    Org,
    audit_trail,
    create_org,
    organisation,
    unique,
    wait_for_audit,
    wait_until,
)

pytestmark = pytest.mark.e2e


def settle_with_marker(gql: GraphQLClient, org: Org) -> list[dict[str, Any]]:
    """Make one more (successful) change and wait until its event is in the audit trail. Events are
    relayed in commit order, so anything an earlier refused operation might have emitted would have
    been delivered by then: the returned trail is final up to the marker."""
    marker = f"Marker {unique('m')}"
    version = gql.execute(UPDATE_ORGANISATION, {"input": {"name": marker}}, token=org.admin_token).ok()[
        "updateOrganisation"
    ]["version"]

    def marker_arrived(trail: list[dict[str, Any]]) -> bool:
        return any(
            r["eventType"] == ORGANISATION_UPDATED
            and r["data"]["organisation"]["name"] == marker
            and r["data"]["organisation"]["version"] == version
            for r in trail
        )

    trail = wait_for_audit(gql, org.admin_token, marker_arrived, what=f"the marker update of {org.id}")
    assert trail[0]["data"]["organisation"]["name"] == marker, "the marker is the newest event"
    return trail


def test_create_read_update_and_the_audit_trail(stack: LocalStack, gql: GraphQLClient) -> None:
    org_id, admin_sub = unique("flow"), unique("flow-admin")
    admin = stack.token(org_id, ["admin"], sub=admin_sub)
    assert gql.execute(ORGANISATION, token=admin).refused("NOT_FOUND").data is None

    draft = {
        "name": "Riverside  Neighbourhood Watch",
        "slug": unique("riverside"),
        "timezone": "Europe/Dublin",
        "locale": "en-IE",
        "privacy": {"minCellSize": 5, "locationResolution": 7, "publicationDelayDays": 7},
        "contacts": [{"kind": "EMAIL", "value": "desk@riverside.example", "label": "Desk"}],
    }
    created = gql.execute(CREATE_ORGANISATION, {"input": draft}, token=admin).ok()["createOrganisation"]
    assert created["id"] == org_id
    assert created["name"] == "Riverside Neighbourhood Watch"  # whitespace normalised
    assert (created["slug"], created["timezone"], created["locale"]) == (
        draft["slug"],
        "Europe/Dublin",
        "en-IE",
    )
    assert created["privacy"] == draft["privacy"]
    assert created["contacts"] == draft["contacts"]
    assert created["version"] == 1
    assert organisation(gql, admin) == created

    updated = gql.execute(
        UPDATE_ORGANISATION, {"input": {"name": "Riverside Watch", "expectedVersion": 1}}, token=admin
    ).ok()["updateOrganisation"]
    assert updated == {**created, "name": "Riverside Watch", "version": 2, "updatedAt": updated["updatedAt"]}
    assert updated["updatedAt"] > created["updatedAt"]
    assert organisation(gql, admin) == updated

    trail = wait_for_audit(
        gql,
        admin,
        lambda t: {r["eventType"] for r in t} >= {ORGANISATION_CREATED, ORGANISATION_UPDATED},
        what="the created and updated events in the audit trail",
    )
    assert [r["eventType"] for r in trail] == [ORGANISATION_UPDATED, ORGANISATION_CREATED]  # newest first
    newest, oldest = trail
    assert {r["subject"] for r in trail} == {org_id}
    assert {r["actor"] for r in trail} == {admin_sub}
    assert oldest["data"]["organisation"]["name"] == "Riverside Neighbourhood Watch"
    assert oldest["data"]["organisation"]["version"] == 1
    assert newest["data"]["changed"] == ["name"]
    assert newest["data"]["organisation"]["name"] == "Riverside Watch"
    assert newest["data"]["organisation"]["version"] == 2
    assert len({r["eventId"] for r in trail}) == 2


def test_create_with_only_the_required_fields(stack: LocalStack, gql: GraphQLClient) -> None:
    org_id = unique("minimal")
    admin = stack.token(org_id, ["admin"], sub=unique("minimal-admin"))
    slug = unique("minimal")
    response = gql.execute(
        CREATE_ORGANISATION, {"input": {"name": "Minimal Watch", "slug": slug}}, token=admin
    )
    created = response.ok()["createOrganisation"]
    assert (created["id"], created["slug"], created["timezone"], created["locale"]) == (
        org_id,
        slug,
        "Europe/London",
        "en-GB",
    )
    assert created["privacy"] == {"minCellSize": 10, "locationResolution": 8, "publicationDelayDays": 30}
    assert created["contacts"] == []


def test_bad_input_is_refused_and_writes_nothing(stack: LocalStack, gql: GraphQLClient) -> None:
    org_id = unique("badinput")
    admin_sub = unique("badinput-admin")
    admin = stack.token(org_id, ["admin"], sub=admin_sub)
    slug = unique("badinput")
    valid = {"name": "Valid Watch", "slug": slug}

    # creating: nothing is written, not even the slug reservation
    for field, value in (
        ("name", ""),
        ("name", "   "),
        ("timezone", "Mars/Olympus_Mons"),
        ("slug", "Not A Slug"),
        ("locale", "english"),
    ):
        refused = gql.execute(CREATE_ORGANISATION, {"input": {**valid, field: value}}, token=admin)
        refused.refused("BAD_USER_INPUT")
        assert refused.data is None
        assert field in refused.errors[0]["extensions"]["details"]["fields"], refused.errors
    # exact locations below staff, or cells finer than resolution 8, are not a choice
    for privacy, field in (
        ({"generaliseLocations": False}, "privacy"),
        ({"locationResolution": 9}, "privacy.locationResolution"),  # named as the client names it
    ):
        refused = gql.execute(CREATE_ORGANISATION, {"input": {**valid, "privacy": privacy}}, token=admin)
        refused.refused("BAD_USER_INPUT")
        assert field in refused.errors[0]["extensions"]["details"]["fields"], refused.errors
    gql.execute(ORGANISATION, token=admin).refused("NOT_FOUND")
    org = Org(
        org_id,
        "Valid Watch",
        slug,
        admin_sub,
        admin,
        gql.execute(CREATE_ORGANISATION, {"input": valid}, token=admin).ok()["createOrganisation"],
    )

    # updating: the organisation is unchanged
    before = organisation(gql, admin)
    changes: tuple[tuple[str, Any], ...] = (
        ("name", ""),
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", "europe/london"),
        ("slug", "-bad-"),
        ("contacts", [{"kind": "EMAIL", "value": "   "}]),
        ("privacy", {"generaliseLocations": False}),
        ("privacy", {"locationResolution": 9}),
    )
    for field, value in changes:
        refused = gql.execute(UPDATE_ORGANISATION, {"input": {field: value}}, token=admin)
        refused.refused("BAD_USER_INPUT")
        assert refused.data is None
    assert organisation(gql, admin) == before

    # and no event was emitted by any refused operation
    trail = settle_with_marker(gql, org)
    assert [r["eventType"] for r in trail] == [ORGANISATION_UPDATED, ORGANISATION_CREATED]
    assert trail[1]["data"]["organisation"]["slug"] == slug


def _make_conflicts(stack: LocalStack, gql: GraphQLClient) -> tuple[Org, Org]:
    """Refused conflicts between two organisations; returns (first, second), both created in the end."""
    first = create_org(gql, stack, "conflict-a")
    before = organisation(gql, first.admin_token)

    # a second organisation cannot take the first one's slug
    second_id, second_sub = unique("conflict-b"), unique("conflict-b-admin")
    second_admin = stack.token(second_id, ["admin"], sub=second_sub)
    taken = gql.execute(
        CREATE_ORGANISATION, {"input": {"name": "Copycat Watch", "slug": first.slug}}, token=second_admin
    )
    taken.refused("CONFLICT")
    assert taken.data is None
    assert taken.errors[0]["extensions"]["details"] == {"field": "slug"}
    gql.execute(ORGANISATION, token=second_admin).refused("NOT_FOUND")

    # the same organisation cannot be created twice
    fresh_slug = unique("conflict-fresh")
    twice = gql.execute(
        CREATE_ORGANISATION, {"input": {"name": "Again", "slug": fresh_slug}}, token=first.admin_token
    )
    twice.refused("CONFLICT")
    assert twice.data is None
    assert organisation(gql, first.admin_token) == before

    # a stale expected version is a conflict too
    stale = gql.execute(
        UPDATE_ORGANISATION, {"input": {"name": "Stale", "expectedVersion": 7}}, token=first.admin_token
    )
    stale.refused("CONFLICT")
    assert organisation(gql, first.admin_token) == before

    # the slug the refused transaction tried is not half-reserved: the second organisation takes it
    created = gql.execute(
        CREATE_ORGANISATION, {"input": {"name": "Second Watch", "slug": fresh_slug}}, token=second_admin
    ).ok()["createOrganisation"]
    assert (created["id"], created["slug"], created["version"]) == (second_id, fresh_slug, 1)
    second = Org(second_id, "Second Watch", fresh_slug, second_sub, second_admin, created)

    # the first cannot move to the second's slug, and keeps its own reservation (the refused
    # transaction's release of the old slug is not half-applied)
    moved = gql.execute(
        UPDATE_ORGANISATION, {"input": {"slug": second.slug, "name": "Moved"}}, token=first.admin_token
    )
    moved.refused("CONFLICT")
    assert moved.errors[0]["extensions"]["details"] == {"field": "slug"}
    assert organisation(gql, first.admin_token) == before
    third_admin = stack.token(unique("conflict-c"), ["admin"], sub=unique("conflict-c-admin"))
    gql.execute(
        CREATE_ORGANISATION, {"input": {"name": "Third", "slug": first.slug}}, token=third_admin
    ).refused("CONFLICT")
    gql.execute(ORGANISATION, token=third_admin).refused("NOT_FOUND")
    return first, second


def test_conflicts_are_refused_and_change_nothing(fresh_stack: LocalStack, fresh_gql: GraphQLClient) -> None:
    _make_conflicts(fresh_stack, fresh_gql)


def test_refused_conflicts_emit_no_event(fresh_stack: LocalStack, fresh_gql: GraphQLClient) -> None:
    gql = fresh_gql
    first, second = _make_conflicts(fresh_stack, gql)
    marker = f"Marker {unique('m')}"
    gql.execute(UPDATE_ORGANISATION, {"input": {"name": marker}}, token=first.admin_token).ok()
    trails: dict[str, list[dict[str, Any]]] = {}

    expected_first = [(ORGANISATION_UPDATED, marker), (ORGANISATION_CREATED, first.name)]
    expected_second = [(ORGANISATION_CREATED, second.name)]

    def settled() -> bool:
        trails["first"] = audit_trail(gql, first.admin_token)
        trails["second"] = audit_trail(gql, second.admin_token)
        seen_first = [(r["eventType"], r["data"]["organisation"]["name"]) for r in trails["first"]]
        seen_second = [(r["eventType"], r["data"]["organisation"]["name"]) for r in trails["second"]]
        complete = seen_first == expected_first and seen_second == expected_second
        # an event no successful operation made: no need to wait any longer
        unexpected = set(seen_first) - set(expected_first) or set(seen_second) - set(expected_second)
        return complete or bool(unexpected)

    wait_until(settled, timeout=10, interval=0.1, what="the marker event of the first organisation")
    assert [(r["eventType"], r["data"]["organisation"]["slug"]) for r in trails["second"]] == [
        (ORGANISATION_CREATED, second.slug)
    ]
    assert [(r["eventType"], r["data"]["organisation"]["name"]) for r in trails["first"]] == expected_first


def test_an_officer_cannot_update_the_organisation(stack: LocalStack, gql: GraphQLClient) -> None:
    org = create_org(gql, stack, "officer")
    before = organisation(gql, org.admin_token)
    for roles in (["officer"], ["officer", "supervisor", "analyst"], ["member"], []):
        token = stack.token(org.id, roles, sub=unique("officer-sub"))
        refused = gql.execute(UPDATE_ORGANISATION, {"input": {"name": "Officer's Choice"}}, token=token)
        refused.refused("FORBIDDEN")
        assert refused.data is None
        added = gql.execute(
            ADD_STAFF,
            {"input": {"sub": unique("x"), "displayName": "Sneaky", "roles": ["ADMIN"]}},
            token=token,
        )
        added.refused("FORBIDDEN")
    assert organisation(gql, org.admin_token) == before
    assert [r["eventType"] for r in settle_with_marker(gql, org)] == [
        ORGANISATION_UPDATED,
        ORGANISATION_CREATED,
    ]


def test_a_member_cannot_list_staff(stack: LocalStack, gql: GraphQLClient) -> None:
    org = create_org(gql, stack, "staff")
    officer_sub = unique("staff-officer")
    gql.execute(
        ADD_STAFF,
        {
            "input": {
                "sub": officer_sub,
                "displayName": "Olive Officer",
                "email": "olive@staff.example",
                "roles": ["OFFICER"],
            }
        },
        token=org.admin_token,
    ).ok()
    for roles in (["member"], ["resident"], ["captain"], ["partner"], []):
        token = stack.token(org.id, roles, sub=unique("staff-member"))
        refused = gql.execute(STAFF_PAGE, {"first": 10}, token=token)
        refused.refused("FORBIDDEN")
        assert refused.data is None
        assert "olive" not in refused.text.lower()
        gql.execute("query { auditTrail { nodes { eventId } } }", token=token).refused("FORBIDDEN")
    # an officer may (the refusal above is about the role, not the query)
    officer = stack.token(org.id, ["officer"], sub=officer_sub)
    nodes = gql.execute(STAFF_PAGE, {"first": 10}, token=officer).ok()["staff"]["nodes"]
    assert [(n["sub"], n["displayName"], n["email"], n["roles"]) for n in nodes] == [
        (officer_sub, "Olive Officer", "olive@staff.example", ["OFFICER"])
    ]
    assert audit_trail(gql, org.admin_token) is not None
