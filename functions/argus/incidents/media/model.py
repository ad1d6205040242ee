"""Domain types of incident media."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict

from argus.platform.validation import DomainModel


class MediaStatus(StrEnum):
    PENDING = "pending"  # upload URL issued, nothing confirmed
    UPLOADED = "uploaded"  # in quarantine, waiting for the sanitiser
    READY = "ready"  # sanitised, downloadable
    REJECTED = "rejected"  # not what it claimed to be; deleted


class Media(DomainModel):
    model_config = ConfigDict(frozen=True)

    id: str
    org_id: str
    incident_id: str
    content_type: str
    size_bytes: int  # as declared (and checked at confirmation)
    status: MediaStatus
    uploaded_by: str
    created_at: datetime
    updated_at: datetime
    reject_reason: str | None = None
    stored_bytes: int | None = None  # size of the sanitised file


class UploadTicket(DomainModel):
    """A presigned POST: the client posts ``fields`` plus the file (last) to ``url``."""

    model_config = ConfigDict(frozen=True)

    media: Media
    url: str
    fields: dict[str, str]
    expires_at: datetime
