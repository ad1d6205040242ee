"""Every function of the catalogue runs the argus package on arm64 / Python 3.13 with the layer of its
dependency set and no other, is configured through the settings object's ARGUS_* variables, and has its
own log group and role."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from argus.consumers import PATTERN_JOB
from argus.functions import FUNCTIONS, GRAPHQL
from argus.platform.settings import Settings
from synth_support import Synth, cognito_issuer_and_audience, deployed_layers, only, resources

from layers import build

pytestmark = pytest.mark.infra

# Top-level packages of the media libraries (Pillow, pillow-heif, mutagen).
MEDIA_PACKAGES = ("PIL", "pillow_heif", "mutagen")
# ... and of the GraphQL API's (Strawberry, graphql-core, Mangum).
GRAPHQL_PACKAGES = ("strawberry", "graphql", "mangum")


def _functions(synth: Synth) -> dict[str, Any]:
    return resources(synth.service, "AWS::Lambda::Function")


def _env(function: dict[str, Any]) -> dict[str, Any]:
    return function["Properties"]["Environment"]["Variables"]


def _shipped(directories: list[Path], package: str) -> bool:
    return any((d / "python" / package).exists() for d in directories)


def test_one_function_per_declaration(dev: Synth) -> None:
    handlers = sorted(f["Properties"]["Handler"] for f in _functions(dev).values())
    assert handlers == sorted(function.handler for function in FUNCTIONS)
    assert len({function.name for function in FUNCTIONS}) == len(FUNCTIONS)


def test_functions_are_arm64_python313_with_own_log_group(dev: Synth) -> None:
    for layer in resources(dev.service, "AWS::Lambda::LayerVersion").values():
        assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
        assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    log_groups = resources(dev.service, "AWS::Logs::LogGroup")
    for function in _functions(dev).values():
        props = function["Properties"]
        assert props["Runtime"] == "python3.13"
        assert props["Architectures"] == ["arm64"]
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert props["LoggingConfig"]["LogFormat"] == "JSON"
        assert props["LoggingConfig"]["LogGroup"]["Ref"] in log_groups


@pytest.mark.parametrize("synth_name", ["dev", "external"])
def test_each_function_carries_only_the_layer_of_its_dependency_set(
    synth_name: str, request: pytest.FixtureRequest
) -> None:
    synth: Synth = request.getfixturevalue(synth_name)
    deployed = deployed_layers(synth)
    for function in FUNCTIONS:
        assert deployed[function.handler] == [build.layer_of(function).directory], function.name
    # One layer per distinct set, none unused.
    layers = resources(synth.service, "AWS::Lambda::LayerVersion")
    assert len(layers) == len({function.dependency_set for function in FUNCTIONS})


def test_only_the_functions_declaring_a_group_carry_its_libraries(dev: Synth) -> None:
    deployed = deployed_layers(dev)
    for function in FUNCTIONS:
        directories = deployed[function.handler]
        for group, packages in (("media", MEDIA_PACKAGES), ("graphql", GRAPHQL_PACKAGES)):
            for package in packages:
                expected = group in function.dependencies
                assert _shipped(directories, package) == expected, (function.name, package)
    # What the GraphQL function no longer carries, and the pattern job's scipy beside none of it.
    graphql = deployed[GRAPHQL.handler]
    assert not any(_shipped(graphql, package) for package in (*MEDIA_PACKAGES, "scipy"))
    assert _shipped(deployed[PATTERN_JOB.handler], "scipy")


def test_pattern_job_runs_with_2_gb_and_15_minutes(dev: Synth) -> None:
    function_id, function = only(dev.service, "AWS::Lambda::Function", {"Handler": PATTERN_JOB.handler})
    props = function["Properties"]
    assert props["MemorySize"] == 2048
    assert props["Timeout"] == 900  # Lambda's maximum
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
    _, function = only(dev.service, "AWS::Lambda::Function", {"Handler": GRAPHQL.handler})
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

    _, function = only(external.service, "AWS::Lambda::Function", {"Handler": GRAPHQL.handler})
    env = _env(function)
    assert env["ARGUS_JWT_ISSUER"] == EXTERNAL_ISSUER
    assert env["ARGUS_JWT_AUDIENCE"] == EXTERNAL_AUDIENCE
    assert env["ARGUS_STAGE"] == "prod"
    assert not resources(external.stateful, "AWS::Cognito::UserPool")


def test_graphql_function_has_reserved_concurrency_outside_dev(dev: Synth, external: Synth) -> None:
    # A night of pattern runs or a burst of media cannot take the API's share of the account
    _, prod_function = only(external.service, "AWS::Lambda::Function", {"Handler": GRAPHQL.handler})
    assert prod_function["Properties"]["ReservedConcurrentExecutions"] == 100
    # dev accounts often have a concurrency limit too low to reserve anything
    _, dev_function = only(dev.service, "AWS::Lambda::Function", {"Handler": GRAPHQL.handler})
    assert "ReservedConcurrentExecutions" not in dev_function["Properties"]
