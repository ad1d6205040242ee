"""The nightly pattern schedule: EventBridge Scheduler at 02:00 Europe/London invokes pattern-schedule
with its scheduled time; failures end in an alarmed dead-letter queue; the function may write the table."""

from __future__ import annotations

import json
from typing import Any

import pytest
from synth_support import Synth, imported, only, resources

pytestmark = pytest.mark.infra

HANDLER = "argus.handlers.pattern_schedule.handler"


def _function(synth: Synth) -> tuple[str, dict[str, Any]]:
    return only(synth.service, "AWS::Lambda::Function", {"Handler": HANDLER})


def _statements(synth: Synth, role_id: str) -> list[dict[str, Any]]:
    policies = resources(synth.service, "AWS::IAM::Policy")
    return [
        statement
        for policy in policies.values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else actions


def test_scheduler_function_is_small_and_short(dev: Synth) -> None:
    _, function = _function(dev)
    assert function["Properties"]["MemorySize"] == 256
    assert function["Properties"]["Timeout"] == 60


def test_schedule_runs_nightly_in_uk_time_with_its_scheduled_time(dev: Synth) -> None:
    function_id, _ = _function(dev)
    _, schedule = only(dev.service, "AWS::Scheduler::Schedule")
    props = schedule["Properties"]
    assert props["ScheduleExpression"] == "cron(0 2 * * ? *)"
    assert props["ScheduleExpressionTimezone"] == "Europe/London"
    assert props["State"] == "ENABLED"
    target = props["Target"]
    assert target["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    assert json.loads(target["Input"]) == {"scheduledTime": "<aws.scheduler.scheduled-time>"}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1


def test_failures_go_to_an_alarmed_encrypted_tls_only_dead_letter_queue(dev: Synth) -> None:
    function_id, _ = _function(dev)
    _, schedule = only(dev.service, "AWS::Scheduler::Schedule")
    queue_id = schedule["Properties"]["Target"]["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    queue = resources(dev.service, "AWS::SQS::Queue")[queue_id]
    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    # Failed asynchronous invocations (after Lambda's retries) land in the same queue.
    _, invoke_config = only(
        dev.service, "AWS::Lambda::EventInvokeConfig", {"FunctionName": {"Ref": function_id}}
    )
    assert invoke_config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": [queue_id, "Arn"]
    }
    queue_policies = resources(dev.service, "AWS::SQS::QueuePolicy")
    assert any(
        {"Ref": queue_id} in p["Properties"]["Queues"]
        and any(
            s["Effect"] == "Deny" and s.get("Condition", {}).get("Bool") == {"aws:SecureTransport": "false"}
            for s in p["Properties"]["PolicyDocument"]["Statement"]
        )
        for p in queue_policies.values()
    )
    alarms = resources(dev.service, "AWS::CloudWatch::Alarm").values()
    watched = [
        d["Value"]
        for a in alarms
        for d in a["Properties"].get("Dimensions", [])
        if a["Properties"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    ]
    assert {"Fn::GetAtt": [queue_id, "QueueName"]} in watched


def test_scheduler_role_invokes_exactly_the_function(dev: Synth) -> None:
    function_id, _ = _function(dev)
    _, schedule = only(dev.service, "AWS::Scheduler::Schedule")
    role_id = schedule["Properties"]["Target"]["RoleArn"]["Fn::GetAtt"][0]
    invoke = [s for s in _statements(dev, role_id) if "lambda:InvokeFunction" in _actions(s)]
    assert [s["Resource"] for s in invoke] == [{"Fn::GetAtt": [function_id, "Arn"]}]


def test_scheduler_function_can_read_and_write_the_table(dev: Synth) -> None:
    _, function = _function(dev)
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    table_id, _ = only(dev.stateful, "AWS::DynamoDB::Table")
    table_arn = imported(dev, {"Fn::GetAtt": [table_id, "Arn"]})
    on_table = [s for s in _statements(dev, role_id) if s["Resource"] == table_arn]
    actions = {a for s in on_table for a in _actions(s)}
    assert {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"} <= actions
    # Organisations are listed through GSI1.
    queries = [s for s in _statements(dev, role_id) if _actions(s) == ["dynamodb:Query"]]
    assert any("/index/GSI1" in json.dumps(s["Resource"]) for s in queries)
