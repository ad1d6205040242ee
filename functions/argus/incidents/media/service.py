"""Incident media use cases: presigned upload into quarantine, confirmation and presigned download of
sanitised media. The sanitiser itself (the consumer of media-uploaded) is in ``sanitiser.py``, so the
GraphQL function never loads the image libraries."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from argus.incidents.media import events, objects
from argus.incidents.media import store as media_store
from argus.incidents.media.model import Media, MediaStatus, UploadTicket
from argus.incidents.media.policy import (
    ALLOWED,
    DOWNLOAD_EXPIRY,
    UPLOAD_EXPIRY,
    media_bucket,
    media_key,
    quarantine_bucket,
    quarantine_key,
)
from argus.incidents.service.access import require_contributor, require_reader
from argus.incidents.store import incidents as incident_store
from argus.platform import clock
from argus.platform.auth.principal import Principal
from argus.platform.aws import aws_client, is_missing_object
from argus.platform.errors import BadUserInput
from argus.platform.ids import new_id
from argus.platform.outbox import UnitOfWork


def _s3() -> Any:
    return aws_client("s3")


def _readable_media(principal: Principal, incident_id: str) -> None:
    """The incident exists in the caller's organisation (else NOT_FOUND) and the caller is its
    reporter or staff (else FORBIDDEN)."""
    require_reader(principal, incident_store.require_incident(principal.org_id, incident_id))


def _writable_media(principal: Principal, incident_id: str) -> None:
    """The incident exists in the caller's organisation (else NOT_FOUND) and the caller may add to it:
    its reporter, or staff who change incidents; never an analyst (else FORBIDDEN)."""
    require_contributor(principal, incident_store.require_incident(principal.org_id, incident_id))


def request_upload(
    principal: Principal, incident_id: str, content_type: str, size_bytes: int
) -> UploadTicket:
    """A presigned POST for one file of ``content_type`` and at most its type's limit, into the
    quarantine prefix, valid for UPLOAD_EXPIRY; the pending media item and its event are written
    together. Nothing is written when anything is refused."""
    media_type = ALLOWED.get(content_type)
    if media_type is None:
        raise BadUserInput(
            f"Only {', '.join(sorted(ALLOWED))} may be uploaded.",
            details={"field": "contentType", "reason": "unsupported_type"},
        )
    if isinstance(size_bytes, bool) or not isinstance(size_bytes, int) or size_bytes < 1:
        raise BadUserInput(
            "The size must be a positive number of bytes.",
            details={"field": "sizeBytes", "reason": "invalid"},
        )
    if size_bytes > media_type.max_bytes:
        raise BadUserInput(
            f"A {content_type} file may be at most {media_type.max_bytes // (1024 * 1024)} MB.",
            details={"field": "sizeBytes", "reason": "too_large", "maxBytes": media_type.max_bytes},
        )
    _writable_media(principal, incident_id)
    media_id = new_id()
    event = events.media_event(
        events.MEDIA_UPLOAD_REQUESTED,
        org_id=principal.org_id,
        incident_id=incident_id,
        media_id=media_id,
        actor=principal.sub,
        contentType=content_type,
        sizeBytes=size_bytes,
    )
    moment = clock.now()
    media = Media(
        id=media_id,
        org_id=principal.org_id,
        incident_id=incident_id,
        content_type=content_type,
        size_bytes=size_bytes,
        status=MediaStatus.PENDING,
        uploaded_by=principal.sub,
        created_at=moment,
        updated_at=moment,
    )
    post = _s3().generate_presigned_post(
        Bucket=quarantine_bucket(),
        Key=quarantine_key(principal.org_id, incident_id, media_id),
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, media_type.max_bytes]],
        ExpiresIn=int(UPLOAD_EXPIRY.total_seconds()),
    )
    uow = UnitOfWork()
    media_store.add_pending(uow, media)
    uow.emit(event)
    uow.commit()
    return UploadTicket(
        media=media,
        url=post["url"],
        fields={str(k): str(v) for k, v in post["fields"].items()},
        expires_at=moment + UPLOAD_EXPIRY,
    )


def confirm_upload(principal: Principal, incident_id: str, media_id: str) -> Media:
    """The client says the POST succeeded: the quarantined object must exist with the declared
    size and content type (else it is deleted, every version of it, and BadUserInput says why); then
    media-uploaded starts the sanitiser. Confirming again is harmless."""
    _writable_media(principal, incident_id)
    media = media_store.require_media(principal.org_id, incident_id, media_id)
    if media.status != MediaStatus.PENDING:
        return media
    bucket, key = quarantine_bucket(), quarantine_key(media.org_id, media.incident_id, media.id)
    try:
        head = _s3().head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if is_missing_object(exc):
            raise BadUserInput(
                "Nothing has been uploaded for this media yet.",
                details={"field": "mediaId", "reason": "not_uploaded"},
            ) from None
        raise
    problem = None
    if int(head["ContentLength"]) != media.size_bytes:
        problem = "size_mismatch"
    elif head.get("ContentType") != media.content_type:
        problem = "type_mismatch"
    if problem:
        # Not what was declared: discard it; the client may upload again while the URL is valid.
        objects.delete_every_version(bucket, key)
        raise BadUserInput(
            "The uploaded file does not match the declared size and content type; upload it again.",
            details={"field": "mediaId", "reason": problem},
        )
    event = events.media_event(
        events.MEDIA_UPLOADED,
        org_id=media.org_id,
        incident_id=media.incident_id,
        media_id=media.id,
        actor=principal.sub,
        contentType=media.content_type,
        sizeBytes=media.size_bytes,
    )
    uow = UnitOfWork()
    confirmed = media_store.change_status(uow, media, MediaStatus.UPLOADED)
    uow.emit(event)
    uow.commit()
    return confirmed


def download_url(principal: Principal, incident_id: str, media_id: str) -> str:
    """A presigned GET of the sanitised file, valid for DOWNLOAD_EXPIRY, for the incident's reporter
    and staff; media that is not ready has no URL (quarantined files never do)."""
    _readable_media(principal, incident_id)
    media = media_store.require_media(principal.org_id, incident_id, media_id)
    if media.status != MediaStatus.READY:
        raise BadUserInput(
            "This media is not ready to download.",
            details={"field": "mediaId", "reason": f"media_{media.status.value}"},
        )
    url: str = _s3().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": media_bucket(),
            "Key": media_key(media.org_id, media.incident_id, media.id),
            "ResponseContentType": media.content_type,
        },
        ExpiresIn=int(DOWNLOAD_EXPIRY.total_seconds()),
    )
    return url


def get_media(principal: Principal, incident_id: str, media_id: str) -> Media:
    _readable_media(principal, incident_id)
    return media_store.require_media(principal.org_id, incident_id, media_id)
