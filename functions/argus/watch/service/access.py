"""Who may do what with watch groups: roles (from the token) and relations (from the table): the
block's captain, an approved member of the group. The rules are written out in docs/access.md.

Membership means approval: a pending enrolment is the applicant's own record (they see it in "my
memberships", may change their contact preferences or withdraw) but gives no member access."""

from __future__ import annotations

from dataclasses import dataclass

from argus.platform.auth.principal import Principal, Role
from argus.platform.errors import Forbidden
from argus.watch.model import Block
from argus.watch.store import captains as captain_store
from argus.watch.store import groups as group_store
from argus.watch.store import people

# Officers and coordinators (supervisors, admins) manage every group of their organisation.
MANAGERS = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)
# Staff see every group of their organisation, with counts and rosters (analysts change nothing).
STAFF = (*MANAGERS, Role.ANALYST)
# People who take part in a programme themselves (propose, answer surveys, enrol): everyone but
# analysts, who change nothing, and partner systems, which are not people.
PARTICIPANTS = (Role.RESIDENT, Role.MEMBER, Role.CAPTAIN, *MANAGERS)


def is_staff(principal: Principal) -> bool:
    return principal.has_any_role(*STAFF)


def require_manager(principal: Principal) -> None:
    if not principal.has_any_role(*MANAGERS):
        raise Forbidden("Only officers and coordinators may do this.")


def require_participant(principal: Principal) -> None:
    """Raises Forbidden for analysts and partner systems (and callers without a role)."""
    if not principal.has_any_role(*PARTICIPANTS):
        raise Forbidden("Only residents, members, captains and officers may do this.")


def captains_block(principal: Principal, block: Block) -> bool:
    return principal.has_any_role(Role.CAPTAIN) and block.captain_sub == principal.sub


def require_block_manager(principal: Principal, block: Block) -> None:
    """The block's own captain, or an officer/coordinator."""
    if not (captains_block(principal, block) or principal.has_any_role(*MANAGERS)):
        raise Forbidden("Only this block's captain or an officer may do this.")


@dataclass(frozen=True)
class GroupRelations:
    """What ties a caller to groups: staff of the organisation, approved member, captain of a block."""

    staff: bool
    member_of: frozenset[str]
    captain_of: frozenset[str]

    def sees_details(self, group_id: str) -> bool:
        """Staff, the group's captains and its approved members see more than its public information."""
        return self.staff or group_id in self.member_of or group_id in self.captain_of


def group_relations(principal: Principal) -> GroupRelations:
    """The caller's relations to every group (staff: none read; others: one query for memberships,
    and one for assignments when they hold the captain role)."""
    if is_staff(principal):
        return GroupRelations(True, frozenset(), frozenset())
    member_of = people.active_group_ids(principal.org_id, principal.sub)
    captain_of = (
        captain_store.captained_group_ids(principal.org_id, principal.sub)
        if principal.has_any_role(Role.CAPTAIN)
        else frozenset()
    )
    return GroupRelations(False, member_of, captain_of)


def may_see_group_details(principal: Principal, group_id: str) -> bool:
    """Staff, a captain of one of the group's blocks, or an approved member of the group."""
    return group_relations(principal).sees_details(group_id)


def require_group_details(principal: Principal, group_id: str) -> None:
    if not may_see_group_details(principal, group_id):
        raise Forbidden("Only the group's approved members, captains and staff may see this.")


def may_follow_group(principal: Principal, group_id: str) -> bool:
    """May ``principal`` receive the group's live activity? The relation check of the
    ``watchGroupActivity`` subscription, asked when it starts and again before each event (a member
    who leaves, is removed or whose captaincy ends stops receiving). It reads the table, never the
    group: a group of another organisation is simply not related."""
    return may_see_group_details(principal, group_id)


def require_follower(principal: Principal, group_id: str) -> None:
    """Before a subscription starts: NotFound for a group not in the caller's organisation, Forbidden
    unless ``may_follow_group``."""
    group_store.require_group(principal.org_id, group_id)
    if not may_follow_group(principal, group_id):
        raise Forbidden("Only the group's approved members, captains and staff may follow it.")
