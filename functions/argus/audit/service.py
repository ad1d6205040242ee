"""Audit use cases: recording every event (the audit consumer) and, when a person is erased,
pseudonymising the records that name them. Only the audit consumer writes the trail."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from argus.audit import store
from argus.audit.model import AuditRecord
from argus.organisations.events import PERSON_ERASURE_REQUESTED, is_pseudonym
from argus.platform.auth.principal import Principal, Role
from argus.platform.cloudevents import CloudEvent
from argus.platform.errors import Forbidden
from argus.platform.observability import logger
from argus.platform.outbox import UnitOfWork
from argus.platform.pagination import Page, page_size

AUDIT_READERS = (Role.ADMIN, Role.SUPERVISOR)
# The fields of event data that hold a person's subject id (events/README.md); records get a locator
# for each, so that the person's erasure can find them.
PERSONAL_FIELDS = ("actor", "captain", "previousCaptain", "person")
# Actors that are Argus itself, not people.
SYSTEM_ACTORS = ("system:", "argus:")
# Records pseudonymised per transaction (each is an update and a delete: 50 of DynamoDB's 100 items).
CHUNK = 25


def _is_person(value: object) -> bool:
    if not isinstance(value, str) or not value:
        return False
    return not value.startswith(SYSTEM_ACTORS) and not is_pseudonym(value)


def people_named(record: AuditRecord) -> set[str]:
    """The subject ids of the people ``record`` names."""
    named = [record.data.get(name) for name in PERSONAL_FIELDS] + [record.actor]
    return {value for value in named if isinstance(value, str) and _is_person(value)}


def _replace(value: Any, sub: str, pseudonym: str) -> Any:
    if value == sub:
        return pseudonym
    if isinstance(value, dict):
        return {k: _replace(v, sub, pseudonym) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, sub, pseudonym) for v in value]
    return value


def pseudonymised(record: AuditRecord, sub: str, pseudonym: str) -> AuditRecord:
    """``record`` with every mention of ``sub`` (actor, subject, any value in its data) replaced."""
    return record.model_copy(
        update={
            "actor": _replace(record.actor, sub, pseudonym),
            "subject": _replace(record.subject, sub, pseudonym),
            "data": _replace(record.data, sub, pseudonym),
        }
    )


def _chunks(org_id: str, sub: str) -> Iterator[list[str]]:
    while chunk := store.person_refs(org_id, sub, CHUNK):
        yield chunk


def pseudonymise_person(org_id: str, sub: str, pseudonym: str) -> int:
    """Replace ``sub`` by ``pseudonym`` in every record that names them, CHUNK records per transaction;
    returns how many. Each record changes together with the deletion of its locator, so an interrupted
    run leaves every record either done or untouched, and running again finishes the rest."""
    done = 0
    for chunk in _chunks(org_id, sub):
        records = store.get_records(org_id, chunk)
        uow = UnitOfWork()
        for sk in chunk:
            if sk in records:
                store.replace_person(uow, org_id, sub, pseudonymised(records[sk], sub, pseudonym))
                done += 1
            else:  # a locator without its record points at nothing: drop it
                store.drop_ref(uow, org_id, sub, sk)
        uow.commit()
    return done


def _record_of(event: CloudEvent) -> AuditRecord:
    data = event.get_data()
    payload = data if isinstance(data, dict) else {}
    actor = payload.get("actor") if isinstance(payload.get("actor"), str) else None
    return AuditRecord(
        event_id=event.get_id(),
        event_type=event.get_type(),
        subject=event.get_subject(),
        time=event.get_time(),
        actor=actor,
        data=payload,
    )


def record_event(event: CloudEvent, uow: UnitOfWork) -> None:
    """Consumer: add one event to its organisation's audit trail, with a locator for each person it
    names. A person's erasure first pseudonymises every record naming them (in transactions of its
    own), then records the erasure itself under the pseudonym."""
    org_id = event.get_extension("orgid")
    record = _record_of(event)
    if record.event_type == PERSON_ERASURE_REQUESTED:
        person, pseudonym = record.data.get("person"), record.data.get("pseudonym")
        if isinstance(person, str) and isinstance(pseudonym, str) and is_pseudonym(pseudonym):
            count = pseudonymise_person(org_id, person, pseudonym)
            logger.info("audit records pseudonymised", extra={"records": count})
            record = pseudonymised(record, person, pseudonym)
    store.add_record(uow, org_id, record, people_named(record))


def audit_trail(principal: Principal, first: int | None, after: str | None) -> Page[AuditRecord]:
    if not principal.has_any_role(*AUDIT_READERS):
        raise Forbidden("You do not have a role that allows this.")
    return store.list_records(principal.org_id, page_size(first), after)
