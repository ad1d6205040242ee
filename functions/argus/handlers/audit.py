"""Lambda "consumer-audit": records every event in its organisation's audit trail."""

from __future__ import annotations

from argus.platform.startup import loading_handler

with loading_handler():
    from argus.audit.service import record_event
    from argus.consumers import AUDIT
    from argus.platform.consumers import sqs_consumer

handler = sqs_consumer(AUDIT, record_event)
