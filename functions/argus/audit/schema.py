"""GraphQL access to the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from argus.api.context import principal_of
from argus.api.cost import cost
from argus.api.permissions import requires
from argus.api.relay import Connection, connection
from argus.audit import service
from argus.audit.model import AuditRecord as AuditRecordModel


@strawberry.type
class AuditRecord:
    event_id: strawberry.ID
    event_type: str
    subject: str | None
    time: datetime
    actor: str | None
    data: JSON

    @classmethod
    def from_model(cls, record: AuditRecordModel) -> AuditRecord:
        return cls(
            event_id=strawberry.ID(record.event_id),
            event_type=record.event_type,
            subject=record.subject,
            time=record.time,
            actor=record.actor,
            data=cast(JSON, record.data),
        )


@strawberry.type
class Query:
    @strawberry.field(
        extensions=[*requires(*service.AUDIT_READERS), cost(1, paged_by="first")],
        description="Events of the caller's organisation, newest first.",
    )
    def audit_trail(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AuditRecord]:
        return connection(service.audit_trail(principal_of(info), first, after), AuditRecord.from_model)
