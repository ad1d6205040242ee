"""Every dead-letter queue and every function has an alarm on the encrypted alarm topic."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match
from synth_support import Synth, only, resources

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
