"""Tenancy: the organisation comes from the verified token, so callers of another organisation — even
with the same roles and the same subs — neither see nor change anything of this one's watch groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from argus.platform.auth.principal import Principal, Role
from argus.platform.errors import ArgusError, Forbidden, NotFound
from argus.watch.model import Block, Member, WatchGroup
from argus.watch.service import captains, geography, groups, members

from tests.factories.principals import OTHER_ORG, principal
from tests.fakes.aws import ArgusAws
from tests.integration.watch.support import (
    CAPTAIN_SUB,
    OFFICER_SUB,
    add_blocks,
    captain,
    enrolment,
    import_households,
    officer,
    propose,
    resident,
    snapshot,
)

# Callers of the other organisation, with the very same subs as this one's officer and captain.
THEIR_OFFICER = officer(OFFICER_SUB, org=OTHER_ORG)
THEIR_ADMIN = principal(Role.ADMIN, org=OTHER_ORG, sub="admin-southvale")
THEIR_CAPTAIN = captain(CAPTAIN_SUB, org=OTHER_ORG)
THEIR_RESIDENT = resident("resident-priya", org=OTHER_ORG)


@pytest.fixture
def ours(aws: ArgusAws) -> tuple[WatchGroup, Block, Member]:
    group = propose()
    [block] = add_blocks(group, 1)
    captains.assign_captain(officer(), group.id, block.id, CAPTAIN_SUB)
    import_households(group, block, 2, who=captain())
    applicant = members.enrol(resident("resident-priya"), enrolment(group, block, "Priya Patel", 41))
    return group, block, applicant


Attempt = Callable[[Principal, WatchGroup, Block, Member], Any]

ATTEMPTS: dict[str, Attempt] = {
    "get_group": lambda who, g, b, m: groups.get_group(who, g.id),
    "status_history": lambda who, g, b, m: groups.status_history(who, g.id),
    "list_blocks": lambda who, g, b, m: groups.list_blocks(who, g.id),
    "export_group": lambda who, g, b, m: geography.export_group(who, g.id),
    "block_roster": lambda who, g, b, m: members.block_roster(who, g.id, b.id, None, None),
    "approve": lambda who, g, b, m: members.approve(who, g.id, b.id, m.id),
    "remove": lambda who, g, b, m: members.remove(who, g.id, b.id, m.id),
    "assign_captain": lambda who, g, b, m: captains.assign_captain(who, g.id, b.id, "captain-southvale"),
    "log_activity": lambda who, g, b, m: captains.log_activity(
        who, {"group_id": g.id, "block_id": b.id, "kind": "patrol", "hours": 1, "occurred_on": "2026-01-10"}
    ),
    "change_status": lambda who, g, b, m: groups.change_status(
        who, {"group_id": g.id, "status": "registered", "reason": "Takeover"}
    ),
    "add_block": lambda who, g, b, m: groups.add_block(
        who, {"group_id": g.id, "name": "Annex", "area": b.area}
    ),
    "record_first_meeting": lambda who, g, b, m: groups.record_first_meeting(who, g.id),
    "answer_survey": lambda who, g, b, m: groups.answer_survey(who, g.id, True, True),
    "enrol": lambda who, g, b, m: members.enrol(who, enrolment(g, b, "Intruder", 1)),
    "add_member": lambda who, g, b, m: members.add_member(who, enrolment(g, b, "Intruder", 1)),
    "import_roster": lambda who, g, b, m: import_households(g, b, 1, who=who),
    "captain_performance": lambda who, g, b, m: captains.captain_performance(who, g.id),
    "group_activity": lambda who, g, b, m: captains.group_activity(who, g.id, None, None),
    "link_mentor": lambda who, g, b, m: captains.link_mentor(who, g.id, CAPTAIN_SUB, "captain-southvale"),
    "leave": lambda who, g, b, m: members.leave(who, g.id),
}


@pytest.mark.parametrize("attempt", list(ATTEMPTS), ids=list(ATTEMPTS))
def test_another_organisation_cannot_read_or_change_our_watch_data(
    aws: ArgusAws, ours: tuple[WatchGroup, Block, Member], attempt: str
) -> None:
    group, block, applicant = ours
    before = snapshot(aws)
    # When callers of another organisation (staff, and people with our captain's and applicant's subs)
    # read or change our group, block, roster or member
    for who in (THEIR_OFFICER, THEIR_ADMIN, THEIR_CAPTAIN, THEIR_RESIDENT):
        with pytest.raises(ArgusError) as refused:
            ATTEMPTS[attempt](who, group, block, applicant)
        # Then it does not exist for them (or they may not)
        assert isinstance(refused.value, (NotFound, Forbidden)), (who, refused.value)
    # And nothing was written
    assert snapshot(aws) == before


def test_another_organisation_sees_none_of_our_groups_or_captaincies(
    aws: ArgusAws, ours: tuple[WatchGroup, Block, Member]
) -> None:
    group, block, _ = ours
    assert groups.list_groups(THEIR_OFFICER, None, None).items == []
    hub = captains.captain_hub(THEIR_CAPTAIN, None, None)
    assert (hub.assignments, list(hub.roster.items), hub.open_tasks) == ([], [], [])
    assert members.my_memberships(THEIR_RESIDENT) == []
    # while our own staff see it
    assert [g.id for g in groups.list_groups(officer(), None, None).items] == [group.id]
    assert [a.block_id for a in captains.captain_hub(captain(), None, None).assignments] == [block.id]
