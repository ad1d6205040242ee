"""Media items in the incident's partition (SK ``MEDIA#<mediaId>``), listed by uploader on GSI1
(``ORG#<org>#UPLOADS#<sub>``) so that the uploader's erasure finds them with one query."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from argus.incidents.media.model import Media, MediaStatus
from argus.incidents.media.policy import PENDING_RETENTION
from argus.platform import clock
from argus.platform.errors import Conflict, NotFound
from argus.platform.keys import incidents as keys
from argus.platform.models import ArgusItem
from argus.platform.outbox import UnitOfWork


class MediaItem(ArgusItem, discriminator="incident-media"):
    media_id = UnicodeAttribute()
    incident_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size_bytes = NumberAttribute()
    status = UnicodeAttribute()
    uploaded_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    reject_reason = UnicodeAttribute(null=True)
    stored_bytes = NumberAttribute(null=True)


def media_from_item(item: MediaItem) -> Media:
    return Media(
        id=item.media_id,
        org_id=item.org_id,
        incident_id=item.incident_id,
        content_type=item.content_type,
        size_bytes=int(item.size_bytes),
        status=MediaStatus(item.status),
        uploaded_by=item.uploaded_by,
        created_at=item.created_at,
        updated_at=item.updated_at,
        reject_reason=item.reject_reason,
        stored_bytes=int(item.stored_bytes) if item.stored_bytes is not None else None,
    )


def _key(media: Media) -> tuple[str, str]:
    return keys.incident_pk(media.org_id, media.incident_id), keys.media_sk(media.id)


def add_pending(uow: UnitOfWork, media: Media) -> None:
    """A pending upload; it expires (TTL) unless confirmed."""
    pk, sk = _key(media)
    uow.put(
        MediaItem(
            PK=pk,
            SK=sk,
            GSI1PK=keys.uploads_pk(media.org_id, media.uploaded_by),
            GSI1SK=keys.uploads_sk(clock.iso(media.created_at), media.id),
            media_id=media.id,
            incident_id=media.incident_id,
            org_id=media.org_id,
            content_type=media.content_type,
            size_bytes=media.size_bytes,
            status=media.status.value,
            uploaded_by=media.uploaded_by,
            created_at=media.created_at,
            updated_at=media.updated_at,
            expires_at=media.created_at + PENDING_RETENTION,
        ),
        condition=MediaItem.PK.does_not_exist(),
        on_condition_failed=Conflict("The media item already exists."),
    )


def get_media(org_id: str, incident_id: str, media_id: str) -> Media | None:
    try:
        item = MediaItem.get(
            keys.incident_pk(org_id, incident_id), keys.media_sk(media_id), consistent_read=True
        )
    except MediaItem.DoesNotExist:
        return None
    return media_from_item(item)


def require_media(org_id: str, incident_id: str, media_id: str) -> Media:
    media = get_media(org_id, incident_id, media_id)
    if media is None:
        raise NotFound("No such media for this incident.")
    return media


def change_status(
    uow: UnitOfWork,
    media: Media,
    to: MediaStatus,
    *,
    reject_reason: str | None = None,
    stored_bytes: int | None = None,
) -> Media:
    """Move ``media`` from its current status to ``to`` (conditional on the current status);
    a confirmed item no longer expires."""
    pk, sk = _key(media)
    item = MediaItem(PK=pk, SK=sk)
    changed = media.model_copy(
        update={
            "status": to,
            "updated_at": clock.now(),
            "reject_reason": reject_reason,
            "stored_bytes": stored_bytes,
        }
    )
    actions = [
        MediaItem.status.set(to.value),
        MediaItem.updated_at.set(changed.updated_at),
        MediaItem.expires_at.remove(),
    ]
    if reject_reason is not None:
        actions.append(MediaItem.reject_reason.set(reject_reason))
    if stored_bytes is not None:
        actions.append(MediaItem.stored_bytes.set(stored_bytes))
    uow.update(
        item,
        actions,
        condition=MediaItem.status == media.status.value,
        on_condition_failed=Conflict("The media item changed meanwhile; try again."),
    )
    return changed


def uploads_of(org_id: str, sub: str) -> list[Media]:
    """Every media item ``sub`` uploaded (GSI1, so eventually consistent: an upload started a moment
    ago may be missing; erasing again reaches it)."""
    return [
        media_from_item(item)
        for item in ArgusItem.gsi1.query(keys.uploads_pk(org_id, sub))
        if isinstance(item, MediaItem)
    ]


def delete_media(uow: UnitOfWork, media: Media) -> None:
    """Delete the item (its objects must be deleted first: the item is how they are found)."""
    pk, sk = _key(media)
    uow.delete(MediaItem(PK=pk, SK=sk))


def replace_uploader(uow: UnitOfWork, media: Media, pseudonym: str) -> None:
    """Kept media: name the uploader by ``pseudonym`` and take the item off their uploads list."""
    pk, sk = _key(media)
    uow.update(
        MediaItem(PK=pk, SK=sk),
        [MediaItem.uploaded_by.set(pseudonym), MediaItem.GSI1PK.remove(), MediaItem.GSI1SK.remove()],
        condition=MediaItem.PK.exists(),
    )
