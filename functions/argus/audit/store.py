"""DynamoDB access for audit records."""

from __future__ import annotations

import json

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from argus.audit.model import AuditRecord
from argus.platform import clock, keys
from argus.platform.models import ArgusItem
from argus.platform.outbox import UnitOfWork
from argus.platform.pagination import Page, decode_cursor, encode_cursor


class AuditItem(ArgusItem, discriminator="audit"):
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    subject = UnicodeAttribute(null=True)
    time = UTCDateTimeAttribute()
    actor = UnicodeAttribute(null=True)
    data = UnicodeAttribute()  # JSON


def add_record(uow: UnitOfWork, org_id: str, record: AuditRecord) -> None:
    uow.put(
        AuditItem(
            PK=keys.audit_pk(org_id),
            SK=keys.audit_sk(clock.iso(record.time), record.event_id),
            event_id=record.event_id,
            event_type=record.event_type,
            subject=record.subject,
            time=record.time,
            actor=record.actor,
            data=json.dumps(record.data, separators=(",", ":")),
        )
    )


def list_records(org_id: str, first: int, after: str | None) -> Page[AuditRecord]:
    """Newest first."""
    pk = keys.audit_pk(org_id)
    start = decode_cursor(after, partition_attr="PK", partition_value=pk)
    results = AuditItem.query(pk, limit=first, last_evaluated_key=start, scan_index_forward=False)
    items = [
        AuditRecord(
            event_id=i.event_id,
            event_type=i.event_type,
            subject=i.subject,
            time=i.time,
            actor=i.actor,
            data=json.loads(i.data),
        )
        for i in results
    ]
    cursor = encode_cursor(results.last_evaluated_key)
    return Page(items, cursor, cursor is not None)
