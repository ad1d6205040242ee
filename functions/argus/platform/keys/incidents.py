"""Key builders of the incidents domain.

An incident's partition holds the incident and its timeline (one item per event, sorted by time and
event id), so the incident and a page of its timeline are one query each. Incidents are listed for
maps by the month they occurred in (GSI1), and imports reserve one item per source record."""

from __future__ import annotations

from argus.platform.tenancy import tenant_prefix

INCIDENT_SK = "INCIDENT"
TIMELINE_PREFIX = "TL#"


def incident_pk(org_id: str, incident_id: str) -> str:
    return tenant_prefix(org_id) + f"INCIDENT#{incident_id}"


def timeline_sk(time_iso: str, event_id: str) -> str:
    """A timeline entry: the ISO time of its event, then the event id (UUIDv7) to break ties."""
    return f"{TIMELINE_PREFIX}{time_iso}#{event_id}"


def incidents_by_month_pk(org_id: str, month: str) -> str:
    """GSI1 partition: the incidents that occurred (began) in ``month`` (``YYYY-MM``)."""
    return tenant_prefix(org_id) + f"INCIDENTS#{month}"


def incidents_by_month_sk(occurred_from_iso: str, incident_id: str) -> str:
    return f"{occurred_from_iso}#{incident_id}"


def import_key_pk(org_id: str, source: str, source_key: str) -> str:
    """The idempotency item of one imported source record (conditional put)."""
    return tenant_prefix(org_id) + f"IMPORTKEY#{source}#{source_key}"


IMPORT_KEY_SK = "KEY"


MEDIA_PREFIX = "MEDIA#"


def media_sk(media_id: str) -> str:
    """An incident's media item, in the incident's partition."""
    return f"{MEDIA_PREFIX}{media_id}"


def uploads_pk(org_id: str, sub: str) -> str:
    """GSI1 partition: the media one person uploaded (what their erasure reaches)."""
    return tenant_prefix(org_id) + f"UPLOADS#{sub}"


def uploads_sk(created_iso: str, media_id: str) -> str:
    return f"{created_iso}#{media_id}"
