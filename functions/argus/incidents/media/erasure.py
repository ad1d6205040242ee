"""The erasure of a person reaches the photos and videos they uploaded (the consumer
``incident-media-erasure``). Media of an incident referred to the police (it has a records management
reference) is evidence in a police case, kept under the force's law-enforcement basis: it stays, and
names its uploader by the erasure's pseudonym. Everything else they uploaded goes: every version of the
upload in quarantine and of the sanitised file, then the item."""

from __future__ import annotations

from argus.incidents.media import objects
from argus.incidents.media import store as media_store
from argus.incidents.media.model import Media
from argus.incidents.media.policy import media_bucket, media_key, quarantine_bucket, quarantine_key
from argus.incidents.store import incidents as incident_store
from argus.organisations.events import PERSON_ERASURE_REQUESTED, is_pseudonym
from argus.platform.cloudevents import CloudEvent
from argus.platform.observability import logger
from argus.platform.outbox import UnitOfWork


def is_evidence(media: Media) -> bool:
    """Media of an incident referred to the police (status referred, or closed after a referral)."""
    incident = incident_store.get_incident(media.org_id, media.incident_id)
    return incident is not None and incident.rms_reference is not None


def delete_objects(media: Media) -> None:
    """Every version of the media's upload and of its sanitised file (repeatable)."""
    ids = (media.org_id, media.incident_id, media.id)
    objects.delete_every_version(quarantine_bucket(), quarantine_key(*ids))
    objects.delete_every_version(media_bucket(), media_key(*ids))


def erase_uploads(event: CloudEvent, uow: UnitOfWork) -> None:
    """Consumer of person-erasure-requested: delete (or, for evidence, pseudonymise) every media item
    the person uploaded. Each media item changes in a transaction of its own after its objects are
    deleted, so an interrupted run leaves nothing that cannot be found again, and running again
    finishes the rest (an erased item is no longer listed under the person)."""
    if event.get_type() != PERSON_ERASURE_REQUESTED:
        return
    data = event.get_data()
    assert isinstance(data, dict)
    org_id, person, pseudonym = event.get_extension("orgid"), data["person"], data["pseudonym"]
    assert is_pseudonym(pseudonym)
    deleted = kept = 0
    for media in media_store.uploads_of(org_id, person):
        step = UnitOfWork()
        if is_evidence(media):
            media_store.replace_uploader(step, media, pseudonym)
            kept += 1
        else:
            delete_objects(media)
            media_store.delete_media(step, media)
            deleted += 1
        step.commit()
    logger.info("uploads erased", extra={"deleted": deleted, "kept_as_evidence": kept})
