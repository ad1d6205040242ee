"""Lambda "consumer-pattern-job": performs requested crime-pattern runs (``argus.patterns.job``).
Runs on the pattern layer (numpy, scipy, h3), one event at a time."""

from __future__ import annotations

from argus.platform.startup import loading_handler

with loading_handler():
    from argus.patterns.job import perform_requested
    from argus.platform.consumers import sqs_consumer

# Equal to PATTERN_JOB.name in argus/consumers.py (tests/integration/patterns/test_job.py checks).
CONSUMER_NAME = "pattern-job"

handler = sqs_consumer(CONSUMER_NAME, perform_requested)
