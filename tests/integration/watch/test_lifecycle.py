"""Forming and running a watch group: proposal, the formation checklist, the lifecycle, who may move a
group, concurrent changes, and the interest survey."""

from __future__ import annotations

import pytest
from argus.platform import clock
from argus.platform.auth.principal import Principal, Role
from argus.platform.errors import BadUserInput, Conflict, Forbidden
from argus.watch import events
from argus.watch.model import GroupStatus, StatusChange
from argus.watch.service import captains, groups, members
from argus.watch.store import groups as group_store

from tests.factories.principals import principal
from tests.fakes.aws import ArgusAws
from tests.integration.watch.support import (
    CAPTAIN_SUB,
    FOUNDER_SUB,
    OFFICER_SUB,
    add_blocks,
    captain,
    import_households,
    kinds,
    layout,
    member,
    move,
    officer,
    outbox_events,
    propose,
    ready_to_activate,
    resident,
    snapshot,
)


def test_a_resident_proposes_a_group(aws: ArgusAws, fixed_clock: clock.FixedClock) -> None:
    # Given a resident of Clerkenwell
    # When they propose a watch group for their neighbourhood
    group = propose(resident())
    # Then it is proposed by them, with its boundary's area, and nothing counted yet
    assert group.status == GroupStatus.PROPOSED
    assert (group.proposed_by, group.version, group.created_at) == (FOUNDER_SUB, 1, fixed_clock.current)
    assert group.area_km2 == pytest.approx(layout().boundary.area_m2 / 1e6, abs=1e-4)
    assert group.boundary == layout().boundary.geojson
    assert not group.checklist.ready
    # And it can be read back as written
    assert groups.get_group(officer(), group.id) == group
    # And its status history records who proposed it, when and why
    assert groups.status_history(officer(), group.id) == [
        StatusChange(
            from_status=None,
            to_status=GroupStatus.PROPOSED,
            by=FOUNDER_SUB,
            at=fixed_clock.current,
            reason="Proposed by a resident",
        )
    ]
    # And one group.proposed event waits in the outbox, written in the same transaction
    [event] = outbox_events(aws)
    assert event["type"] == events.GROUP_PROPOSED
    assert (event["subject"], event["orgid"], event["source"]) == (
        group.id,
        "northshire",
        "/orgs/northshire/watch-groups",
    )
    assert event["data"] == {
        "groupId": group.id,
        "actor": FOUNDER_SUB,
        "status": "proposed",
        "areaKm2": group.area_km2,
    }
    assert kinds(aws) == {"watch-group": 1, "watch-status-change": 1, "outbox": 1}


def missing_items(group_id: str) -> list[str]:
    with pytest.raises(BadUserInput) as refused:
        groups.change_status(officer(), {"group_id": group_id, "status": "active", "reason": "Ready"})
    assert refused.value.details["reason"] == "checklist_incomplete"
    assert refused.value.details["field"] == "status"
    missing: list[str] = refused.value.details["missing"]
    return missing


def test_the_formation_lifecycle(aws: ArgusAws) -> None:
    # Given a proposed group that an officer registers
    group = propose()
    registered = move(group, "registered", reason="Boundary agreed with the Safer Neighbourhood Team")
    assert (registered.status, registered.version) == (GroupStatus.REGISTERED, 2)

    # When the officer tries to activate it with nothing on the checklist done
    # Then activation is refused, listing every missing item, and the group stays registered
    assert missing_items(group.id) == ["captains_recruited", "members_enrolled", "first_meeting_held"]
    assert groups.get_group(officer(), group.id).status == GroupStatus.REGISTERED

    # When a captain is recruited for a block
    [block] = add_blocks(group, 1)
    captains.assign_captain(officer(), group.id, block.id, CAPTAIN_SUB)
    assert missing_items(group.id) == ["members_enrolled", "first_meeting_held"]

    # When four members are enrolled, the checklist still wants five
    import_households(group, block, 4, who=captain())
    assert missing_items(group.id) == ["members_enrolled", "first_meeting_held"]
    import_households(group, block, 1, who=captain(), start=5)
    assert missing_items(group.id) == ["first_meeting_held"]

    # When the first meeting is recorded (by the group's captain)
    groups.record_first_meeting(captain(), group.id)
    assert groups.get_group(officer(), group.id).checklist.ready

    # Then the group can be activated, sent dormant, revived and closed
    for status in ("active", "dormant", "active", "closed"):
        assert move(group, status).status == GroupStatus(status)

    # And a closed group can become nothing else
    for status in ("proposed", "registered", "active", "dormant", "closed"):
        with pytest.raises(BadUserInput) as refused:
            move(group, status)
        assert refused.value.details == {"field": "status", "reason": "transition_not_allowed"}

    # And the history holds every move, in order, each with who, when and why
    history = groups.status_history(officer(), group.id)
    assert [(c.from_status, c.to_status) for c in history] == [
        (None, GroupStatus.PROPOSED),
        (GroupStatus.PROPOSED, GroupStatus.REGISTERED),
        (GroupStatus.REGISTERED, GroupStatus.ACTIVE),
        (GroupStatus.ACTIVE, GroupStatus.DORMANT),
        (GroupStatus.DORMANT, GroupStatus.ACTIVE),
        (GroupStatus.ACTIVE, GroupStatus.CLOSED),
    ]
    assert [c.by for c in history[1:]] == [OFFICER_SUB] * 5
    assert history[1].reason == "Boundary agreed with the Safer Neighbourhood Team"
    # And one status-changed event per move
    assert [
        (e["data"]["fromStatus"], e["data"]["toStatus"])
        for e in outbox_events(aws, events.GROUP_STATUS_CHANGED)
    ] == [
        ("proposed", "registered"),
        ("registered", "active"),
        ("active", "dormant"),
        ("dormant", "active"),
        ("active", "closed"),
    ]
    assert len(outbox_events(aws, events.GROUP_MEETING_HELD)) == 1
    final = groups.get_group(officer(), group.id)
    assert (final.status, final.version) == (GroupStatus.CLOSED, 7)  # proposed, 5 moves, 1 meeting


def test_a_proposal_can_be_closed_without_ever_being_active(aws: ArgusAws) -> None:
    group = propose()
    assert move(group, "closed", reason="Duplicate of an existing group").status == GroupStatus.CLOSED
    with pytest.raises(BadUserInput):
        move(group, "registered")


@pytest.mark.parametrize(
    "who",
    [
        resident(),
        member("member-amara"),
        captain(),
        principal(Role.ANALYST, sub="analyst-1"),
        principal(Role.PARTNER, sub="partner-1"),
    ],
    ids=["resident", "member", "captain-of-the-group", "analyst", "partner"],
)
def test_only_officers_and_coordinators_change_status(aws: ArgusAws, who: Principal) -> None:
    # Given a group whose block the captain leads
    group = propose()
    [block] = add_blocks(group, 1)
    captains.assign_captain(officer(), group.id, block.id, CAPTAIN_SUB)
    before = snapshot(aws)
    # When anyone but an officer or coordinator tries to register or close it
    for status in ("registered", "closed"):
        with pytest.raises(Forbidden):
            move(group, status, who=who)
    # Then nothing was written
    assert snapshot(aws) == before


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.ADMIN])
def test_officers_and_coordinators_change_status(aws: ArgusAws, role: Role) -> None:
    group = propose()
    assert move(group, "registered", who=principal(role, sub="staff-1")).status == GroupStatus.REGISTERED
    assert groups.status_history(officer(), group.id)[-1].by == "staff-1"


def test_a_stale_concurrent_change_is_a_conflict(aws: ArgusAws, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an active group, and two officers looking at it at the same moment
    group = propose()
    move(group, "registered")
    ready_to_activate(group)
    move(group, "active")
    read = group_store.require_group
    rival = officer("officer-two")

    def read_then_lose_the_race(org_id: str, group_id: str) -> object:
        seen = read(org_id, group_id)
        monkeypatch.setattr(group_store, "require_group", read)
        # the other officer sends the group dormant between our read and our write
        move(group, "dormant", who=rival, reason="No activity this winter")
        return seen

    monkeypatch.setattr(group_store, "require_group", read_then_lose_the_race)
    # When the first officer closes it on the strength of what they read
    with pytest.raises(Conflict):
        move(group, "closed", reason="Merged into Amwell watch")
    # Then the rival's change stands alone: status, history and events
    assert groups.get_group(officer(), group.id).status == GroupStatus.DORMANT
    last = groups.status_history(officer(), group.id)[-1]
    assert (last.from_status, last.to_status, last.by) == (
        GroupStatus.ACTIVE,
        GroupStatus.DORMANT,
        "officer-two",
    )
    assert [e["data"]["toStatus"] for e in outbox_events(aws, events.GROUP_STATUS_CHANGED)] == [
        "registered",
        "active",
        "dormant",
    ]


def test_activation_rechecks_the_checklist_when_it_writes(
    aws: ArgusAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a registered group with exactly five members, a captain and its first meeting held
    group = propose()
    move(group, "registered")
    block = ready_to_activate(group)
    [leaver, *_] = members.block_roster(officer(), group.id, block.id, None, None).items
    read = group_store.require_group

    def read_then_a_member_goes(org_id: str, group_id: str) -> object:
        seen = read(org_id, group_id)
        monkeypatch.setattr(group_store, "require_group", read)
        members.remove(captain(), group.id, block.id, leaver.id)  # between the read and the write
        return seen

    monkeypatch.setattr(group_store, "require_group", read_then_a_member_goes)
    # When the officer activates the group on the strength of what they read
    with pytest.raises((BadUserInput, Conflict)):
        move(group, "active")
    # Then the group, now four members short of five, is not active
    after = groups.get_group(officer(), group.id)
    assert after.counts.members == 4
    assert after.status == GroupStatus.REGISTERED


# --- the interest survey ---------------------------------------------------------------------------


def test_one_survey_answer_per_person(aws: ArgusAws) -> None:
    # Given a proposed group
    group = propose()
    # When three neighbours answer its interest survey
    groups.answer_survey(resident("neighbour-1"), group.id, interested=True, willing_to_captain=True)
    groups.answer_survey(resident("neighbour-2"), group.id, interested=True, willing_to_captain=False)
    after = groups.answer_survey(
        resident("neighbour-3"), group.id, interested=False, willing_to_captain=False
    )
    # Then the counters add up
    assert (after.survey.responses, after.survey.interested, after.survey.willing_to_captain) == (3, 2, 1)
    before = snapshot(aws)
    # When one of them answers again (even changing their mind)
    with pytest.raises(Conflict):
        groups.answer_survey(resident("neighbour-3"), group.id, interested=True, willing_to_captain=True)
    # Then the second answer is refused and nothing changes
    assert snapshot(aws) == before
    assert groups.get_group(officer(), group.id).survey == after.survey
    assert kinds(aws)["watch-survey"] == 3


def test_the_survey_stays_open_while_registered_and_closes_once_active(aws: ArgusAws) -> None:
    group = propose()
    move(group, "registered")
    assert groups.answer_survey(resident("neighbour-1"), group.id, True, False).survey.responses == 1
    ready_to_activate(group)
    move(group, "active")
    before = snapshot(aws)
    with pytest.raises(BadUserInput) as refused:
        groups.answer_survey(resident("neighbour-2"), group.id, interested=True, willing_to_captain=False)
    assert refused.value.details == {"field": "groupId", "reason": "survey_closed"}
    assert snapshot(aws) == before
