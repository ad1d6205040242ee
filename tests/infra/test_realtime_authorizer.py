"""Relations on AWS: the subscriptions that follow one entity (a watch group, an incident) resolve on a
Lambda data source, the authoriser function, which checks the relation the local subscriptions check;
its decision refuses the subscription or accepts it with an invalidation filter, and the publish
mutation ends the subscriptions of a member who left or a captain who was replaced."""

from __future__ import annotations

import json
from typing import Any

import pytest
from appsync_js import matches, run
from argus.consumers import LIVE_EVENTS_PATTERN
from argus.realtime import (
    AUTHORIZER_HANDLER,
    CAPTAIN_KEY,
    ENDING_EVENTS,
    FOLLOWED,
    INCIDENT_TIMELINE,
    MEMBER_KEY,
    WATCH_GROUP_ACTIVITY,
    invalidation_filter,
)
from argus.watch.events import ACTIVITY_LOGGED, CAPTAIN_ASSIGNED, MEMBER_LEFT
from live_support import relayed_detail, target_input
from synth_support import Synth, imported, only, resources

from infra.constructs.table import KEY_READ_ACTIONS
from tests.factories.events import cloudevent, eventbridge_envelope

pytestmark = pytest.mark.infra

ORG = "northshire"
GROUP = "01a1fcb8-e3d2-7483-b3fb-860ee813b69e"
MEMBER = "01a1fcb8-e604-722d-b4f6-207efed6ce1f"
CAPTAIN = "c41e8b27-6a9d-4f3c-b2e5-8d7a0f1c9e36"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _function_id(synth: Synth) -> str:
    function_id, _ = only(synth.service, "AWS::Lambda::Function", {"Handler": AUTHORIZER_HANDLER})
    return function_id


def _resolver(synth: Synth, type_name: str, field_name: str) -> dict[str, Any]:
    _, resolver = only(
        synth.service, "AWS::AppSync::Resolver", {"TypeName": type_name, "FieldName": field_name}
    )
    return resolver["Properties"]


def _data_source(synth: Synth, resolver: dict[str, Any]) -> dict[str, Any]:
    _, data_source = only(synth.service, "AWS::AppSync::DataSource", {"Name": resolver["DataSourceName"]})
    properties: dict[str, Any] = data_source["Properties"]
    return properties


def _statements(synth: Synth, role_id: str) -> list[dict[str, Any]]:
    return [
        s
        for p in resources(synth.service, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


# --- the template ------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["dev", "external"])
def test_followed_subscriptions_resolve_on_the_authoriser(which: str, request: pytest.FixtureRequest) -> None:
    synth: Synth = request.getfixturevalue(which)
    function_id = _function_id(synth)
    for followed in FOLLOWED:
        resolver = _resolver(synth, "Subscription", followed.field)
        data_source = _data_source(synth, resolver)
        assert data_source["Type"] == "AWS_LAMBDA"
        assert data_source["LambdaConfig"] == {"LambdaFunctionArn": {"Fn::GetAtt": [function_id, "Arn"]}}
        assert resolver["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}
    # The organisation's events need no relation (the token's organisation is all): no function call
    assert _data_source(synth, _resolver(synth, "Subscription", "organisationEvents"))["Type"] == "NONE"
    assert _data_source(synth, _resolver(synth, "Mutation", "publishLiveEvent"))["Type"] == "NONE"


def test_appsync_may_invoke_the_authoriser_and_nothing_else(dev: Synth) -> None:
    (data_source,) = [
        d["Properties"]
        for d in resources(dev.service, "AWS::AppSync::DataSource").values()
        if d["Properties"]["Type"] == "AWS_LAMBDA"
    ]
    role_id = data_source["ServiceRoleArn"]["Fn::GetAtt"][0]
    role = resources(dev.service, "AWS::IAM::Role")[role_id]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "appsync.amazonaws.com"
    }
    (statement,) = _statements(dev, role_id)
    # exactly the function: not its versions and aliases (``<arn>:*``)
    assert (statement["Action"], statement["Resource"]) == (
        "lambda:InvokeFunction",
        {"Fn::GetAtt": [_function_id(dev), "Arn"]},
    )


def test_the_authoriser_reads_items_and_queries_the_table_and_writes_nothing(dev: Synth) -> None:
    _, function = only(dev.service, "AWS::Lambda::Function", {"Handler": AUTHORIZER_HANDLER})
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = _statements(dev, role_id)
    table_id, _ = only(dev.stateful, "AWS::DynamoDB::Table")
    key_id, _ = only(dev.stateful, "AWS::KMS::Key")
    table_arn = imported(dev, {"Fn::GetAtt": [table_id, "Arn"]})
    by_action = {tuple(sorted(_as_list(s["Action"]))): s for s in statements}
    assert set(by_action) == {
        ("logs:CreateLogStream", "logs:PutLogEvents"),
        ("dynamodb:GetItem", "dynamodb:Query"),
        tuple(sorted(KEY_READ_ACTIONS)),
    }
    # the table itself (its items and the user partitions it queries), no index
    assert by_action["dynamodb:GetItem", "dynamodb:Query"]["Resource"] == table_arn
    key = by_action[tuple(sorted(KEY_READ_ACTIONS))]
    assert key["Resource"] == imported(dev, {"Fn::GetAtt": [key_id, "Arn"]})
    assert "kms:ViaService" in key["Condition"]["StringEquals"]
    # its own log group, kept as long as the other functions' (the stage's retention)
    log_groups = resources(dev.service, "AWS::Logs::LogGroup")
    _, relay = only(dev.service, "AWS::Lambda::Function", {"Handler": "argus.handlers.outbox_relay.handler"})
    own_id, other_id = (f["Properties"]["LoggingConfig"]["LogGroup"]["Ref"] for f in (function, relay))
    assert own_id != other_id
    retention = log_groups[own_id]["Properties"]["RetentionInDays"]
    assert retention == log_groups[other_id]["Properties"]["RetentionInDays"]
    # and the issuer's claim names, to read the subscriber's organisation and roles
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables["ARGUS_ORG_CLAIM"] == "custom:org"
    assert variables["ARGUS_GROUPS_CLAIM"] == "cognito:groups"


def test_the_authoriser_is_alarmed_like_the_other_functions(dev: Synth) -> None:
    function_id = _function_id(dev)
    alarms = [
        a["Properties"]
        for a in resources(dev.service, "AWS::CloudWatch::Alarm").values()
        if {"Name": "FunctionName", "Value": {"Ref": function_id}} in a["Properties"].get("Dimensions", [])
    ]
    assert sorted(a["MetricName"] for a in alarms) == ["Duration", "Errors", "Throttles"]


# --- the resolvers' code, run ------------------------------------------------------------------------


def _subscriber(org: str | None = ORG, sub: str = CAPTAIN) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": sub, "cognito:groups": ["captain"], "exp": 1_900_000_000}
    if org is not None:
        claims["custom:org"] = org
    return {"claims": claims, "issuer": "https://cognito-idp.eu-west-2.amazonaws.com/pool", "sub": sub}


def _subscribe_code(dev: Synth, field: str = WATCH_GROUP_ACTIVITY.field) -> str:
    return str(_resolver(dev, "Subscription", field)["Code"])


def test_subscribing_asks_the_authoriser_with_the_resolver_context_and_no_headers(dev: Synth) -> None:
    # Given a captain subscribing to a group
    context = {
        "arguments": {"groupId": GROUP},
        "identity": _subscriber(),
        "info": {"parentTypeName": "Subscription", "fieldName": "watchGroupActivity", "variables": {}},
        "request": {"headers": {"authorization": "Bearer secret-token"}},
    }
    # When the request handler runs
    outcome = run(_subscribe_code(dev), "request", context)
    # Then it invokes the function with AppSync's Lambda resolver context, without the bearer token
    assert outcome.returned == {
        "operation": "Invoke",
        "payload": {k: context[k] for k in ("arguments", "identity", "info")},
    }
    assert "secret-token" not in json.dumps(outcome.returned)


def test_a_token_without_organisation_is_refused_before_the_function_is_called(dev: Synth) -> None:
    outcome = run(
        _subscribe_code(dev), "request", {"arguments": {"groupId": GROUP}, "identity": _subscriber(None)}
    )
    assert outcome.stopped is not None and outcome.stopped["kind"] == "unauthorized"
    assert outcome.returned is None


@pytest.mark.parametrize("field", [f.field for f in FOLLOWED])
def test_a_refusal_rejects_the_subscription_with_its_code(dev: Synth, field: str) -> None:
    decision = {"allowed": False, "code": "FORBIDDEN", "message": "Only members.", "details": {}}
    outcome = run(
        _subscribe_code(dev, field),
        "response",
        {"arguments": {"groupId": GROUP, "incidentId": GROUP}, "identity": _subscriber(), "result": decision},
    )
    assert outcome.stopped == {
        "kind": "error",
        "message": "Only members.",
        "errorType": "FORBIDDEN",
        "data": None,
        "errorInfo": {"code": "FORBIDDEN", "details": {}},
    }
    assert outcome.calls == []  # no filter: the subscription does not start


@pytest.mark.parametrize("field", [f.field for f in FOLLOWED])
def test_a_failed_check_rejects_the_subscription_as_internal(dev: Synth, field: str) -> None:
    error = {"message": "Task timed out", "type": "Lambda:Unhandled"}
    outcome = run(
        _subscribe_code(dev, field), "response", {"arguments": {}, "identity": _subscriber(), "error": error}
    )
    assert outcome.stopped is not None
    assert (outcome.stopped["errorType"], outcome.stopped["errorInfo"]) == ("INTERNAL", {"code": "INTERNAL"})
    assert "Task timed out" not in outcome.stopped["message"]


def _publish(dev: Synth, variables: dict[str, Any]) -> list[dict[str, Any]]:
    """The invalidations the publish mutation's resolver asks for, given EventBridge's variables."""
    code = str(_resolver(dev, "Mutation", "publishLiveEvent")["Code"])
    outcome = run(code, "response", {"arguments": variables, "result": variables})
    assert outcome.returned == variables
    return outcome.extension("invalidateSubscriptions")


def _accepted_filters(dev: Synth, names: dict[str, list[str]]) -> tuple[dict[str, Any], Any]:
    """(subscription filter, invalidation filter) a subscriber accepted with ``names`` gets."""
    decision = {"allowed": True, "invalidation": invalidation_filter(ORG, GROUP, names)}
    outcome = run(
        _subscribe_code(dev),
        "response",
        {"arguments": {"groupId": GROUP}, "identity": _subscriber(), "result": decision},
    )
    assert outcome.returned is None and outcome.stopped is None
    (subscription_filter,) = outcome.extension("setSubscriptionFilter")
    invalidation = outcome.extension("setSubscriptionInvalidationFilter")
    return subscription_filter, invalidation[0] if invalidation else None


def _variables(
    dev: Synth, event_type: str, data: dict[str, Any], monkeypatch: pytest.MonkeyPatch, org: str = ORG
) -> dict[str, Any]:
    """The publish mutation's variables for a live event relayed and filled in by EventBridge."""
    _, rule = only(dev.service, "AWS::Events::Rule", {"EventPattern": LIVE_EVENTS_PATTERN})
    (target,) = rule["Properties"]["Targets"]
    event = cloudevent(
        event_type, org=org, subject=GROUP, data={"groupId": GROUP, "actor": "officer-1", **data}
    )
    return target_input(target["InputTransformer"], eventbridge_envelope(relayed_detail(event, monkeypatch)))


def test_an_accepted_subscriber_receives_the_groups_events_and_no_others(
    dev: Synth, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscription_filter, _ = _accepted_filters(dev, {MEMBER_KEY: [MEMBER]})
    own = _variables(dev, ACTIVITY_LOGGED, {"activityId": "a-1"}, monkeypatch)
    assert matches(subscription_filter, own)
    elsewhere = _variables(dev, ACTIVITY_LOGGED, {"activityId": "a-2"}, monkeypatch, org="southvale")
    assert not matches(subscription_filter, elsewhere)


def test_leaving_the_group_ends_that_members_subscription_only(
    dev: Synth, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a member accepted, and another member of the same group
    _, leaver = _accepted_filters(dev, {MEMBER_KEY: [MEMBER]})
    _, stayer = _accepted_filters(dev, {MEMBER_KEY: ["01a1fcb8-0000-7000-8000-000000000001"]})
    # When the member.left event of the first is published
    left = _variables(dev, MEMBER_LEFT, {"memberId": MEMBER, "blockId": "b-1"}, monkeypatch)
    (invalidation,) = _publish(dev, left)
    # Then AppSync is asked to end watchGroupActivity subscriptions matching it: the leaver's only
    assert invalidation["subscriptionField"] == WATCH_GROUP_ACTIVITY.field
    assert matches(leaver, invalidation["payload"])
    assert not matches(stayer, invalidation["payload"])


def test_a_replaced_captains_subscription_ends(dev: Synth, monkeypatch: pytest.MonkeyPatch) -> None:
    _, replaced = _accepted_filters(dev, {CAPTAIN_KEY: [CAPTAIN]})
    _, newcomer = _accepted_filters(dev, {CAPTAIN_KEY: ["captain-new"]})
    assigned = _variables(
        dev,
        CAPTAIN_ASSIGNED,
        {"blockId": "b-1", "captain": "captain-new", "previousCaptain": CAPTAIN},
        monkeypatch,
    )
    (invalidation,) = _publish(dev, assigned)
    assert matches(replaced, invalidation["payload"]) and not matches(newcomer, invalidation["payload"])
    # A first captain replaces nobody: nothing ends
    first = _variables(
        dev, CAPTAIN_ASSIGNED, {"blockId": "b-1", "captain": CAPTAIN, "previousCaptain": None}, monkeypatch
    )
    assert _publish(dev, first) == []


def test_other_events_end_nothing_and_staff_are_never_ended(
    dev: Synth, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _publish(dev, _variables(dev, ACTIVITY_LOGGED, {"activityId": "a-1"}, monkeypatch)) == []
    _, staff = _accepted_filters(dev, {})
    assert staff is None


def test_every_ending_event_is_handled_by_the_publisher(dev: Synth) -> None:
    code = str(_resolver(dev, "Mutation", "publishLiveEvent")["Code"])
    for ending in ENDING_EVENTS:
        assert json.dumps(ending.event_type) in code
        assert json.dumps(ending.subscription.field) in code
    assert INCIDENT_TIMELINE.field not in code  # nothing ends a reporter's relation
