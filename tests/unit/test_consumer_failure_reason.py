"""What a consumer's last failed attempt reports: a short, non-identifying reason code, and the delivery
count read from the SQS record."""

from __future__ import annotations

from typing import Any

from argus.platform.consumers import MAX_REASON_LENGTH, failure_reason, receive_count
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


class QueryError(Exception):
    pass


def test_the_reason_is_the_class_name_never_the_message() -> None:
    assert failure_reason(QueryError("resident Jane Doe, 07700 900123")) == "QueryError"
    assert failure_reason(MemoryError()) == "MemoryError"
    assert failure_reason(KeyError("runId")) == "KeyError"


def test_a_long_or_unusual_class_name_is_cut_or_replaced() -> None:
    long_name = type("E" * 200, (Exception,), {})
    assert failure_reason(long_name()) == "E" * MAX_REASON_LENGTH
    assert failure_reason(type("Fehler\u00e4", (Exception,), {})()) == "Exception"
    assert failure_reason(type("Bad Name", (Exception,), {})()) == "Exception"


def record(attributes: dict[str, Any]) -> SQSRecord:
    return SQSRecord({"messageId": "m-1", "body": "{}", "attributes": attributes})


def test_the_receive_count_is_read_when_sqs_gives_it() -> None:
    assert receive_count(record({"ApproximateReceiveCount": "3"})) == 3
    assert receive_count(record({})) is None
    assert receive_count(record({"ApproximateReceiveCount": "many"})) is None
