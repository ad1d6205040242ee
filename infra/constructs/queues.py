"""Dead-letter queues: every one encrypted, SSL only, and kept 14 days (time to look and redrive)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.nag import acknowledge

RETENTION = cdk.Duration.days(14)


def dead_letter_queue(scope: Construct, *, destination_of: str | None = None) -> sqs.Queue:
    """The ``DeadLetters`` queue of ``scope``. ``destination_of`` names what sends its failures here when
    that is not an SQS redrive policy (cdk-nag cannot see those and asks the queue for a DLQ of its own)."""
    queue = sqs.Queue(
        scope,
        "DeadLetters",
        retention_period=RETENTION,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
    )
    if destination_of is not None:
        acknowledge(
            queue,
            "AwsSolutions-SQS3",
            f"This queue is itself the dead-letter destination of {destination_of}; a dead-letter queue "
            "of its own would have no consumer.",
        )
    return queue
