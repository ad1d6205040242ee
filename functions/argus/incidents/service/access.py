"""Who may do what with incidents (the rules are written out in docs/access.md)."""

from __future__ import annotations

from argus.incidents.model import Incident
from argus.incidents.store import incidents as store
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


def can_contribute(principal: Principal, incident: Incident) -> bool:
    """May add to the incident (photos, video): officers and coordinators on any incident; its
    reporter while they may report. Analysts read every incident and add to none."""
    if principal.has_any_role(*MANAGERS):
        return True
    return incident.reported_by == principal.sub and principal.has_any_role(*REPORTERS)


def require_contributor(principal: Principal, incident: Incident) -> None:
    if not can_contribute(principal, incident):
        raise Forbidden("Only the reporter of an incident and officers may add to it.")


def may_follow_incident(principal: Principal, incident_id: str) -> bool:
    """May ``principal`` receive the incident's timeline live? The relation check of the
    ``incidentTimeline`` subscription, asked when it starts and again before each event: its reporter
    and staff (False for an incident that does not exist in the caller's organisation)."""
    incident = store.get_incident(principal.org_id, incident_id)
    return incident is not None and can_read(principal, incident)


def require_follower(principal: Principal, incident_id: str) -> None:
    """Before a subscription starts: NotFound for an incident not in the caller's organisation,
    Forbidden unless ``may_follow_incident``."""
    store.require_incident(principal.org_id, incident_id)
    if not may_follow_incident(principal, incident_id):
        raise Forbidden("Only the reporter of an incident and staff may follow it.")
