"""Lambda "consumer-watch-erasure": erases an erased person's watch group memberships."""

from __future__ import annotations

from argus.platform.startup import loading_handler

with loading_handler():
    from argus.consumers import WATCH_ERASURE
    from argus.platform.consumers import sqs_consumer
    from argus.watch.service.members import erase_on_request


handler = sqs_consumer(WATCH_ERASURE, erase_on_request)
