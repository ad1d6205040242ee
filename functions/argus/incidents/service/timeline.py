"""An incident's timeline: every change, in order, one DynamoDB Query per page."""

from __future__ import annotations

from argus.incidents.model import TimelineEntry
from argus.incidents.service.access import require_reader
from argus.incidents.store import incidents as store
from argus.platform.auth.principal import Principal
from argus.platform.cloudevents import CloudEvent
from argus.platform.errors import BadUserInput
from argus.platform.pagination import DEFAULT_PAGE_SIZE, Page

# Timeline entries are small (< 1 KB), so 200 of them fit one Query response (1 MB) with room to spare.
MAX_TIMELINE_PAGE = 200


def timeline_page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 1 or first > MAX_TIMELINE_PAGE:
        raise BadUserInput(f"`first` must be between 1 and {MAX_TIMELINE_PAGE}.", details={"field": "first"})
    return first


def timeline(
    principal: Principal, incident_id: str, first: int | None, after: str | None
) -> Page[TimelineEntry]:
    """The incident's timeline, oldest first, for its reporter and staff."""
    size = timeline_page_size(first)
    require_reader(principal, store.require_incident(principal.org_id, incident_id))
    return store.timeline_page(principal.org_id, incident_id, size, after)


def entry_of_event(event: CloudEvent) -> TimelineEntry | None:
    """The timeline entry an incident event recorded (the entry's key is the event's time and id)."""
    moment = event.get_time()
    subject = event.get_subject()
    if moment is None or subject is None:
        return None
    return store.get_entry(event.get_extension("orgid"), subject, moment, event.get_id())
