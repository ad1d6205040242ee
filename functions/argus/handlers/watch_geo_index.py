"""Lambda "consumer-watch-geo-index": indexes new watch group and block areas by H3 cell."""

from __future__ import annotations

from argus.platform.startup import loading_handler

with loading_handler():
    from argus.consumers import WATCH_GEO_INDEX
    from argus.platform.consumers import sqs_consumer
    from argus.watch.service.geography import index_area_event

handler = sqs_consumer(WATCH_GEO_INDEX, index_area_event)
