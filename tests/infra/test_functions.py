"""Every function runs the argus package on arm64 / Python 3.13 with its dependency layer (the shared
one, or the patterns one for the pattern job), is configured through the settings object's ARGUS_*
variables, and has its own log group and role."""

from __future__ import annotations

from typing import Any

import pytest
from argus.consumers import CONSUMERS, PATTERN_JOB
from argus.platform.settings import Settings
from argus.realtime import AUTHORIZER_HANDLER
from synth_support import Synth, cognito_issuer_and_audience, only, resources

pytestmark = pytest.mark.infra

GRAPHQL = "argus.handlers.graphql.handler"
RELAY = "argus.handlers.outbox_relay.handler"
PATTERN_SCHEDULE = "argus.handlers.pattern_schedule.handler"


def _functions(synth: Synth) -> dict[str, Any]:
    return resources(synth.service, "AWS::Lambda::Function")


def _env(function: dict[str, Any]) -> dict[str, Any]:
    return function["Properties"]["Environment"]["Variables"]


def test_one_function_per_handler(dev: Synth) -> None:
    handlers = sorted(f["Properties"]["Handler"] for f in _functions(dev).values())
    expected = [GRAPHQL, RELAY, PATTERN_SCHEDULE, AUTHORIZER_HANDLER, *(spec.handler for spec in CONSUMERS)]
    assert handlers == sorted(expected)


def _layer_ids(synth: Synth) -> tuple[str, str]:
    """(shared layer, patterns layer) logical ids."""
    layers = resources(synth.service, "AWS::Lambda::LayerVersion")
    assert len(layers) == 2, sorted(layers)
    for layer in layers.values():
        assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
        assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    (patterns,) = [k for k, v in layers.items() if "scipy" in v["Properties"]["Description"]]
    (shared,) = set(layers) - {patterns}
    return shared, patterns


def test_functions_are_arm64_python313_with_their_layer_and_own_log_group(dev: Synth) -> None:
    shared, patterns = _layer_ids(dev)
    log_groups = resources(dev.service, "AWS::Logs::LogGroup")
    for function in _functions(dev).values():
        props = function["Properties"]
        assert props["Runtime"] == "python3.13"
        assert props["Architectures"] == ["arm64"]
        expected = patterns if props["Handler"] == PATTERN_JOB.handler else shared
        assert props["Layers"] == [{"Ref": expected}], props["Handler"]
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert props["LoggingConfig"]["LogFormat"] == "JSON"
        assert props["LoggingConfig"]["LogGroup"]["Ref"] in log_groups


def test_pattern_job_runs_alone_on_the_patterns_layer_with_2_gb_and_15_minutes(dev: Synth) -> None:
    shared, patterns = _layer_ids(dev)
    function_id, function = only(dev.service, "AWS::Lambda::Function", {"Handler": PATTERN_JOB.handler})
    props = function["Properties"]
    assert props["Layers"] == [{"Ref": patterns}]
    assert {"Ref": shared} not in props["Layers"]
    assert props["MemorySize"] == 2048
    assert props["Timeout"] == 900  # Lambda's maximum
    on_patterns = [f for f in _functions(dev).values() if {"Ref": patterns} in f["Properties"]["Layers"]]
    assert len(on_patterns) == 1
    # Its queue: one message at a time, visible again only after six times the function timeout.
    _, mapping = only(dev.service, "AWS::Lambda::EventSourceMapping", {"FunctionName": {"Ref": function_id}})
    assert mapping["Properties"]["BatchSize"] == 1
    queue_id = mapping["Properties"]["EventSourceArn"]["Fn::GetAtt"][0]
    queue = resources(dev.service, "AWS::SQS::Queue")[queue_id]
    assert queue["Properties"]["VisibilityTimeout"] == 5400


def test_environment_variables_are_settings_fields(dev: Synth, external: Synth) -> None:
    # Every ARGUS_* variable must be read by argus.platform.settings.Settings, or it configures nothing.
    fields = {f"ARGUS_{name.upper()}" for name in Settings.model_fields}
    for synth in (dev, external):
        for function in _functions(synth).values():
            argus_vars = {k for k in _env(function) if k.startswith("ARGUS_")}
            assert argus_vars <= fields, argus_vars - fields
            assert {"ARGUS_STAGE", "ARGUS_REGION", "ARGUS_TABLE_NAME", "ARGUS_EVENT_BUS_NAME"} <= argus_vars


def test_graphql_function_knows_the_issuer_claims_and_realtime_url(dev: Synth) -> None:
    _, function = only(dev.service, "AWS::Lambda::Function", {"Handler": GRAPHQL})
    env = _env(function)
    issuer, audience = cognito_issuer_and_audience(dev)
    api_id, _ = only(dev.service, "AWS::AppSync::GraphQLApi")
    assert env["ARGUS_STAGE"] == "dev"
    assert env["ARGUS_JWT_ISSUER"] == issuer
    assert env["ARGUS_JWT_AUDIENCE"] == audience
    assert env["ARGUS_ORG_CLAIM"] == "custom:org"
    # With Cognito, roles come from the groups only (a user attribute never grants a role)
    assert env["ARGUS_ROLES_CLAIM"] == env["ARGUS_GROUPS_CLAIM"] == "cognito:groups"
    assert env["ARGUS_REALTIME_URL"] == {"Fn::GetAtt": [api_id, "GraphQLUrl"]}
    assert function["Properties"]["Timeout"] < 30  # under API Gateway's integration timeout


def test_table_and_bus_names_come_from_the_stateful_stack(dev: Synth) -> None:
    for function in _functions(dev).values():
        env = _env(function)
        assert "Fn::ImportValue" in env["ARGUS_TABLE_NAME"]
        assert "Fn::ImportValue" in env["ARGUS_EVENT_BUS_NAME"]


def test_external_issuer_is_passed_through(external: Synth) -> None:
    from synth_support import EXTERNAL_AUDIENCE, EXTERNAL_ISSUER

    _, function = only(external.service, "AWS::Lambda::Function", {"Handler": GRAPHQL})
    env = _env(function)
    assert env["ARGUS_JWT_ISSUER"] == EXTERNAL_ISSUER
    assert env["ARGUS_JWT_AUDIENCE"] == EXTERNAL_AUDIENCE
    assert env["ARGUS_STAGE"] == "prod"
    assert not resources(external.stateful, "AWS::Cognito::UserPool")


def test_graphql_function_has_reserved_concurrency_outside_dev(dev: Synth, external: Synth) -> None:
    # A night of pattern runs or a burst of media cannot take the API's share of the account
    _, prod_function = only(external.service, "AWS::Lambda::Function", {"Handler": GRAPHQL})
    assert prod_function["Properties"]["ReservedConcurrentExecutions"] == 100
    # dev accounts often have a concurrency limit too low to reserve anything
    _, dev_function = only(dev.service, "AWS::Lambda::Function", {"Handler": GRAPHQL})
    assert "ReservedConcurrentExecutions" not in dev_function["Properties"]
