"""DynamoDB access for audit records, and the locators that say where a person appears in them.

A record lives in the organisation's audit partition (append-only for every role but the audit
consumer). Each person a record names (its actor, a captain assigned…) gets a locator in their own
partition (``ORG#<org>#PERSON#<sub>``), so that their erasure finds their records with one query and
never reads the whole trail; pseudonymising a record deletes its locator in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable

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


class AuditRefItem(ArgusItem, discriminator="audit-ref"):
    """A person appears in the audit record whose sort key is ``record_sk``."""

    record_sk = UnicodeAttribute()


def _record_sk(record: AuditRecord) -> str:
    return keys.audit_sk(clock.iso(record.time), record.event_id)


def _from_item(item: AuditItem) -> AuditRecord:
    return AuditRecord(
        event_id=item.event_id,
        event_type=item.event_type,
        subject=item.subject,
        time=item.time,
        actor=item.actor,
        data=json.loads(item.data),
    )


def _data(record: AuditRecord) -> str:
    return json.dumps(record.data, separators=(",", ":"))


def add_record(uow: UnitOfWork, org_id: str, record: AuditRecord, people: Iterable[str] = ()) -> None:
    """The record, and a locator for each person (subject id) in ``people``."""
    sk = _record_sk(record)
    uow.put(
        AuditItem(
            PK=keys.audit_pk(org_id),
            SK=sk,
            event_id=record.event_id,
            event_type=record.event_type,
            subject=record.subject,
            time=record.time,
            actor=record.actor,
            data=_data(record),
        )
    )
    for sub in sorted(set(people)):
        uow.put(
            AuditRefItem(
                PK=keys.person_refs_pk(org_id, sub),
                SK=keys.AUDIT_REF_PREFIX + sk,
                record_sk=sk,
            )
        )


def person_refs(org_id: str, sub: str, limit: int) -> list[str]:
    """Sort keys of up to ``limit`` records the person's locators point at, oldest first (strongly
    consistent: a locator deleted by a committed pseudonymisation is never returned again)."""
    refs = AuditRefItem.query(
        keys.person_refs_pk(org_id, sub),
        AuditRefItem.SK.startswith(keys.AUDIT_REF_PREFIX),
        consistent_read=True,
        limit=limit,
    )
    return [ref.record_sk for ref in refs]


def get_records(org_id: str, record_sks: list[str]) -> dict[str, AuditRecord]:
    """The records of ``record_sks`` that exist, by sort key (one batch read)."""
    wanted = [(keys.audit_pk(org_id), sk) for sk in record_sks]
    return {item.SK: _from_item(item) for item in AuditItem.batch_get(wanted, consistent_read=True)}


def replace_person(uow: UnitOfWork, org_id: str, sub: str, after: AuditRecord) -> None:
    """Write the pseudonymised ``after`` over the stored record (which must exist) and delete the
    person's locator of it, together."""
    sk = _record_sk(after)
    uow.update(
        AuditItem(PK=keys.audit_pk(org_id), SK=sk),
        [
            AuditItem.actor.set(after.actor) if after.actor is not None else AuditItem.actor.remove(),
            AuditItem.subject.set(after.subject) if after.subject is not None else AuditItem.subject.remove(),
            AuditItem.data.set(_data(after)),
        ],
        condition=AuditItem.PK.exists(),
    )
    drop_ref(uow, org_id, sub, sk)


def drop_ref(uow: UnitOfWork, org_id: str, sub: str, record_sk: str) -> None:
    uow.delete(AuditRefItem(PK=keys.person_refs_pk(org_id, sub), SK=keys.AUDIT_REF_PREFIX + record_sk))


def list_records(org_id: str, first: int, after: str | None) -> Page[AuditRecord]:
    """Newest first."""
    pk = keys.audit_pk(org_id)
    start = decode_cursor(after, partition_attr="PK", partition_value=pk)
    results = AuditItem.query(pk, limit=first, last_evaluated_key=start, scan_index_forward=False)
    items = [_from_item(i) for i in results]
    cursor = encode_cursor(results.last_evaluated_key)
    return Page(items, cursor, cursor is not None)
