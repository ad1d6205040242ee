"""The HTTP API: POST /graphql behind a JWT authorizer for the stage's issuer, with access logs; and the
Cognito user pool whose tokens it accepts."""

from __future__ import annotations

import json

import pytest
from argus.functions import GRAPHQL
from argus.platform.auth.principal import Role
from aws_cdk.assertions import Match
from synth_support import (
    EXTERNAL_AUDIENCE,
    EXTERNAL_ISSUER,
    Synth,
    cognito_issuer_and_audience,
    only,
    resources,
)

pytestmark = pytest.mark.infra


def test_graphql_route_requires_a_jwt(dev: Synth) -> None:
    authorizer_id, _ = only(dev.service, "AWS::ApiGatewayV2::Authorizer")
    routes = resources(dev.service, "AWS::ApiGatewayV2::Route")
    assert [r["Properties"]["RouteKey"] for r in routes.values()] == ["POST /graphql"]
    for route in routes.values():
        assert route["Properties"]["AuthorizationType"] == "JWT"
        assert route["Properties"]["AuthorizerId"] == {"Ref": authorizer_id}


def test_authorizer_trusts_the_cognito_pool_and_its_client(dev: Synth) -> None:
    issuer, audience = cognito_issuer_and_audience(dev)
    dev.service.has_resource_properties(
        "AWS::ApiGatewayV2::Authorizer",
        {
            "AuthorizerType": "JWT",
            "IdentitySource": ["$request.header.Authorization"],
            "JwtConfiguration": {
                "Issuer": issuer,
                "Audience": [audience],
            },
        },
    )


def test_authorizer_trusts_an_external_issuer_from_config(external: Synth) -> None:
    external.service.has_resource_properties(
        "AWS::ApiGatewayV2::Authorizer",
        {
            "AuthorizerType": "JWT",
            "JwtConfiguration": {"Issuer": EXTERNAL_ISSUER, "Audience": [EXTERNAL_AUDIENCE]},
        },
    )


def test_stage_logs_access_without_identifying_data(dev: Synth) -> None:
    _, stage = only(dev.service, "AWS::ApiGatewayV2::Stage")
    settings = stage["Properties"]["AccessLogSettings"]
    log_group_id = settings["DestinationArn"]["Fn::GetAtt"][0]
    assert log_group_id in resources(dev.service, "AWS::Logs::LogGroup")
    fields = json.loads(settings["Format"])
    assert "requestId" in fields and "status" in fields
    assert not {"$context.identity.sourceIp", "$context.identity.userAgent"} & set(fields.values())
    assert stage["Properties"]["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0


def test_user_pool_requires_mfa_and_admin_created_accounts(dev: Synth) -> None:
    dev.stateful.has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "MfaConfiguration": "ON",
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
            "Schema": Match.array_with([Match.object_like({"Name": "org", "AttributeDataType": "String"})]),
            "Policies": {"PasswordPolicy": Match.object_like({"MinimumLength": 12})},
        },
    )


def test_a_group_per_role(dev: Synth) -> None:
    groups = resources(dev.stateful, "AWS::Cognito::UserPoolGroup")
    assert sorted(g["Properties"]["GroupName"] for g in groups.values()) == sorted(r.value for r in Role)


def test_users_cannot_change_their_organisation(dev: Synth) -> None:
    _, client = only(dev.stateful, "AWS::Cognito::UserPoolClient")
    props = client["Properties"]
    assert "custom:org" in props["ReadAttributes"]  # so ID tokens carry it
    assert "custom:org" not in props["WriteAttributes"]
    assert props["GenerateSecret"] is False


def _graphql_function(synth: Synth) -> tuple[str, dict]:
    functions = resources(synth.service, "AWS::Lambda::Function")
    matches = [(i, f) for i, f in functions.items() if f["Properties"]["Handler"] == GRAPHQL.handler]
    assert len(matches) == 1
    return matches[0]


def test_production_api_invokes_a_snapstart_version_through_an_alias(external: Synth) -> None:
    function_id, function = _graphql_function(external)
    assert function["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    version_id, version = only(external.service, "AWS::Lambda::Version")
    assert version["Properties"]["FunctionName"] == {"Ref": function_id}
    alias_id, alias = only(external.service, "AWS::Lambda::Alias")
    assert alias["Properties"]["Name"] == "live"
    assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}
    _, integration = only(external.service, "AWS::ApiGatewayV2::Integration")
    assert integration["Properties"]["IntegrationUri"] == {"Ref": alias_id}
    # API Gateway may invoke the alias, and only through this API
    permissions = [
        p["Properties"]
        for p in resources(external.service, "AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "apigateway.amazonaws.com"
    ]
    assert [p["FunctionName"] for p in permissions] == [{"Ref": alias_id}]


def test_dev_invokes_latest_without_snapstart(dev: Synth) -> None:
    function_id, function = _graphql_function(dev)
    assert "SnapStart" not in function["Properties"]
    assert not resources(dev.service, "AWS::Lambda::Alias")
    _, integration = only(dev.service, "AWS::ApiGatewayV2::Integration")
    assert integration["Properties"]["IntegrationUri"] == {"Fn::GetAtt": [function_id, "Arn"]}
