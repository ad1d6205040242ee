"""The media sanitiser, the consumer of media-uploaded: strips the quarantined file's metadata, stores
the clean file in the media bucket and marks the media ready, or rejected when it is not what it claims.
Either way the upload is deleted from quarantine, every version of it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from argus.incidents.media import events, objects
from argus.incidents.media import store as media_store
from argus.incidents.media.model import Media, MediaStatus
from argus.incidents.media.policy import (
    ALLOWED,
    MediaKind,
    media_bucket,
    media_key,
    quarantine_bucket,
    quarantine_key,
)
from argus.incidents.media.sanitise import UnsupportedMedia, sanitise_image, sanitise_mp4
from argus.platform.aws import aws_client, is_missing_object
from argus.platform.cloudevents import CloudEvent
from argus.platform.observability import logger
from argus.platform.outbox import UnitOfWork

# Who the sanitiser acts as in its events.
SANITISER = "system:media-sanitiser"


def _s3() -> Any:
    return aws_client("s3")


def _finish(uow: UnitOfWork, media: Media, to: MediaStatus, **data: Any) -> None:
    event_type = events.MEDIA_READY if to == MediaStatus.READY else events.MEDIA_REJECTED
    media_store.change_status(
        uow, media, to, reject_reason=data.get("reason"), stored_bytes=data.get("storedBytes")
    )
    uow.emit(
        events.media_event(
            event_type,
            org_id=media.org_id,
            incident_id=media.incident_id,
            media_id=media.id,
            actor=SANITISER,
            contentType=media.content_type,
            **data,
        )
    )


def sanitise_uploaded(event: CloudEvent, uow: UnitOfWork) -> None:
    """Consumer of media-uploaded: strip the quarantined file's metadata, store it in the media bucket,
    delete the quarantined upload (every version) and mark the media ready (or rejected when it is not
    what it claims). Safe to run again: S3 steps are repeatable and the status change is conditional."""
    if event.get_type() != events.MEDIA_UPLOADED:
        return
    data = event.get_data()
    assert isinstance(data, dict)
    org_id = event.get_extension("orgid")
    incident_id, media_id = data["incidentId"], data["mediaId"]
    source = quarantine_key(org_id, incident_id, media_id)
    target = media_key(org_id, incident_id, media_id)
    media = media_store.get_media(org_id, incident_id, media_id)
    if media is None:
        # Erased while an earlier attempt ran: whatever that attempt stored must not outlive the item.
        objects.delete_every_version(quarantine_bucket(), source)
        objects.delete_every_version(media_bucket(), target)
        logger.info("media no longer exists; its objects are removed")
        return
    if media.status != MediaStatus.UPLOADED:
        logger.info("media not awaiting sanitising", extra={"status": media.status})
        return
    s3 = _s3()
    with tempfile.TemporaryDirectory(prefix="argus-media-") as tmp:
        path = Path(tmp) / "upload"
        try:
            s3.download_file(quarantine_bucket(), source, str(path))
        except ClientError as exc:
            if not is_missing_object(exc):
                raise
            # An earlier attempt stored the result and removed the upload, then failed to commit.
            size = objects.size_of(media_bucket(), target)
            if size is not None:
                _finish(uow, media, MediaStatus.READY, storedBytes=size)
            else:
                _finish(uow, media, MediaStatus.REJECTED, reason="missing")
            return
        try:
            if ALLOWED[media.content_type].kind == MediaKind.VIDEO:
                sanitise_mp4(path)
            else:
                path.write_bytes(sanitise_image(path.read_bytes(), media.content_type))
        except UnsupportedMedia as exc:
            logger.info("media rejected", extra={"reason": exc.reason, "media_id": media.id})
            objects.delete_every_version(quarantine_bucket(), source)
            _finish(uow, media, MediaStatus.REJECTED, reason=exc.reason)
            return
        size = path.stat().st_size
        s3.upload_file(
            str(path),
            media_bucket(),
            target,
            ExtraArgs={"ContentType": media.content_type},
        )
    objects.delete_every_version(quarantine_bucket(), source)
    _finish(uow, media, MediaStatus.READY, storedBytes=size)
