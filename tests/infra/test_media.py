"""Incident media access: the GraphQL function may write only quarantine/ (signed uploads) and read
media/; the sanitiser moves quarantine/ into media/. Nothing may write media/ but the sanitiser."""

from __future__ import annotations

import json
from typing import Any

from synth_support import Synth, resources


def _policy(dev: Synth, name: str) -> list[dict[str, Any]]:
    [policy] = [p for lid, p in resources(dev.service, "AWS::IAM::Policy").items() if lid.startswith(name)]
    return policy["Properties"]["PolicyDocument"]["Statement"]


def _grants(statements: list[dict[str, Any]]) -> dict[str, set[str]]:
    """action → the object prefixes (quarantine/*, media/*) it is allowed on."""
    grants: dict[str, set[str]] = {}
    for statement in statements:
        resource = json.dumps(statement["Resource"])
        for action in [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]:
            if action.startswith("s3:"):
                prefix = "quarantine/*" if "quarantine/*" in resource else "media/*"
                grants.setdefault(action, set()).add(prefix)
    return grants


def test_the_graphql_function_writes_only_to_quarantine(dev: Synth) -> None:
    grants = _grants(_policy(dev, "GraphqlMediaAccess"))
    assert grants == {
        "s3:PutObject": {"quarantine/*"},
        "s3:GetObject": {"quarantine/*", "media/*"},
        "s3:DeleteObject": {"quarantine/*"},
    }


def test_the_sanitiser_moves_quarantine_into_media(dev: Synth) -> None:
    grants = _grants(_policy(dev, "SanitiserMediaAccess"))
    assert grants == {
        "s3:PutObject": {"media/*"},
        "s3:GetObject": {"quarantine/*", "media/*"},
        "s3:DeleteObject": {"quarantine/*"},
    }


def test_media_policies_name_the_media_bucket_and_use_kms_only_through_s3(dev: Synth) -> None:
    outputs = dev.stateful.to_json()["Outputs"].values()
    [export] = [
        o["Export"]["Name"]
        for o in outputs
        if o.get("Export", {}).get("Name", "").endswith("-MediaBucketArn")
    ]
    bucket_arn = dev.stateful.to_json()["Outputs"]["MediaBucketArn"]["Value"]
    assert bucket_arn["Fn::GetAtt"][1] == "Arn" and bucket_arn["Fn::GetAtt"][0].startswith("BucketsMedia")
    for name in ("GraphqlMediaAccess", "SanitiserMediaAccess"):
        statements = _policy(dev, name)
        for statement in statements:
            if any(
                a.startswith("s3:")
                for a in (
                    [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
                )
            ):
                assert {"Fn::ImportValue": export} in json.loads(json.dumps(statement["Resource"]))[
                    "Fn::Join"
                ][1]
        [kms] = [s for s in statements if "kms:Decrypt" in s["Action"]]
        assert "kms:ViaService" in json.dumps(kms["Condition"])
