"""Who may do what with watch groups: roles and relations (captain of a block, member of a group)."""

from __future__ import annotations

from argus.platform.auth.principal import Principal, Role
from argus.platform.errors import Forbidden
from argus.watch.model import Block
from argus.watch.store import people

# Officers and coordinators (supervisors, admins) manage every group of their organisation.
MANAGERS = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)
# Staff see every group of their organisation, with counts and rosters.
STAFF = (*MANAGERS, Role.ANALYST)


def is_staff(principal: Principal) -> bool:
    return principal.has_any_role(*STAFF)


def require_manager(principal: Principal) -> None:
    if not principal.has_any_role(*MANAGERS):
        raise Forbidden("Only officers and coordinators may do this.")


def captains_block(principal: Principal, block: Block) -> bool:
    return principal.has_any_role(Role.CAPTAIN) and block.captain_sub == principal.sub


def require_block_manager(principal: Principal, block: Block) -> None:
    """The block's own captain, or an officer/coordinator."""
    if not (captains_block(principal, block) or principal.has_any_role(*MANAGERS)):
        raise Forbidden("Only this block's captain or an officer may do this.")


def is_member(principal: Principal, group_id: str) -> bool:
    return people.membership_of(principal.org_id, principal.sub, group_id) is not None


def can_see_group_details(principal: Principal, group_id: str, captain_group_ids: set[str]) -> bool:
    """Staff, captains of the group and its members see more than the public information."""
    return is_staff(principal) or group_id in captain_group_ids or is_member(principal, group_id)
