"""pynamodb items of the incidents domain (one discriminator value each)."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from argus.platform.models import ArgusItem


class IncidentItem(ArgusItem, discriminator="incident"):
    incident_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    category = UnicodeAttribute()
    status = UnicodeAttribute()
    occurred_from = UTCDateTimeAttribute()
    occurred_to = UTCDateTimeAttribute()
    lon = NumberAttribute()
    lat = NumberAttribute()
    group_id = UnicodeAttribute(null=True)
    block_id = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    suspect = UnicodeAttribute(null=True)
    vehicle = UnicodeAttribute(null=True)
    source = UnicodeAttribute()
    source_key = UnicodeAttribute(null=True)
    reported_by = UnicodeAttribute()
    reported_at = UTCDateTimeAttribute()
    rms_reference = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute()
    version = NumberAttribute()


class TimelineItem(ArgusItem, discriminator="incident-timeline"):
    event_id = UnicodeAttribute()
    incident_id = UnicodeAttribute()
    entry_kind = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    by = UnicodeAttribute()
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    rms_reference = UnicodeAttribute(null=True)


class ImportKeyItem(ArgusItem, discriminator="incident-import-key"):
    """One imported source record: its conditional put makes a re-import a no-op."""

    source = UnicodeAttribute()
    source_key = UnicodeAttribute()
    incident_id = UnicodeAttribute()
    imported_at = UTCDateTimeAttribute()
