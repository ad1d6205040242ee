"""Members and households: self-enrolment and approval, captains adding members, contact channels with
recorded consent, leaving with erasure of personal data, and bulk roster import."""

from __future__ import annotations

import json
from typing import Any

import pytest
from argus.platform import clock
from argus.platform.errors import BadUserInput, Conflict, Forbidden, NotFound
from argus.watch import events
from argus.watch.model import Block, Channel, MemberStatus, TaskKind, WatchGroup
from argus.watch.service import captains, groups, members, roster_import
from argus.watch.service.members import ERASED_NAME
from argus.watch.store import people

from tests.fakes.aws import ArgusAws
from tests.integration.watch.support import (
    CAPTAIN_SUB,
    CONSENT,
    OTHER_CAPTAIN_SUB,
    add_blocks,
    captain,
    counting_dynamodb_requests,
    enrolment,
    household,
    import_households,
    kinds,
    member,
    move,
    officer,
    outbox_events,
    propose,
    resident,
    snapshot,
)

APPLICANT = "resident-priya"


@pytest.fixture
def world(aws: ArgusAws) -> tuple[WatchGroup, Block, Block]:
    group = propose()
    move(group, "registered")
    mine, theirs = add_blocks(group, 2)
    captains.assign_captain(officer(), group.id, mine.id, CAPTAIN_SUB)
    captains.assign_captain(officer(), group.id, theirs.id, OTHER_CAPTAIN_SUB)
    return group, mine, theirs


def block_of(group: WatchGroup, block: Block) -> Block:
    """The block as it is now (its counters)."""
    return next(b for b in groups.list_blocks(officer(), group.id) if b.id == block.id)


# --- self-enrolment and approval -----------------------------------------------------------------------


def test_self_enrolment_is_pending_with_a_task_for_the_captain(
    aws: ArgusAws, world: tuple[WatchGroup, Block, Block], fixed_clock: clock.FixedClock
) -> None:
    group, mine, _ = world
    # Given a resident of a captained block
    # When they sign themselves up
    enrolled = members.enrol(resident(APPLICANT), enrolment(group, mine, "Priya Patel", 41))
    # Then they are a pending member with their account, not yet approved
    assert (enrolled.status, enrolled.sub, enrolled.display_name) == (
        MemberStatus.PENDING,
        APPLICANT,
        "Priya Patel",
    )
    assert (enrolled.approved_by, enrolled.approved_at, enrolled.joined_at) == (
        None,
        None,
        fixed_clock.current,
    )
    # And their membership is known
    assert [m.id for m in members.my_memberships(resident(APPLICANT))] == [enrolled.id]
    # And the block's captain has a task to approve them
    hub = captains.captain_hub(captain(), None, None)
    [task] = hub.open_tasks
    assert (task.kind, task.member_id, task.block_id, task.group_id) == (
        TaskKind.APPROVE_ENROLMENT,
        enrolled.id,
        mine.id,
        group.id,
    )
    # And the counters say one household, one pending, no member yet
    counts = groups.get_group(officer(), group.id).counts
    assert (counts.households, counts.pending, counts.members, counts.joined_total) == (1, 1, 0, 0)
    assert (block_of(group, mine).households, block_of(group, mine).members) == (1, 0)
    assert (hub.figures.households, hub.figures.pending, hub.figures.members) == (1, 1, 0)
    # And a member.enrolled event says so, without personal data
    [event] = outbox_events(aws, events.MEMBER_ENROLLED)
    assert event["data"] == {
        "groupId": group.id,
        "actor": APPLICANT,
        "memberId": enrolled.id,
        "blockId": mine.id,
        "status": "pending",
    }


def test_enrolling_twice_is_a_conflict_and_writes_nothing(
    aws: ArgusAws, world: tuple[WatchGroup, Block, Block]
) -> None:
    group, mine, theirs = world
    members.enrol(resident(APPLICANT), enrolment(group, mine, "Priya Patel", 41))
    before = snapshot(aws)
    # When the same person enrols again, in the same block or another one of the group
    for block in (mine, theirs):
        with pytest.raises(Conflict):
            members.enrol(resident(APPLICANT), enrolment(group, block, "Priya Patel", 43))
    # Then nothing was written (no second household, member, counter change or event)
    assert snapshot(aws) == before


def test_enrolment_in_a_closed_group_is_refused(
    aws: ArgusAws, world: tuple[WatchGroup, Block, Block]
) -> None:
    group, mine, _ = world
    move(group, "closed", reason="Merged into Amwell watch")
    before = snapshot(aws)
    with pytest.raises(BadUserInput) as refused:
        members.enrol(resident(APPLICANT), enrolment(group, mine, "Priya Patel", 41))
    assert refused.value.details == {"field": "groupId", "reason": "group_closed"}
    with pytest.raises(BadUserInput):
        members.add_member(captain(), enrolment(group, mine, "Ben Brown", 3))
    assert snapshot(aws) == before


def test_the_blocks_captain_approves_and_their_figures_follow(
    aws: ArgusAws, world: tuple[WatchGroup, Block, Block], fixed_clock: clock.FixedClock
) -> None:
    group, mine, _ = world
    # Given two applicants: one waits 6 hours for approval, the other 2 hours
    first = members.enrol(resident(APPLICANT), enrolment(group, mine, "Priya Patel", 41))
    fixed_clock.advance(hours=6)
    approved_at = fixed_clock.current
    approved = members.approve(captain(), group.id, mine.id, first.id)
    second = members.enrol(resident("resident-ben"), enrolment(group, mine, "Ben Brown", 43))
    fixed_clock.advance(hours=2)
    members.approve(captain(), group.id, mine.id, second.id)
    # Then each is active, approved by the captain at that moment
    assert (approved.status, approved.approved_by, approved.approved_at) == (
        MemberStatus.ACTIVE,
        CAPTAIN_SUB,
        approved_at,
    )
    roster = members.block_roster(captain(), group.id, mine.id, None, None)
    assert {(m.id, m.status) for m in roster.items} == {
        (first.id, MemberStatus.ACTIVE),
        (second.id, MemberStatus.ACTIVE),
    }
    # And the tasks are gone, the figures count the approvals and the mean response time
    hub = captains.captain_hub(captain(), None, None)
    assert hub.open_tasks == []
    assert (hub.figures.approvals, hub.figures.members, hub.figures.pending, hub.figures.members_added) == (
        2,
        2,
        0,
        2,
    )
    assert hub.figures.approval_hours_total == pytest.approx(8.0)
    assert hub.figures.mean_response_hours == pytest.approx(4.0)
    # And the group and block count two members who joined
    counts = groups.get_group(officer(), group.id).counts
    assert (counts.members, counts.pending, counts.joined_total, counts.households) == (2, 0, 2, 2)
    assert block_of(group, mine).members == 2
    assert [e["data"]["memberId"] for e in outbox_events(aws, events.MEMBER_APPROVED)] == [
        first.id,
        second.id,
    ]
    # And approving again is refused
    with pytest.raises(BadUserInput) as refused:
        members.approve(captain(), group.id, mine.id, first.id)
    assert refused.value.details["reason"] == "not_pending"


def test_a_captain_cannot_approve_or_add_in_another_captains_block(
    aws: ArgusAws, world: tuple[WatchGroup, Block, Block]
) -> None:
    group, mine, theirs = world
    # Given an applicant in the other captain's block
    applicant = members.enrol(resident(APPLICANT), enrolment(group, theirs, "Priya Patel", 2))
    before = snapshot(aws)
    # When our captain approves them, adds someone there, or removes them
    with pytest.raises(Forbidden):
        members.approve(captain(), group.id, theirs.id, applicant.id)
    with pytest.raises(Forbidden):
        members.add_member(captain(), enrolment(group, theirs, "Ben Brown", 4))
    with pytest.raises(Forbidden):
        members.remove(captain(), group.id, theirs.id, applicant.id)
    # And a plain member or resident tries the same
    for who in (member("member-amara"), resident("resident-zara")):
        with pytest.raises(Forbidden):
            members.approve(who, group.id, mine.id, applicant.id)
        with pytest.raises(Forbidden):
            members.add_member(who, enrolment(group, mine, "Ben Brown", 4))
    # Then every attempt is forbidden and nothing was written
    assert snapshot(aws) == before
    # While the block's own captain may
    assert members.approve(captain(OTHER_CAPTAIN_SUB), group.id, theirs.id, applicant.id).status == "active"


def test_a_captain_adds_a_member_directly(aws: ArgusAws, world: tuple[WatchGroup, Block, Block]) -> None:
    group, mine, _ = world
    added = members.add_member(
        captain(), enrolment(group, mine, "Amara Adeyemi", 7), member_sub="member-amara"
    )
    # Then they are active at once, approved by the captain, with no task waiting
    assert (added.status, added.approved_by, added.sub) == (MemberStatus.ACTIVE, CAPTAIN_SUB, "member-amara")
    assert [m.id for m in members.my_memberships(member("member-amara"))] == [added.id]
    hub = captains.captain_hub(captain(), None, None)
    assert hub.open_tasks == []
    assert (hub.figures.members, hub.figures.members_added, hub.figures.approvals) == (1, 1, 0)
    counts = groups.get_group(officer(), group.id).counts
    assert (counts.members, counts.joined_total, counts.pending) == (1, 1, 0)
    [event] = outbox_events(aws, events.MEMBER_ENROLLED)
    assert (event["data"]["status"], event["data"]["actor"]) == ("active", CAPTAIN_SUB)
    # And a second person joins the same household
    partner = members.add_member(
        captain(),
        {
            "group_id": group.id,
            "block_id": mine.id,
            "display_name": "Kwame Adeyemi",
            "household_id": added.household_id,
        },
    )
    assert partner.household_id == added.household_id
    assert groups.get_group(officer(), group.id).counts.households == 1
    assert people.get_household("northshire", group.id, mine.id, added.household_id).members == 2  # type: ignore[union-attr]


# --- contact channels and consent ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "problem"),
    [
        ({"channel": "sms", "address": "07700 900123", "consent_wording": CONSENT}, "E.164"),
        ({"channel": "voice", "address": "+44 7700 900123", "consent_wording": CONSENT}, "E.164"),
        ({"channel": "email", "address": "priya at example.org", "consent_wording": CONSENT}, "not valid"),
        ({"channel": "sms", "address": "+447700900123"}, "consent"),
        ({"channel": "email", "address": "priya@example.org", "enabled": True}, "consent"),
        ({"channel": "email"}, "needs an address"),
    ],
    ids=[
        "sms-national-format",
        "voice-with-spaces",
        "email-malformed",
        "sms-no-consent",
        "email-no-consent",
        "email-no-address",
    ],
)
def test_bad_contact_channels_are_refused(
    aws: ArgusAws, world: tuple[WatchGroup, Block, Block], channel: dict[str, Any], problem: str
) -> None:
    group, mine, _ = world
    before = snapshot(aws)
    with pytest.raises(BadUserInput) as refused:
        members.enrol(resident(APPLICANT), enrolment(group, mine, "Priya Patel", 41, channels=[channel]))
    [message] = refused.value.details["fields"].values()
    assert problem in message
    assert snapshot(aws) == before


def test_consent_is_recorded_with_its_time_and_wording(
    aws: ArgusAws, world: tuple[WatchGroup, Block, Block], fixed_clock: clock.FixedClock
) -> None:
    group, mine, _ = world
    sms_wording = "Text me urgent Clerkenwell watch alerts. Reply STOP to opt out."
    enrolled = members.enrol(
        resident(APPLICANT),
        enrolment(
            group,
            mine,
            "Priya Patel",
            41,
            channels=[
                {"channel": "email", "address": " priya@example.org ", "consent_wording": CONSENT},
                {"channel": "sms", "address": "+447700900123", "consent_wording": sms_wording},
                {"channel": "voice", "address": "+447700900123", "enabled": False},
            ],
        ),
    )
    # When the captain reads the roster
    [stored] = members.block_roster(captain(), group.id, mine.id, None, None).items
    # Then each enabled channel carries the moment and the exact wording agreed to
    assert stored.channels == enrolled.channels
    email, sms, voice = stored.channels
    assert (email.channel, email.address, email.enabled) == (Channel.EMAIL, "priya@example.org", True)
    assert email.consent is not None and (email.consent.given_at, email.consent.wording) == (
        fixed_clock.current,
        CONSENT,
    )
    assert sms.consent is not None and sms.consent.wording == sms_wording
    # And a disabled channel needs no consent
    assert (voice.enabled, voice.consent) == (False, None)


# --- leaving and erasure ---------------------------------------------------------------------------


PERSONAL = ("Priya", "Patel", "41 Myddelton Square", "priya@example.org", "+447700900123")


def test_a_member_who_leaves_is_erased(aws: ArgusAws, world: tuple[WatchGroup, Block, Block]) -> None:
    group, mine, _ = world
    # Given an approved member with contact channels, alone in their household, and four neighbours
    import_households(group, mine, 4, who=captain())
    enrolled = members.enrol(
        resident(APPLICANT),
        enrolment(
            group,
            mine,
            "Priya Patel",
            41,
            channels=[
                {"channel": "email", "address": "priya@example.org", "consent_wording": CONSENT},
                {"channel": "sms", "address": "+447700900123", "consent_wording": CONSENT},
            ],
        ),
    )
    members.approve(captain(), group.id, mine.id, enrolled.id)
    counts_before = groups.get_group(officer(), group.id).counts
    figures_before = captains.captain_hub(captain(), None, None).figures
    block_before = block_of(group, mine)
    # When they leave the group
    left = members.leave(member(APPLICANT), group.id)
    # Then their member item keeps no name, account or channels
    assert (left.sub, left.display_name, left.channels, left.status) == (
        None,
        ERASED_NAME,
        (),
        MemberStatus.LEFT,
    )
    [item] = [i for i in aws.items_of_kind("watch-member") if i["member_id"]["S"] == enrolled.id]
    assert "sub" not in item
    assert item["display_name"]["S"] == ERASED_NAME
    assert json.loads(item["channels"]["S"]) == []
    # And their membership is gone
    assert members.my_memberships(member(APPLICANT)) == []
    assert people.membership_of("northshire", APPLICANT, group.id) is None
    # And their household's address is gone (they were its last member)
    household_left = people.get_household("northshire", group.id, mine.id, enrolled.household_id)
    assert household_left is not None and (household_left.address, household_left.members) == (None, 0)
    # And nothing personal is left anywhere in the table
    dump = json.dumps(aws.items())
    assert [text for text in PERSONAL if text in dump] == []
    # And the counts dropped, while the aggregate remembers that someone left
    counts = groups.get_group(officer(), group.id).counts
    assert (counts.members, counts.households) == (counts_before.members - 1, counts_before.households - 1)
    assert (counts.joined_total, counts.left_total) == (counts_before.joined_total, 1)
    figures = captains.captain_hub(captain(), None, None).figures
    assert (figures.members, figures.households) == (
        figures_before.members - 1,
        figures_before.households - 1,
    )
    block = block_of(group, mine)
    assert (block.members, block.households) == (block_before.members - 1, block_before.households - 1)
    # And the member.left event carries ids only
    [event] = outbox_events(aws, events.MEMBER_LEFT)
    assert event["data"] == {
        "groupId": group.id,
        "actor": APPLICANT,
        "memberId": enrolled.id,
        "blockId": mine.id,
    }
    # And leaving twice is not possible
    with pytest.raises(NotFound):
        members.leave(member(APPLICANT), group.id)


def test_a_household_keeps_its_address_until_its_last_member_goes(
    aws: ArgusAws, world: tuple[WatchGroup, Block, Block]
) -> None:
    group, mine, _ = world
    # Given a household of two imported by the captain
    roster_import.import_roster(
        captain(),
        {
            "group_id": group.id,
            "block_id": mine.id,
            "households": [household(12, "Rosa Rossi", "Marco Rossi", subs=("member-rosa", "member-marco"))],
        },
    )
    roster = {m.display_name: m for m in members.block_roster(captain(), group.id, mine.id, None, None).items}
    rosa, marco = roster["Rosa Rossi"], roster["Marco Rossi"]
    assert rosa.household_id == marco.household_id
    # When the first leaves, the address stays for the other
    members.leave(member("member-rosa"), group.id)
    home = people.get_household("northshire", group.id, mine.id, rosa.household_id)
    assert home is not None and home.address is not None and home.members == 1
    assert groups.get_group(officer(), group.id).counts.households == 1
    # When the captain removes the last one, the address goes too
    removed = members.remove(captain(), group.id, mine.id, marco.id)
    assert (removed.display_name, removed.sub) == (ERASED_NAME, None)
    home = people.get_household("northshire", group.id, mine.id, rosa.household_id)
    assert home is not None and (home.address, home.members) == (None, 0)
    counts = groups.get_group(officer(), group.id).counts
    assert (counts.households, counts.members, counts.joined_total, counts.left_total) == (0, 0, 2, 2)
    assert [e["data"]["actor"] for e in outbox_events(aws, events.MEMBER_LEFT)] == [
        "member-rosa",
        CAPTAIN_SUB,
    ]
    dump = json.dumps(aws.items())
    assert "Rossi" not in dump and "12 Myddelton Square" not in dump


def test_a_pending_applicant_who_withdraws_leaves_no_task_behind(
    aws: ArgusAws, world: tuple[WatchGroup, Block, Block]
) -> None:
    group, mine, _ = world
    members.enrol(resident(APPLICANT), enrolment(group, mine, "Priya Patel", 41))
    members.leave(resident(APPLICANT), group.id)
    hub = captains.captain_hub(captain(), None, None)
    assert hub.open_tasks == []
    assert (hub.figures.pending, hub.figures.households) == (0, 0)
    counts = groups.get_group(officer(), group.id).counts
    assert (counts.pending, counts.households, counts.members) == (0, 0, 0)
    dump = json.dumps(aws.items())
    assert [text for text in PERSONAL if text in dump] == []


# --- bulk import -----------------------------------------------------------------------------------


def sixty_households() -> list[dict[str, Any]]:
    """60 households of 1-3 people on two streets; some people have accounts and an email channel."""
    rows = []
    for number in range(1, 61):
        size = 1 + number % 3
        names = [f"Resident {number}-{k}" for k in range(size)]
        subs = tuple(f"member-{number}-{k}" if k == 0 and number % 2 else None for k in range(size))
        entry = household(
            number, *names, street="Amwell Street" if number > 30 else "Myddelton Square", subs=subs
        )
        if number % 5 == 0:
            entry["members"][0]["channels"] = [
                {"channel": "email", "address": f"resident{number}@example.org", "consent_wording": CONSENT}
            ]
        rows.append(entry)
    return rows


def test_a_captain_imports_sixty_households_in_several_transactions(
    aws: ArgusAws, world: tuple[WatchGroup, Block, Block]
) -> None:
    group, mine, _ = world
    rows = sixty_households()
    people_count = sum(len(h["members"]) for h in rows)
    # When the block's captain imports them
    with counting_dynamodb_requests() as requests:
        result = roster_import.import_roster(
            captain(), {"group_id": group.id, "block_id": mine.id, "households": rows}
        )
    # Then everyone is imported, in several transactions of at most 100 writes each
    assert (result.households, result.members) == (60, people_count)
    transactions = [params for op, params in requests.calls if op == "TransactWriteItems"]
    assert len(transactions) >= 2
    assert all(len(t["TransactItems"]) <= 100 for t in transactions)
    # And the counters agree with what was written
    counts = groups.get_group(officer(), group.id).counts
    assert (counts.households, counts.members, counts.joined_total, counts.pending) == (
        60,
        people_count,
        people_count,
        0,
    )
    assert (block_of(group, mine).households, block_of(group, mine).members) == (60, people_count)
    figures = captains.captain_hub(captain(), None, None).figures
    assert (figures.households, figures.members, figures.members_added) == (60, people_count, people_count)
    assert kinds(aws)["watch-household"] == 60
    # And the roster lists every person once, all active
    seen: list[str] = []
    after = None
    while True:
        page = members.block_roster(captain(), group.id, mine.id, 50, after)
        seen += [m.id for m in page.items if m.status == MemberStatus.ACTIVE]
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert len(seen) == len(set(seen)) == people_count
    # And those with accounts find their membership
    assert len(members.my_memberships(member("member-1-0"))) == 1
    # And each person has an (active) member.enrolled event
    enrolled = outbox_events(aws, events.MEMBER_ENROLLED)
    assert len(enrolled) == people_count
    assert {e["data"]["status"] for e in enrolled} == {"active"}


def test_importing_someone_already_enrolled_is_a_conflict(
    aws: ArgusAws, world: tuple[WatchGroup, Block, Block]
) -> None:
    group, mine, _ = world
    members.enrol(resident(APPLICANT), enrolment(group, mine, "Priya Patel", 41))
    before = snapshot(aws)
    rows = sixty_households()
    rows[0]["members"][0]["sub"] = APPLICANT  # in the first transaction
    with pytest.raises(Conflict):
        roster_import.import_roster(
            captain(), {"group_id": group.id, "block_id": mine.id, "households": rows}
        )
    # Then that transaction wrote nothing, and so nothing at all was written
    assert snapshot(aws) == before


def test_an_import_stopped_by_a_conflict_keeps_consistent_counts(
    aws: ArgusAws, world: tuple[WatchGroup, Block, Block]
) -> None:
    group, mine, _ = world
    members.enrol(resident(APPLICANT), enrolment(group, mine, "Priya Patel", 41))
    rows = sixty_households()
    rows[-1]["members"][0]["sub"] = APPLICANT  # in the last transaction
    with pytest.raises(Conflict):
        roster_import.import_roster(
            captain(), {"group_id": group.id, "block_id": mine.id, "households": rows}
        )
    # Then the earlier transactions stay, and the counters match exactly what they wrote
    written = [i for i in aws.items_of_kind("watch-member") if i["status"]["S"] == "active"]
    households = aws.items_of_kind("watch-household")
    counts = groups.get_group(officer(), group.id).counts
    assert 0 < len(written) < sum(len(h["members"]) for h in rows)
    assert (counts.members, counts.pending, counts.households) == (len(written), 1, len(households))
    assert len(outbox_events(aws, events.MEMBER_ENROLLED)) == len(written) + 1


def test_import_is_for_the_blocks_captain_and_staff(
    aws: ArgusAws, world: tuple[WatchGroup, Block, Block]
) -> None:
    group, mine, theirs = world
    before = snapshot(aws)
    for who, block in ((captain(), theirs), (resident(APPLICANT), mine), (member("member-amara"), mine)):
        with pytest.raises(Forbidden):
            import_households(group, block, 3, who=who)
    assert snapshot(aws) == before
    assert import_households(group, theirs, 3, who=officer()).members == 3


def test_the_same_person_twice_in_one_import_is_bad_input(
    aws: ArgusAws, world: tuple[WatchGroup, Block, Block]
) -> None:
    group, mine, _ = world
    rows = [household(1, "Priya Patel", subs=(APPLICANT,)), household(3, "P. Patel", subs=(APPLICANT,))]
    before = snapshot(aws)
    with pytest.raises(BadUserInput):
        roster_import.import_roster(
            captain(), {"group_id": group.id, "block_id": mine.id, "households": rows}
        )
    assert snapshot(aws) == before


def test_a_captain_assigned_later_takes_over_pending_enrolments(aws: ArgusAws) -> None:
    # Given a block without a captain, where a resident has signed up
    group = propose()
    [block] = add_blocks(group, 1)
    applicant = members.enrol(resident(APPLICANT), enrolment(group, block, "Priya Patel", 41))
    # When a captain is assigned to it
    captains.assign_captain(officer(), group.id, block.id, CAPTAIN_SUB)
    # Then the waiting enrolment is on their hub, as a task and in their figures
    hub = captains.captain_hub(captain(), None, None)
    assert [t.member_id for t in hub.open_tasks] == [applicant.id]
    assert hub.figures.pending == 1
    # And once they approve it, nothing is negative
    members.approve(captain(), group.id, block.id, applicant.id)
    figures = captains.captain_hub(captain(), None, None).figures
    assert (figures.pending, figures.members) == (0, 1)


def test_erasure_reaches_a_task_left_with_a_replaced_captain(
    aws: ArgusAws, world: tuple[WatchGroup, Block, Block]
) -> None:
    group, mine, _ = world
    members.enrol(resident(APPLICANT), enrolment(group, mine, "Priya Patel", 41))
    captains.assign_captain(officer(), group.id, mine.id, "captain-successor")
    members.leave(resident(APPLICANT), group.id)
    assert captains.captain_hub(captain(), None, None).open_tasks == []
    dump = json.dumps(aws.items())
    assert [text for text in PERSONAL if text in dump] == []
