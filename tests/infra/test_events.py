"""Events: the outbox relay reads only outbox inserts from the stream and may only put events on the bus;
each declared consumer gets the queue, dead-letter queue, rule and function its declaration says."""

from __future__ import annotations

from typing import Any

import pytest
from argus.consumers import CONSUMERS
from argus.platform.table import TABLE
from aws_cdk.assertions import Match
from synth_support import Synth, imported, only, resources

pytestmark = pytest.mark.infra

RELAY = "argus.handlers.outbox_relay.handler"


def _policy_statements(synth: Synth, role_id: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for policy in resources(synth.service, "AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def _role_of(synth: Synth, handler: str) -> str:
    _, function = only(synth.service, "AWS::Lambda::Function", {"Handler": handler})
    return str(function["Properties"]["Role"]["Fn::GetAtt"][0])


def _function_id(synth: Synth, handler: str) -> str:
    function_id, _ = only(synth.service, "AWS::Lambda::Function", {"Handler": handler})
    return function_id


def test_relay_reads_only_outbox_inserts_from_the_stream(dev: Synth) -> None:
    dev.service.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "FunctionName": {"Ref": _function_id(dev, RELAY)},
            "EventSourceArn": {"Fn::ImportValue": Match.string_like_regexp("StreamArn")},
            "BatchSize": 10,
            "StartingPosition": "TRIM_HORIZON",
            "BisectBatchOnFunctionError": True,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "FilterCriteria": {
                "Filters": [
                    {
                        "Pattern": Match.serialized_json(
                            {
                                "eventName": ["INSERT"],
                                "dynamodb": {"NewImage": {TABLE.discriminator: {"S": [TABLE.outbox_kind]}}},
                            }
                        )
                    }
                ]
            },
            "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": [Match.any_value(), "Arn"]}}},
        },
    )


def test_relay_may_put_events_only_on_the_argus_bus(dev: Synth) -> None:
    bus_id, _ = only(dev.stateful, "AWS::Events::EventBus")
    statements = _policy_statements(dev, _role_of(dev, RELAY))
    events_statements = [
        s for s in statements if any(str(a).startswith("events:") for a in _list(s["Action"]))
    ]
    assert events_statements == [
        {
            "Action": "events:PutEvents",
            "Effect": "Allow",
            "Resource": imported(dev, {"Fn::GetAtt": [bus_id, "Arn"]}),
        }
    ]
    # and nothing on the table's items: the relay only reads the stream
    actions = {a for s in statements for a in _list(s["Action"])}
    assert not {a for a in actions if a.startswith("dynamodb:") and "Item" in a}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("spec", CONSUMERS, ids=lambda s: s.name)
def test_consumer_is_wired_as_declared(dev: Synth, spec: Any) -> None:
    function_id = _function_id(dev, spec.handler)
    _, function = only(dev.service, "AWS::Lambda::Function", {"Handler": spec.handler})
    assert function["Properties"]["MemorySize"] == spec.memory_mb
    # Its queue feeds the function, reporting partial batch failures
    _, mapping = only(dev.service, "AWS::Lambda::EventSourceMapping", {"FunctionName": {"Ref": function_id}})
    assert mapping["Properties"]["BatchSize"] == spec.batch_size
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue_id = mapping["Properties"]["EventSourceArn"]["Fn::GetAtt"][0]
    queue = resources(dev.service, "AWS::SQS::Queue")[queue_id]["Properties"]
    assert queue["VisibilityTimeout"] == spec.visibility_timeout_seconds
    assert queue["SqsManagedSseEnabled"] is True
    assert function["Properties"]["Timeout"] * 6 <= spec.visibility_timeout_seconds
    # with a dead-letter queue after the declared number of receives
    redrive = queue["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == spec.max_receive_count
    dlq_id = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
    assert dlq_id in resources(dev.service, "AWS::SQS::Queue")
    # A rule on the argus bus with exactly the declared pattern targets the queue
    rules = resources(dev.service, "AWS::Events::Rule", {"EventPattern": spec.event_pattern})
    matching = [
        r for r in rules.values() if r["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    ]
    assert len(matching) == 1
    assert matching[0]["Properties"]["EventPattern"] == spec.event_pattern
    assert "Fn::ImportValue" in matching[0]["Properties"]["EventBusName"]


def test_consumer_queues_require_tls(dev: Synth) -> None:
    policies = resources(dev.service, "AWS::SQS::QueuePolicy")
    secured = set()
    for policy in policies.values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}:
                secured |= {q["Ref"] for q in policy["Properties"]["Queues"]}
    assert secured == set(resources(dev.service, "AWS::SQS::Queue"))


@pytest.mark.parametrize("spec", CONSUMERS, ids=lambda s: s.name)
def test_consumer_rule_target_retries_then_dead_letters(dev: Synth, spec: Any) -> None:
    # Given the consumer's queue and its dead-letter queue
    function_id = _function_id(dev, spec.handler)
    _, mapping = only(dev.service, "AWS::Lambda::EventSourceMapping", {"FunctionName": {"Ref": function_id}})
    queue_id = mapping["Properties"]["EventSourceArn"]["Fn::GetAtt"][0]
    queue = resources(dev.service, "AWS::SQS::Queue")[queue_id]["Properties"]
    dlq_id = queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
    # When EventBridge cannot deliver an event to the queue
    (rule,) = [
        r
        for r in resources(dev.service, "AWS::Events::Rule").values()
        if r["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    ]
    (target,) = rule["Properties"]["Targets"]
    # Then it retries within an explicit window and then sends the event to the consumer's DLQ
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dlq_id, "Arn"]}}
    policy = target["RetryPolicy"]
    assert 0 < policy["MaximumEventAgeInSeconds"] <= 24 * 3600
    assert 0 < policy["MaximumRetryAttempts"] <= 185
    # and EventBridge may send to that DLQ for this rule only
    statements = [
        s
        for p in resources(dev.service, "AWS::SQS::QueuePolicy").values()
        if {"Ref": dlq_id} in p["Properties"]["Queues"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Principal") == {"Service": "events.amazonaws.com"}
    ]
    assert [s["Condition"]["ArnEquals"]["aws:SourceArn"] for s in statements] == [
        {"Fn::GetAtt": [_rule_id(dev, queue_id), "Arn"]}
    ]


def _rule_id(synth: Synth, queue_id: str) -> str:
    (rule_id,) = [
        k
        for k, r in resources(synth.service, "AWS::Events::Rule").items()
        if r["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    ]
    return rule_id


def test_every_rule_target_on_the_bus_has_a_dead_letter_queue_and_retry_policy(dev: Synth) -> None:
    rules = resources(dev.service, "AWS::Events::Rule")
    assert len(rules) >= len(CONSUMERS) + 1  # the consumers and the live events rule
    for rule in rules.values():
        for target in rule["Properties"]["Targets"]:
            assert "Arn" in target["DeadLetterConfig"], target
            assert {"MaximumEventAgeInSeconds", "MaximumRetryAttempts"} <= set(target["RetryPolicy"]), target


@pytest.mark.parametrize("spec", CONSUMERS, ids=lambda s: s.name)
def test_consumer_concurrency_is_capped_as_declared(dev: Synth, spec: Any) -> None:
    _, mapping = only(
        dev.service,
        "AWS::Lambda::EventSourceMapping",
        {"FunctionName": {"Ref": _function_id(dev, spec.handler)}},
    )
    assert mapping["Properties"]["ScalingConfig"] == {"MaximumConcurrency": spec.maximum_concurrency}


def test_nightly_pattern_runs_take_at_most_two_environments() -> None:
    from argus.consumers import PATTERN_JOB

    # 2 GB each: a night of many organisations must not take the account's concurrency
    assert PATTERN_JOB.maximum_concurrency == 2
    assert all(2 <= spec.maximum_concurrency <= 10 for spec in CONSUMERS)
