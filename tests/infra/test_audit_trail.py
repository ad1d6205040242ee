"""The audit trail is append-only: no role but its writer (the ``audit`` consumer) may put, update or
delete items in an organisation's audit partition (``ORG#<org>#AUDIT``), and the writer may put and
update there (pseudonymising personal fields on erasure) but never delete. Enforced in IAM with
``dynamodb:LeadingKeys`` conditions, so a bug or a compromised function cannot rewrite history."""

from __future__ import annotations

import fnmatch
from typing import Any

import pytest
from argus.consumers import AUDIT, CONSUMERS
from argus.platform import keys
from synth_support import Synth, imported, only, resources

from infra.constructs.table import WRITE_ACTIONS

pytestmark = pytest.mark.infra


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements_by_role(synth: Synth) -> dict[str, list[dict[str, Any]]]:
    by_role: dict[str, list[dict[str, Any]]] = {}
    for policy in resources(synth.service, "AWS::IAM::Policy").values():
        for role in policy["Properties"]["Roles"]:
            by_role.setdefault(role["Ref"], []).extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return by_role


def _table_arn(synth: Synth) -> dict[str, str]:
    table_id, _ = only(synth.stateful, "AWS::DynamoDB::Table")
    return imported(synth, {"Fn::GetAtt": [table_id, "Arn"]})


def _writes_allowed(statements: list[dict[str, Any]], table_arn: dict[str, str]) -> set[str]:
    return {
        action
        for s in statements
        if s["Effect"] == "Allow" and table_arn in _as_list(s["Resource"])
        for action in _as_list(s["Action"])
        if action in WRITE_ACTIONS
    }


def _audit_denies(statements: list[dict[str, Any]], table_arn: dict[str, str]) -> list[dict[str, Any]]:
    return [
        s
        for s in statements
        if s["Effect"] == "Deny"
        and table_arn in _as_list(s["Resource"])
        and "dynamodb:LeadingKeys" in s.get("Condition", {}).get("ForAnyValue:StringLike", {})
    ]


def _role_of(synth: Synth, handler: str) -> str:
    _, function = only(synth.service, "AWS::Lambda::Function", {"Handler": handler})
    return str(function["Properties"]["Role"]["Fn::GetAtt"][0])


def _denied_partitions(deny: dict[str, Any]) -> list[str]:
    return _as_list(deny["Condition"]["ForAnyValue:StringLike"]["dynamodb:LeadingKeys"])


@pytest.mark.parametrize("which", ["dev", "external"])
def test_every_table_writer_but_the_audit_consumer_is_denied_the_audit_partitions(
    which: str, request: pytest.FixtureRequest
) -> None:
    synth: Synth = request.getfixturevalue(which)
    table_arn = _table_arn(synth)
    audit_role = _role_of(synth, AUDIT.handler)
    writers = {
        role: statements
        for role, statements in _statements_by_role(synth).items()
        if _writes_allowed(statements, table_arn)
    }
    # GraphQL, the pattern schedule and every consumer write the table
    assert len(writers) == 2 + len(CONSUMERS)
    for role, statements in writers.items():
        if role == audit_role:
            continue
        (deny,) = _audit_denies(statements, table_arn)
        # Then every write action is denied there (transactions are authorised per item action)
        assert set(_as_list(deny["Action"])) == set(WRITE_ACTIONS), role
        assert _denied_partitions(deny) == ["ORG#*#AUDIT"], role


def test_the_audit_writer_may_append_and_pseudonymise_but_never_delete(dev: Synth) -> None:
    table_arn = _table_arn(dev)
    statements = _statements_by_role(dev)[_role_of(dev, AUDIT.handler)]
    assert {"dynamodb:PutItem", "dynamodb:UpdateItem"} <= _writes_allowed(statements, table_arn)
    (deny,) = _audit_denies(statements, table_arn)
    # BatchWriteItem can delete too; the writer appends with PutItem inside transactions
    assert set(_as_list(deny["Action"])) == {"dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
    assert _denied_partitions(deny) == ["ORG#*#AUDIT"]


def test_the_denied_pattern_is_exactly_the_audit_partition_key() -> None:
    # Given the key builder the audit store writes with
    pattern = "ORG#*#AUDIT"
    # Then every organisation's audit partition matches, and no other partition of that organisation
    for org in ("a", "north-yorkshire", "org-1-x"):
        assert fnmatch.fnmatchcase(keys.audit_pk(org), pattern)
        for other in (
            keys.org_pk(org),
            keys.user_pk(org, "sub-1"),
            keys.outbox_pk(org, "e1"),
            keys.processed_pk(org, AUDIT.name),
            keys.staff_index_pk(org),
        ):
            assert not fnmatch.fnmatchcase(other, pattern), other
