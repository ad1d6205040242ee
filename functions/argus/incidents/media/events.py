"""CloudEvents of incident media (schemas and samples in events/). They carry ids, the declared
content type and size, and the outcome: never file names, pixels, or metadata of the file."""

from __future__ import annotations

from typing import Any

from argus.incidents.events import (
    MEDIA_READY,
    MEDIA_REJECTED,
    MEDIA_TYPES,
    MEDIA_UPLOAD_REQUESTED,
    MEDIA_UPLOADED,
    incident_event,
)
from argus.platform.cloudevents import CloudEvent

ALL_TYPES = MEDIA_TYPES
__all__ = [
    "ALL_TYPES",
    "MEDIA_READY",
    "MEDIA_REJECTED",
    "MEDIA_UPLOADED",
    "MEDIA_UPLOAD_REQUESTED",
    "media_event",
]


def media_event(
    event_type: str, *, org_id: str, incident_id: str, media_id: str, actor: str, **data: Any
) -> CloudEvent:
    return incident_event(
        event_type, org_id=org_id, incident_id=incident_id, actor=actor, mediaId=media_id, **data
    )
