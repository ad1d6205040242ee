"""Provisions the moto server from the same specifications CDK deploys: the table (keys, GSIs,
stream), the KMS key, the event bus with its archive, one queue + DLQ + rule per consumer
declaration, the live-event queue, and the buckets."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from argus.buckets import BUCKETS, lifecycle_configuration
from argus.consumers import LIVE_EVENTS_PATTERN
from argus.platform.consumers import ConsumerSpec
from argus.platform.table import create_table_request

# Locally a failed message becomes visible again after this many seconds (on AWS: the spec's timeout),
# so that retries and dead-lettering can be watched without waiting minutes.
LOCAL_VISIBILITY_TIMEOUT = 1


@dataclass(frozen=True)
class QueuePair:
    name: str
    url: str
    arn: str
    dlq_url: str
    dlq_arn: str


@dataclass
class Resources:
    table_name: str
    bus_name: str
    stream_arn: str
    kms_key_id: str
    consumer_queues: dict[str, QueuePair] = field(default_factory=dict)
    live_queue: QueuePair | None = None
    relay_dlq_url: str = ""
    buckets: dict[str, str] = field(default_factory=dict)


def _queue_pair(sqs: Any, name: str, max_receive_count: int) -> QueuePair:
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": str(LOCAL_VISIBILITY_TIMEOUT),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count}
            ),
        },
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return QueuePair(name, url, arn, dlq_url, dlq_arn)


def _route(events: Any, bus: str, rule: str, pattern: dict[str, Any], queue_arn: str) -> None:
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(pattern), State="ENABLED")
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "queue", "Arn": queue_arn}])


def create_buckets(s3: Any, region: str, prefix: str = "argus-local") -> dict[str, str]:
    """Every bucket of the catalogue (``argus.buckets``) as CDK deploys it: versioning and lifecycle
    rules (moto stores the rules but never applies them). No CORS: the local stack has no configured
    browser origins. Returns bucket name by role."""
    names = {}
    for spec in BUCKETS:
        name = f"{prefix}-{spec.name}"
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        if spec.versioned:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_lifecycle_configuration(
            Bucket=name, LifecycleConfiguration=lifecycle_configuration(spec)
        )
        names[spec.name] = name
    return names


def provision(
    clients: dict[str, Any],
    *,
    table_name: str,
    bus_name: str,
    consumers: tuple[ConsumerSpec, ...],
    prefix: str = "argus-local",
) -> Resources:
    """Create everything; returns the names, URLs and ARNs the poller and the app need."""
    ddb, events, sqs, kms, s3 = (clients[n] for n in ("dynamodb", "events", "sqs", "kms", "s3"))
    key_id = kms.create_key(Description="argus local table key")["KeyMetadata"]["KeyId"]
    request = create_table_request(table_name)
    request["SSESpecification"] = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_id}
    ddb.create_table(**request)
    ddb.update_time_to_live(
        TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )
    stream_arn = ddb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]

    bus_arn = events.create_event_bus(Name=bus_name)["EventBusArn"]
    events.create_archive(ArchiveName=f"{bus_name}-archive", EventSourceArn=bus_arn, RetentionDays=30)

    resources = Resources(table_name=table_name, bus_name=bus_name, stream_arn=stream_arn, kms_key_id=key_id)
    for spec in consumers:
        pair = _queue_pair(sqs, f"{prefix}-{spec.name}", spec.max_receive_count)
        _route(events, bus_name, f"{prefix}-{spec.name}", spec.event_pattern, pair.arn)
        resources.consumer_queues[spec.name] = pair
    live = _queue_pair(sqs, f"{prefix}-live", 3)
    _route(events, bus_name, f"{prefix}-live", LIVE_EVENTS_PATTERN, live.arn)
    resources.live_queue = live
    resources.relay_dlq_url = sqs.create_queue(QueueName=f"{prefix}-outbox-relay-dlq")["QueueUrl"]
    resources.buckets = create_buckets(s3, clients["region"], prefix)
    return resources
