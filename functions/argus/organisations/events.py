"""CloudEvents of the organisations domain (schemas and samples in events/)."""

from __future__ import annotations

from argus.organisations.model import Organisation
from argus.platform.cloudevents import CloudEvent, make_event

ORGANISATION_CREATED = "org.argus.organisation.created.v1"
ORGANISATION_UPDATED = "org.argus.organisation.updated.v1"


def _data(org: Organisation) -> dict[str, object]:
    return org.model_dump(mode="json")


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
