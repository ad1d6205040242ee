"""The real-time API: subscriptions only, OIDC for subscribers and IAM for the publisher (no API key),
organisation filtering from the verified token, fed by the live-events rule through a narrow role."""

from __future__ import annotations

import json
import re

import pytest
from argus.consumers import LIVE_EVENTS_PATTERN
from argus.organisations.events import ORGANISATION_UPDATED
from argus.platform.relay import LIVE_DATA
from argus.watch.events import MEMBER_APPROVED
from live_support import relayed_detail, target_input
from synth_support import (
    EXTERNAL_AUDIENCE,
    EXTERNAL_ISSUER,
    Synth,
    cognito_issuer_and_audience,
    only,
    resources,
)

from infra.constructs.realtime import SCHEMA
from tests.factories.events import cloudevent, eventbridge_envelope

pytestmark = pytest.mark.infra


def test_auth_modes_are_oidc_and_iam_without_api_key(dev: Synth, external: Synth) -> None:
    issuer, audience = cognito_issuer_and_audience(dev)
    _, api = only(dev.service, "AWS::AppSync::GraphQLApi")
    props = api["Properties"]
    assert props["AuthenticationType"] == "OPENID_CONNECT"
    assert props["OpenIDConnectConfig"] == {"Issuer": issuer, "ClientId": audience}
    assert props["AdditionalAuthenticationProviders"] == [{"AuthenticationType": "AWS_IAM"}]
    assert not resources(dev.service, "AWS::AppSync::ApiKey")
    _, api = only(external.service, "AWS::AppSync::GraphQLApi")
    assert api["Properties"]["OpenIDConnectConfig"] == {
        "Issuer": EXTERNAL_ISSUER,
        "ClientId": EXTERNAL_AUDIENCE,
    }
    assert not resources(external.service, "AWS::AppSync::ApiKey")


def test_schema_is_the_realtime_schema_file(dev: Synth) -> None:
    _, schema = only(dev.service, "AWS::AppSync::GraphQLSchema")
    definition = schema["Properties"]["Definition"]
    assert definition == SCHEMA.read_text()
    # The publish mutation is IAM only; the subscription takes no organisation argument
    assert re.search(r"publishLiveEvent\([^)]*\): LiveEvent @aws_iam\b", definition, re.S)
    assert re.search(
        r"organisationEvents: LiveEvent @aws_subscribe\(mutations: \[\"publishLiveEvent\"\]\)", definition
    )


def test_live_event_type_mirrors_the_strawberry_type(dev: Synth) -> None:
    text = SCHEMA.read_text()
    body = re.search(r"type LiveEvent [^{]*\{([^}]*)\}", text)
    assert body
    fields = dict(line.strip().split(": ") for line in body.group(1).strip().splitlines())
    assert fields == {
        "id": "String!",
        "type": "String!",
        "source": "String!",
        "subject": "String",
        "time": "AWSDateTime!",
        "orgId": "String!",
        "data": "AWSJSON!",
    }


def test_subscription_is_filtered_by_the_tokens_organisation(dev: Synth) -> None:
    _, resolver = only(
        dev.service, "AWS::AppSync::Resolver", {"TypeName": "Subscription", "FieldName": "organisationEvents"}
    )
    code = resolver["Properties"]["Code"]
    assert 'claims["custom:org"]' in code
    assert "util.unauthorized()" in code
    assert "orgId: { eq: org }" in code
    assert "ctx.args" not in code and "ctx.arguments" not in code  # nothing the client sends is trusted
    _, data_source = only(
        dev.service, "AWS::AppSync::DataSource", {"Name": resolver["Properties"]["DataSourceName"]}
    )
    assert data_source["Properties"]["Type"] == "NONE"


def test_watch_group_subscription_takes_the_organisation_from_the_token(dev: Synth) -> None:
    _, resolver = only(
        dev.service, "AWS::AppSync::Resolver", {"TypeName": "Subscription", "FieldName": "watchGroupActivity"}
    )
    code = resolver["Properties"]["Code"]
    assert 'claims["custom:org"]' in code and "util.unauthorized()" in code
    # The organisation comes from the token; only the group is the client's choice.
    assert "orgId: { eq: org }" in code
    assert "subject: { eq: ctx.args.groupId }" in code
    assert 'type: { beginsWith: "org.argus.watch." }' in code


def test_publish_passes_the_arguments_through(dev: Synth) -> None:
    _, resolver = only(dev.service, "AWS::AppSync::Resolver", {"TypeName": "Mutation"})
    assert resolver["Properties"]["FieldName"] == "publishLiveEvent"
    assert "payload: ctx.arguments" in resolver["Properties"]["Code"]
    assert resolver["Properties"]["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}


def test_live_rule_targets_appsync_with_a_dead_letter_queue(dev: Synth) -> None:
    api_id, _ = only(dev.service, "AWS::AppSync::GraphQLApi")
    _, rule = only(dev.service, "AWS::Events::Rule", {"EventPattern": LIVE_EVENTS_PATTERN})
    (target,) = rule["Properties"]["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [api_id, "GraphQLEndpointArn"]}
    assert "publishLiveEvent(" in target["AppSyncParameters"]["GraphQLOperation"]
    assert target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0] in resources(dev.service, "AWS::SQS::Queue")
    paths = target["InputTransformer"]["InputPathsMap"]
    assert "$.detail.orgid" in paths.values()
    assert f"$.detail.{LIVE_DATA}" in paths.values()  # the data as JSON text, not the object
    # The variables are JSON once EventBridge substitutes the placeholders
    template = target["InputTransformer"]["InputTemplate"]
    variables = json.loads(re.sub(r"<[^>]+>", '"x"', template))
    assert set(variables) == {"id", "type", "source", "subject", "time", "orgId", "data"}


def test_publisher_role_may_only_call_the_publish_mutation(dev: Synth) -> None:
    _, rule = only(dev.service, "AWS::Events::Rule", {"EventPattern": LIVE_EVENTS_PATTERN})
    role_id = rule["Properties"]["Targets"][0]["RoleArn"]["Fn::GetAtt"][0]
    statements = [
        s
        for p in resources(dev.service, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    (statement,) = statements
    assert statement["Action"] == "appsync:GraphQL"
    joined = statement["Resource"]["Fn::Join"][1]
    assert joined[-1] == "/types/Mutation/fields/publishLiveEvent"


def test_request_logs_exclude_verbose_content(dev: Synth) -> None:
    _, api = only(dev.service, "AWS::AppSync::GraphQLApi")
    log_config = api["Properties"]["LogConfig"]
    assert log_config["ExcludeVerboseContent"] is True  # verbose logs would contain bearer tokens
    assert log_config["FieldLogLevel"] == "ERROR"
    assert not resources(dev.service, "Custom::LogRetention")


def test_incident_timeline_subscription_takes_the_organisation_from_the_token(dev: Synth) -> None:
    _, resolver = only(
        dev.service, "AWS::AppSync::Resolver", {"TypeName": "Subscription", "FieldName": "incidentTimeline"}
    )
    code = resolver["Properties"]["Code"]
    assert 'claims["custom:org"]' in code and "util.unauthorized()" in code
    assert "orgId: { eq: org }" in code
    assert "subject: { eq: ctx.args.incidentId }" in code
    assert 'type: { beginsWith: "org.argus.incident." }' in code


# --- what EventBridge hands AppSync for a relayed live event --------------------------------------


@pytest.mark.parametrize("event_type", [MEMBER_APPROVED, ORGANISATION_UPDATED])
def test_a_relayed_live_event_reaches_appsync_with_its_data_as_a_json_string(
    event_type: str, dev: Synth, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the live rule's AppSync target and a live event as the outbox relay puts it on the bus
    _, rule = only(dev.service, "AWS::Events::Rule", {"EventPattern": LIVE_EVENTS_PATTERN})
    (target,) = rule["Properties"]["Targets"]
    event = cloudevent(event_type, data={"groupId": "g-1", "actor": "u-1", "memberId": "m-1", "n": 1})
    detail = relayed_detail(event, monkeypatch)
    # When EventBridge fills the target's input from the delivered event
    variables = target_input(target["InputTransformer"], eventbridge_envelope(detail))
    # Then data is a string (AppSync's AWSJSON is JSON text, an object fails the call) holding the data
    assert isinstance(variables["data"], str)
    assert json.loads(variables["data"]) == event.get_data()
    # and every other argument is the CloudEvent's
    assert variables == {
        "id": event.get_id(),
        "type": event_type,
        "source": event.get_source(),
        "subject": event.get_subject(),
        "time": detail["time"],
        "orgId": "northshire",
        "data": variables["data"],
    }
