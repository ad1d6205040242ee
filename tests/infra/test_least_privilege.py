"""Least privilege across the service stack: no wildcard actions, wildcard resources only where the
action allows no scoping, no table scans, no AWS managed policies."""

from __future__ import annotations

from typing import Any

import pytest
from synth_support import Synth, resources

pytestmark = pytest.mark.infra

# Actions that support no resource-level permissions (the only ones allowed on "*").
UNSCOPABLE = {"dynamodb:ListStreams", "xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def _statements(synth: Synth) -> list[dict[str, Any]]:
    found = []
    for policy_type in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for policy in resources(synth.service, policy_type).values():
            found += policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("which", ["dev", "external"])
def test_no_wildcards_beyond_unscopable_actions(which: str, request: pytest.FixtureRequest) -> None:
    synth: Synth = request.getfixturevalue(which)
    for statement in _statements(synth):
        actions = _as_list(statement["Action"])
        assert all("*" not in action for action in actions), statement
        if "*" in _as_list(statement["Resource"]):
            assert set(actions) <= UNSCOPABLE, statement


def test_no_role_may_scan_or_manage_the_table(dev: Synth) -> None:
    actions = {a for s in _statements(dev) for a in _as_list(s["Action"])}
    assert "dynamodb:Scan" not in actions
    assert not {
        a for a in actions if a.startswith(("dynamodb:Create", "dynamodb:Delete", "dynamodb:Update"))
    } - {
        "dynamodb:DeleteItem",
        "dynamodb:UpdateItem",
    }


def test_index_access_names_each_index(dev: Synth) -> None:
    for statement in _statements(dev):
        for resource in _as_list(statement["Resource"]):
            if isinstance(resource, dict) and "Fn::Join" in resource:
                suffix = resource["Fn::Join"][1][-1]
                assert suffix != "/index/*", statement


def test_key_use_is_only_through_dynamodb(dev: Synth) -> None:
    for statement in _statements(dev):
        actions = _as_list(statement["Action"])
        if any(a in {"kms:Encrypt", "kms:GenerateDataKey"} for a in actions):
            assert "kms:ViaService" in statement["Condition"]["StringEquals"], statement


def test_roles_use_no_aws_managed_policies(dev: Synth) -> None:
    for role in resources(dev.service, "AWS::IAM::Role").values():
        for arn in role["Properties"].get("ManagedPolicyArns", []):
            assert "Ref" in arn, f"AWS managed policy attached: {arn}"
