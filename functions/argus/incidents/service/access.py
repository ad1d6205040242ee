"""Who may do what with incidents."""

from __future__ import annotations

from argus.incidents.model import Incident
from argus.platform.auth.principal import Principal, Role
from argus.platform.errors import Forbidden

# Members, captains and staff who change things report incidents (residents use the tip line).
REPORTERS = (Role.MEMBER, Role.CAPTAIN, Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)
# Officers and coordinators triage, refer, close, annotate and import.
MANAGERS = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)
# Staff read every incident of their organisation, exact (analysts change nothing).
STAFF = (*MANAGERS, Role.ANALYST)
# Reporters outside the staff must report inside a watch group of their organisation.
COVERAGE_REQUIRED = (Role.MEMBER, Role.CAPTAIN)


def is_staff(principal: Principal) -> bool:
    return principal.has_any_role(*STAFF)


def require_reporter(principal: Principal) -> None:
    if not principal.has_any_role(*REPORTERS):
        raise Forbidden("Only watch members, captains and officers may report incidents.")


def require_manager(principal: Principal) -> None:
    if not principal.has_any_role(*MANAGERS):
        raise Forbidden("Only officers and coordinators may do this.")


def can_read(principal: Principal, incident: Incident) -> bool:
    """Staff, and the person who reported it."""
    return is_staff(principal) or incident.reported_by == principal.sub


def require_reader(principal: Principal, incident: Incident) -> None:
    if not can_read(principal, incident):
        raise Forbidden("Only the reporter of an incident and staff may see it.")
