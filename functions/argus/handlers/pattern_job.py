"""Lambda "consumer-pattern-job": performs requested crime-pattern runs (``argus.patterns.job``).
Runs on the pattern layer (numpy, scipy, h3), one event at a time. When the last attempt at a request
raises, the run turns failed (``fail_requested``) before the message goes to the dead-letter queue."""

from __future__ import annotations

from argus.platform.startup import loading_handler

with loading_handler():
    from argus.consumers import PATTERN_JOB
    from argus.patterns.job import fail_requested, perform_requested
    from argus.platform.consumers import sqs_consumer

handler = sqs_consumer(PATTERN_JOB, perform_requested, on_final_failure=fail_requested)
