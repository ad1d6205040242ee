"""CloudEvents and the records that carry them: DynamoDB stream records of outbox items, and SQS
messages holding EventBridge envelopes."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from argus.platform.cloudevents import CloudEvent, event_domain, make_event, to_dict
from argus.platform.outbox import OutboxItem

ORG = "northshire"


def cloudevent(
    event_type: str = "org.argus.organisation.updated.v2",
    *,
    org: str = ORG,
    subject: str | None = None,
    data: dict[str, Any] | None = None,
) -> CloudEvent:
    return make_event(
        event_type,
        org_id=org,
        collection="organisations",
        subject=subject or org,
        data=data if data is not None else {"actor": "user-admin", "changed": ["name"]},
    )


def stream_record(
    new_image: dict[str, Any], sequence_number: str, event_name: str = "INSERT"
) -> dict[str, Any]:
    """A DynamoDB stream record as Lambda delivers it (NEW_IMAGE view)."""
    return {
        "eventID": f"evt-{sequence_number}",
        "eventName": event_name,
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-2",
        "dynamodb": {
            "Keys": {"PK": new_image["PK"], "SK": new_image["SK"]},
            "NewImage": new_image,
            "SequenceNumber": sequence_number,
            "SizeBytes": 512,
            "StreamViewType": "NEW_IMAGE",
        },
    }


def outbox_image(event: CloudEvent) -> dict[str, Any]:
    """The item the outbox writes for ``event``, in DynamoDB's attribute-value JSON."""
    image: dict[str, Any] = OutboxItem.for_event(event).serialize()
    return image


def outbox_stream_record(
    event: CloudEvent, sequence_number: str, event_name: str = "INSERT"
) -> dict[str, Any]:
    return stream_record(outbox_image(event), sequence_number, event_name)


def eventbridge_envelope(event: CloudEvent | dict[str, Any]) -> dict[str, Any]:
    """What an EventBridge rule delivers to an SQS target: the entry with the CloudEvent as ``detail``."""
    detail = event if isinstance(event, dict) else to_dict(event)
    return {
        "version": "0",
        "id": f"eb-{detail.get('id', 'unknown')}",
        "detail-type": detail.get("type"),
        "source": f"argus.{event_domain(detail['type'])}" if "type" in detail else "argus.unknown",
        "account": "123456789012",
        "time": "2025-03-14T09:26:53Z",
        "region": "eu-west-2",
        "resources": [],
        "detail": detail,
    }


def sqs_event(*bodies: str, receive_count: int | None = 1) -> dict[str, Any]:
    """An SQS event source batch as Lambda delivers it: each message on its ``receive_count``-th delivery
    (``None``: without the attribute)."""
    return {
        "Records": [
            {
                "messageId": f"message-{number}",
                "receiptHandle": f"receipt-{number}",
                "body": body,
                "attributes": {
                    **({} if receive_count is None else {"ApproximateReceiveCount": str(receive_count)}),
                    "SentTimestamp": "1741944413000",
                    "SenderId": "AIDAEXAMPLE",
                    "ApproximateFirstReceiveTimestamp": "1741944413001",
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-2:123456789012:argus-audit",
                "awsRegion": "eu-west-2",
            }
            for number, body in enumerate(bodies)
        ]
    }


def sqs_body(event: CloudEvent | dict[str, Any]) -> str:
    return json.dumps(eventbridge_envelope(event))
