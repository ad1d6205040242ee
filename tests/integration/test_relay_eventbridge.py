"""The outbox relay on moto: the table's stream → EventBridge (rule) → SQS, and on to the audit
consumer, as on AWS."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from argus.audit import service as audit_service
from argus.consumers import AUDIT
from argus.handlers.audit import handler as audit_handler
from argus.handlers.outbox_relay import handler as relay_handler
from argus.organisations import service
from argus.platform.publisher import EventBridgePublisher
from argus.platform.relay import relay
from argus.platform.settings import get_settings

from tests.factories.events import cloudevent, outbox_stream_record
from tests.factories.organisations import organisation_draft
from tests.factories.principals import admin
from tests.fakes.aws import ArgusAws

LAMBDA_CONTEXT = SimpleNamespace(
    function_name="outbox-relay",
    memory_limit_in_mb=256,
    invoked_function_arn="arn:aws:lambda:eu-west-2:123456789012:function:outbox-relay",
    aws_request_id="req-1",
)


def stream_records(aws: ArgusAws) -> list[dict[str, Any]]:
    """Every record on the table's stream so far, as moto's DynamoDB Streams serves them."""
    streams = aws.client("dynamodbstreams")
    shards = streams.describe_stream(StreamArn=aws.stream_arn)["StreamDescription"]["Shards"]
    records: list[dict[str, Any]] = []
    for shard in shards:
        iterator = streams.get_shard_iterator(
            StreamArn=aws.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records += streams.get_records(ShardIterator=iterator)["Records"]
    return records


@pytest.fixture
def bus_to_queue(aws: ArgusAws) -> str:
    """The Argus bus with the audit consumer's rule targeting its queue; returns the queue URL."""
    events, sqs = aws.client("events"), aws.client("sqs")
    bus = get_settings().event_bus_name
    events.create_event_bus(Name=bus)
    queue_url = sqs.create_queue(QueueName="argus-audit")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(Name="audit", EventBusName=bus, EventPattern=json.dumps(AUDIT.event_pattern))
    events.put_targets(Rule="audit", EventBusName=bus, Targets=[{"Id": "audit-queue", "Arn": queue_arn}])
    return queue_url


def receive_all(aws: ArgusAws, queue_url: str) -> list[dict[str, Any]]:
    sqs = aws.client("sqs")
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        messages += batch
    return messages


def test_outbox_events_reach_the_consumer_queue_as_designed(aws: ArgusAws, bus_to_queue: str) -> None:
    # Given an organisation created and updated: the stream holds organisation, slug and outbox inserts
    service.create_organisation(admin(), organisation_draft())
    service.update_organisation(admin(), {"name": "Northshire Community Watch"})
    records = stream_records(aws)
    outbox = sorted((json.loads(i["event"]["S"]) for i in aws.items_of_kind("outbox")), key=lambda e: e["id"])
    assert len(records) > len(outbox) == 2
    # When the relay puts them on the bus
    failed = relay(records, EventBridgePublisher(aws.client("events"), get_settings().event_bus_name))
    # Then nothing failed, and each CloudEvent arrives once on the queue with the designed envelope
    assert failed == []
    envelopes = sorted(
        (json.loads(m["Body"]) for m in receive_all(aws, bus_to_queue)), key=lambda e: e["detail"]["id"]
    )
    assert [e["source"] for e in envelopes] == ["argus.organisation"] * 2
    assert [e["detail-type"] for e in envelopes] == [d["type"] for d in outbox]
    assert [e["detail"] for e in envelopes] == outbox


def test_the_relay_lambda_and_the_audit_lambda_together(aws: ArgusAws, bus_to_queue: str) -> None:
    # Given an organisation created through the service
    service.create_organisation(admin(), organisation_draft())
    # When the relay Lambda gets the stream batch, and the audit Lambda the queue's messages
    relay_response = relay_handler({"Records": stream_records(aws)}, LAMBDA_CONTEXT)
    messages = receive_all(aws, bus_to_queue)
    sqs_batch = {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-2:1:argus-audit",
                "awsRegion": "eu-west-2",
            }
            for m in messages
        ]
    }
    audit_response = audit_handler(sqs_batch, None)
    # Then neither reports failures, and the organisation's audit trail holds the creation
    assert relay_response == {"batchItemFailures": []}
    assert audit_response == {"batchItemFailures": []}
    [record] = audit_service.audit_trail(admin(), 10, None).items
    assert (record.event_type, record.actor) == ("org.argus.organisation.created.v2", "user-admin")


def test_entries_eventbridge_refuses_are_reported_for_retry(aws: ArgusAws) -> None:
    # Given no bus at all (EventBridge refuses the call), and two outbox records
    records = [outbox_stream_record(cloudevent(), "100"), outbox_stream_record(cloudevent(), "101")]
    # When the relay Lambda runs
    response = relay_handler({"Records": records}, LAMBDA_CONTEXT)
    # Then both records are reported as batch item failures so Lambda retries them
    assert response == {"batchItemFailures": [{"itemIdentifier": "100"}, {"itemIdentifier": "101"}]}
