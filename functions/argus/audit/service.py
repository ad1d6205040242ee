"""Audit use cases."""

from __future__ import annotations

from argus.audit import store
from argus.audit.model import AuditRecord
from argus.platform.auth.principal import Principal, Role
from argus.platform.cloudevents import CloudEvent
from argus.platform.errors import Forbidden
from argus.platform.outbox import UnitOfWork
from argus.platform.pagination import Page, page_size

AUDIT_READERS = (Role.ADMIN, Role.SUPERVISOR)


def record_event(event: CloudEvent, uow: UnitOfWork) -> None:
    """Consumer: add one event to its organisation's audit trail."""
    data = event.get_data()
    payload = data if isinstance(data, dict) else {}
    actor = payload.get("actor") if isinstance(payload.get("actor"), str) else None
    store.add_record(
        uow,
        event.get_extension("orgid"),
        AuditRecord(
            event_id=event.get_id(),
            event_type=event.get_type(),
            subject=event.get_subject(),
            time=event.get_time(),
            actor=actor,
            data=payload,
        ),
    )


def audit_trail(principal: Principal, first: int | None, after: str | None) -> Page[AuditRecord]:
    if not principal.has_any_role(*AUDIT_READERS):
        raise Forbidden("You do not have a role that allows this.")
    return store.list_records(principal.org_id, page_size(first), after)
