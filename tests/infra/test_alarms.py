"""Every dead-letter queue, function, main queue, rule, the table and the real-time API have alarms on
the encrypted alarm topic; production has a subscriber; one dashboard shows them all."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from argus.platform.table import TABLE
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match
from synth_support import ALARM_EMAIL, Synth, imported, only, resources

pytestmark = pytest.mark.infra


def _alarms(synth: Synth) -> list[dict[str, Any]]:
    return [a["Properties"] for a in resources(synth.service, "AWS::CloudWatch::Alarm").values()]


def _dimension(alarm: dict[str, Any], name: str) -> Any:
    return next((d["Value"] for d in alarm.get("Dimensions", []) if d["Name"] == name), None)


def _dead_letter_queues(synth: Synth) -> set[str]:
    queues = resources(synth.service, "AWS::SQS::Queue")
    redrive_targets = {
        q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for q in queues.values()
        if "RedrivePolicy" in q["Properties"]
    }
    return {q for q, v in queues.items() if q in redrive_targets or "RedrivePolicy" not in v["Properties"]}


def test_every_dead_letter_queue_has_an_alarm_at_one_message(dev: Synth) -> None:
    dlqs = _dead_letter_queues(dev)
    # consumers' DLQs + the relay's + the AppSync target's
    assert len(dlqs) >= 3
    watched = {
        _dimension(a, "QueueName")["Fn::GetAtt"][0]
        for a in _alarms(dev)
        if a["MetricName"] == "ApproximateNumberOfMessagesVisible" and a["Threshold"] == 1
    }
    assert watched == dlqs


def test_every_function_has_an_error_alarm(dev: Synth) -> None:
    functions = set(resources(dev.service, "AWS::Lambda::Function"))
    watched = {_dimension(a, "FunctionName")["Ref"] for a in _alarms(dev) if a["MetricName"] == "Errors"}
    assert watched == functions


def test_alarms_notify_the_encrypted_tls_only_topic(dev: Synth) -> None:
    topic_id, topic = only(dev.service, "AWS::SNS::Topic")
    key_id = topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    _, key = only(dev.service, "AWS::KMS::Key")
    assert key["Properties"]["EnableKeyRotation"] is True
    principals = [s.get("Principal") for s in key["Properties"]["KeyPolicy"]["Statement"]]
    assert {"Service": "cloudwatch.amazonaws.com"} in principals
    assert key_id in resources(dev.service, "AWS::KMS::Key")
    dev.service.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "Topics": [{"Ref": topic_id}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": "sns:Publish",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                                "Effect": "Deny",
                                "Resource": {"Ref": topic_id},
                            }
                        )
                    ]
                ),
            },
        },
    )
    for alarm in _alarms(dev):
        assert alarm["AlarmActions"] == [{"Ref": topic_id}]


def test_every_function_has_a_throttle_alarm_and_a_near_timeout_alarm(dev: Synth) -> None:
    functions = resources(dev.service, "AWS::Lambda::Function")
    throttled = {_dimension(a, "FunctionName")["Ref"] for a in _alarms(dev) if a["MetricName"] == "Throttles"}
    assert throttled == set(functions)
    near_timeout = {
        _dimension(a, "FunctionName")["Ref"]: a for a in _alarms(dev) if a["MetricName"] == "Duration"
    }
    assert set(near_timeout) == set(functions)
    for function_id, alarm in near_timeout.items():
        timeout_ms = functions[function_id]["Properties"]["Timeout"] * 1000
        # the slowest invocation of a period comes within a tenth of the timeout
        assert alarm["Statistic"] == "Maximum"
        assert 0.8 * timeout_ms <= alarm["Threshold"] < timeout_ms, function_id


def test_every_main_queue_has_an_age_of_oldest_message_alarm(dev: Synth) -> None:
    main_queues = {
        q for q, v in resources(dev.service, "AWS::SQS::Queue").items() if "RedrivePolicy" in v["Properties"]
    }
    assert main_queues
    watched = {
        _dimension(a, "QueueName")["Fn::GetAtt"][0]
        for a in _alarms(dev)
        if a["MetricName"] == "ApproximateAgeOfOldestMessage"
    }
    assert watched == main_queues


def test_table_throttles_and_system_errors_are_alarmed(dev: Synth) -> None:
    table_id, _ = only(dev.stateful, "AWS::DynamoDB::Table")
    table_name = imported(dev, {"Ref": table_id})
    on_table = [a for a in _alarms(dev) if _dimension(a, "TableName") == table_name]
    # Throttled reads and writes on the table and on each index (an index's throttling slows writes)
    for metric in ("ReadThrottleEvents", "WriteThrottleEvents"):
        indexes = {_dimension(a, "GlobalSecondaryIndexName") for a in on_table if a["MetricName"] == metric}
        assert indexes == {None, *(index.name for index in TABLE.indexes)}, metric
    # DynamoDB's own errors, for every operation the functions use
    operations = {_dimension(a, "Operation") for a in on_table if a["MetricName"] == "SystemErrors"}
    assert operations >= {"GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"}
    assert all(a["Threshold"] >= 1 for a in on_table)


def test_realtime_api_server_errors_are_alarmed(dev: Synth) -> None:
    api_id, _ = only(dev.service, "AWS::AppSync::GraphQLApi")
    (alarm,) = [a for a in _alarms(dev) if a["MetricName"] == "5XXError" and a["Namespace"] == "AWS/AppSync"]
    assert _dimension(alarm, "GraphQLAPIId") == {"Fn::GetAtt": [api_id, "ApiId"]}


def test_every_rule_has_failed_invocation_and_lost_event_alarms(dev: Synth) -> None:
    rules = set(resources(dev.service, "AWS::Events::Rule"))
    for metric in ("FailedInvocations", "InvocationsFailedToBeSentToDlq"):
        watched = [a for a in _alarms(dev) if a["MetricName"] == metric]
        assert {_dimension(a, "RuleName")["Ref"] for a in watched} == rules, metric
        for alarm in watched:
            assert alarm["Namespace"] == "AWS/Events"
            # a rule on a custom bus reports with both dimensions
            assert "Fn::ImportValue" in _dimension(alarm, "EventBusName")
            assert alarm["Threshold"] == 1


def test_one_dashboard(dev: Synth) -> None:
    (dashboard,) = resources(dev.service, "AWS::CloudWatch::Dashboard").values()
    assert dashboard["Properties"]["DashboardName"] == "argus-dev"


def test_production_alarms_reach_a_subscriber(external: Synth) -> None:
    topic_id, _ = only(external.service, "AWS::SNS::Topic")
    external.service.has_resource_properties(
        "AWS::SNS::Subscription",
        {"Protocol": "email", "Endpoint": ALARM_EMAIL, "TopicArn": {"Ref": topic_id}},
    )


def test_alarms_also_notify_a_configured_topic() -> None:
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infra.config import STAGES
    from infra.constructs.alarms import Alarms

    # Given a stage configured with an existing ops topic
    topic_arn = "arn:aws:sns:eu-west-2:111111111111:ops"
    stack = cdk.Stack(cdk.App(), "AlarmsOnly")
    config = replace(STAGES["prod"], alarm_topic_arn=topic_arn)
    alarms = Alarms(stack, "Alarms", config=config)
    # When an alarm is added
    alarms.dead_letters("Dlq", sqs.Queue(stack, "Queue"), "a queue")
    # Then it notifies both the stack's topic and the configured one
    (alarm,) = Template.from_stack(stack).find_resources("AWS::CloudWatch::Alarm").values()
    assert topic_arn in alarm["Properties"]["AlarmActions"]
    assert len(alarm["Properties"]["AlarmActions"]) == 2


def test_dead_letter_queues_are_retained_in_production(external: Synth, dev: Synth) -> None:
    dlqs = _dead_letter_queues(external)
    queues = resources(external.service, "AWS::SQS::Queue")
    for queue_id in dlqs:
        assert queues[queue_id]["DeletionPolicy"] == "Retain", queue_id
        assert queues[queue_id]["UpdateReplacePolicy"] == "Retain", queue_id
    dev_queues = resources(dev.service, "AWS::SQS::Queue")
    assert all(dev_queues[q]["DeletionPolicy"] == "Delete" for q in _dead_letter_queues(dev))
