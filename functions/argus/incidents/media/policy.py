"""What may be uploaded, where it lives, and for how long the presigned URLs are valid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from argus.platform.settings import get_settings

UPLOAD_EXPIRY = timedelta(minutes=10)
DOWNLOAD_EXPIRY = timedelta(minutes=5)
# A pending upload that is never confirmed disappears from the table (TTL) after this long; the
# quarantine bucket's lifecycle rule expires every upload after the same time (argus.buckets).
PENDING_RETENTION = timedelta(days=1)
# Decoding more pixels than this is refused (decompression bombs); 50 MP covers phone cameras.
MAX_PIXELS = 50_000_000

QUARANTINE_PREFIX = "quarantine/"
MEDIA_PREFIX = "media/"

MB = 1024 * 1024


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"


@dataclass(frozen=True)
class MediaType:
    content_type: str
    kind: MediaKind
    max_bytes: int
    extension: str


ALLOWED: dict[str, MediaType] = {
    t.content_type: t
    for t in (
        MediaType("image/jpeg", MediaKind.IMAGE, 15 * MB, "jpg"),
        MediaType("image/png", MediaKind.IMAGE, 15 * MB, "png"),
        MediaType("image/heic", MediaKind.IMAGE, 15 * MB, "heic"),
        MediaType("video/mp4", MediaKind.VIDEO, 200 * MB, "mp4"),
    )
}


def media_bucket() -> str:
    """The bucket of sanitised files: the ``media_bucket`` setting (``ARGUS_MEDIA_BUCKET``)."""
    return get_settings().media_bucket


def quarantine_bucket() -> str:
    """The bucket uploads land in: the ``quarantine_bucket`` setting (``ARGUS_QUARANTINE_BUCKET``).
    Unversioned, outside backups, every object expires after PENDING_RETENTION (argus.buckets)."""
    return get_settings().quarantine_bucket


def quarantine_key(org_id: str, incident_id: str, media_id: str) -> str:
    """Where an upload lands (in the quarantine bucket) before it is sanitised; nothing ever gets a
    download URL for it."""
    return f"{QUARANTINE_PREFIX}{org_id}/{incident_id}/{media_id}"


def media_key(org_id: str, incident_id: str, media_id: str) -> str:
    """Where the sanitised file lives."""
    return f"{MEDIA_PREFIX}{org_id}/{incident_id}/{media_id}"
