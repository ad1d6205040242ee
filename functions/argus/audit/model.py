from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict

from argus.platform.validation import DomainModel


class AuditRecord(DomainModel):
    model_config = ConfigDict(frozen=True)

    event_id: str
    event_type: str
    subject: str | None
    time: datetime
    actor: str | None
    data: dict[str, Any]
