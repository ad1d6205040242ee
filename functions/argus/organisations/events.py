"""CloudEvents of the organisations domain (schemas and samples in events/)."""

from __future__ import annotations

from argus.organisations.model import Organisation
from argus.platform.cloudevents import CloudEvent, camel_keys, make_event

ORGANISATION_CREATED = "org.argus.organisation.created.v2"
ORGANISATION_UPDATED = "org.argus.organisation.updated.v2"
# An admin set or cleared the jurisdiction; the event carries its area and box, never the polygon.
JURISDICTION_CHANGED = "org.argus.organisation.jurisdiction-changed.v1"
# A person's data is to be erased: each domain's consumer erases or pseudonymises what it holds.
PERSON_ERASURE_REQUESTED = "org.argus.organisation.person-erasure-requested.v1"
# Kept records name an erased person by this prefix and the erasure's id: it says that someone was
# erased, never who.
PSEUDONYM_PREFIX = "erased-"


def is_pseudonym(value: str) -> bool:
    return value.startswith(PSEUDONYM_PREFIX)


def _data(org: Organisation) -> dict[str, object]:
    """The organisation as event data: every field named as the GraphQL API names it (camelCase; version
    1 of these events was snake_case), without the retired ``generalise_locations`` (always true)."""
    data: dict[str, object] = org.model_dump(mode="json", exclude={"privacy": {"generalise_locations"}})
    return camel_keys(data)


def organisation_created(org: Organisation, actor: str) -> CloudEvent:
    return make_event(
        ORGANISATION_CREATED,
        org_id=org.id,
        collection="organisations",
        subject=org.id,
        data={"organisation": _data(org), "actor": actor},
    )


def organisation_updated(org: Organisation, changed: list[str], actor: str) -> CloudEvent:
    return make_event(
        ORGANISATION_UPDATED,
        org_id=org.id,
        collection="organisations",
        subject=org.id,
        data={"organisation": _data(org), "changed": changed, "actor": actor},
    )


def person_erasure_requested(org_id: str, *, person: str, pseudonym: str, actor: str) -> CloudEvent:
    """The erasure of ``person`` (a subject id, never a name or contact), whose references are replaced
    by ``pseudonym`` where a record is kept; the subject of the event is the pseudonym."""
    return make_event(
        PERSON_ERASURE_REQUESTED,
        org_id=org_id,
        collection="people",
        subject=pseudonym,
        data={"person": person, "pseudonym": pseudonym, "actor": actor},
    )


def jurisdiction_changed(
    org_id: str,
    area_km2: float | None,
    bbox: tuple[float, float, float, float] | None,
    *,
    actor: str,
) -> CloudEvent:
    """The jurisdiction now covers ``area_km2`` within ``bbox`` (west, south, east, north), or, with
    both None, was cleared."""
    return make_event(
        JURISDICTION_CHANGED,
        org_id=org_id,
        collection="organisations",
        subject=org_id,
        data={"areaKm2": area_km2, "bbox": list(bbox) if bbox else None, "actor": actor},
    )
