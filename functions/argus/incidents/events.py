"""CloudEvents of the incidents domain (schemas and samples in events/). Events carry ids, the
category, statuses and a generalised place (the H3 cell of resolution 8 and the watch group/block):
never descriptions, suspect or vehicle details, reasons, exact coordinates or references."""

from __future__ import annotations

from typing import Any

from argus.platform.cloudevents import CloudEvent, make_event

INCIDENT_REPORTED = "org.argus.incident.reported.v1"
INCIDENT_IMPORTED = "org.argus.incident.imported.v1"
INCIDENT_TRIAGED = "org.argus.incident.triaged.v1"
INCIDENT_REFERRED = "org.argus.incident.referred.v1"
INCIDENT_CLOSED = "org.argus.incident.closed.v1"
INCIDENT_NOTE_ADDED = "org.argus.incident.note-added.v1"

# Incident media: emitted by argus.incidents.media (not delivered live, not on the timeline).
MEDIA_UPLOAD_REQUESTED = "org.argus.incident.media-upload-requested.v1"
MEDIA_UPLOADED = "org.argus.incident.media-uploaded.v1"
MEDIA_READY = "org.argus.incident.media-ready.v1"
MEDIA_REJECTED = "org.argus.incident.media-rejected.v1"
MEDIA_TYPES = (MEDIA_UPLOAD_REQUESTED, MEDIA_UPLOADED, MEDIA_READY, MEDIA_REJECTED)

ALL_TYPES = (
    INCIDENT_REPORTED,
    INCIDENT_IMPORTED,
    INCIDENT_TRIAGED,
    INCIDENT_REFERRED,
    INCIDENT_CLOSED,
    INCIDENT_NOTE_ADDED,
)
# Each is one timeline entry, delivered live to the incident's timeline subscribers.
LIVE_TYPES = ALL_TYPES


def incident_event(event_type: str, *, org_id: str, incident_id: str, actor: str, **data: Any) -> CloudEvent:
    """An incident event about ``incident_id`` (its subject), with the acting subject and the data."""
    return make_event(
        event_type,
        org_id=org_id,
        collection="incidents",
        subject=incident_id,
        data={"incidentId": incident_id, "actor": actor, **data},
    )
