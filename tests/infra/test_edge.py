"""The public entry points behind AWS WAF: the GraphQL HTTP API only through CloudFront (its own
execute-api endpoint off) with a CLOUDFRONT web ACL in a us-east-1 stack; the AppSync API and the
Cognito user pool with a REGIONAL web ACL. Same rules everywhere: geography (when configured), a rate
limit per client address, AWS's IP reputation list, common rule set and known bad inputs."""

from __future__ import annotations

from typing import Any

import pytest
from synth_support import (
    ALLOWED_COUNTRIES,
    API_CERTIFICATE_ARN,
    API_DOMAIN,
    API_ORIGIN_CERTIFICATE_ARN,
    API_ORIGIN_DOMAIN,
    Synth,
    imported,
    only,
    resources,
)

pytestmark = pytest.mark.infra

MANAGED_GROUPS = {
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
}


def _managed_groups(acl: dict[str, Any]) -> set[str]:
    return {
        r["Statement"]["ManagedRuleGroupStatement"]["Name"]
        for r in acl["Properties"]["Rules"]
        if "ManagedRuleGroupStatement" in r["Statement"]
    }


def _rate_rules(acl: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in acl["Properties"]["Rules"] if "RateBasedStatement" in r["Statement"]]


def _geo_rules(acl: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        r
        for r in acl["Properties"]["Rules"]
        if "GeoMatchStatement" in r["Statement"].get("NotStatement", {}).get("Statement", {})
    ]


def test_production_api_is_served_by_cloudfront_behind_a_cloudfront_web_acl(external: Synth) -> None:
    # Given production with a public API domain
    assert external.edge is not None
    # Then a us-east-1 stack holds a CLOUDFRONT web ACL with every rule
    acl_id, acl = only(external.edge, "AWS::WAFv2::WebACL")
    assert acl["Properties"]["Scope"] == "CLOUDFRONT"
    assert acl["Properties"]["DefaultAction"] == {"Allow": {}}
    assert _managed_groups(acl) == MANAGED_GROUPS
    (rate,) = _rate_rules(acl)
    assert rate["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert rate["Statement"]["RateBasedStatement"]["Limit"] > 0
    assert rate["Action"] == {"Block": {}}
    # and the configured countries are the only ones let through
    (geo,) = _geo_rules(acl)
    assert geo["Statement"]["NotStatement"]["Statement"]["GeoMatchStatement"]["CountryCodes"] == list(
        ALLOWED_COUNTRIES
    )
    assert geo["Action"] == {"Block": {}}
    # and the distribution serves the public name with that ACL, TLS 1.2+ both ways, nothing cached
    _, distribution = only(external.edge, "AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    assert config["WebACLId"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    assert config["Aliases"] == [API_DOMAIN]
    assert config["ViewerCertificate"] == {
        "AcmCertificateArn": API_CERTIFICATE_ARN,
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }
    (origin,) = config["Origins"]
    assert origin["DomainName"] == API_ORIGIN_DOMAIN
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "https-only"
    assert "POST" in behavior["AllowedMethods"]
    # Managed-CachingDisabled and Managed-AllViewerExceptHostHeader (forwards Authorization, not Host)
    assert behavior["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    assert behavior["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    assert "Logging" not in config  # access logs would hold client addresses (DESIGN §5)
    assert not resources(external.edge, "AWS::S3::Bucket")


def test_edge_stack_is_in_us_east_1_and_the_others_in_london(external: Synth) -> None:
    stacks = {s.stack_name: s for s in external.app.node.children if hasattr(s, "stack_name")}
    assert stacks["Argus-prod-Edge"].region == "us-east-1"
    assert stacks["Argus-prod-Stateful"].region == "eu-west-2"
    assert stacks["Argus-prod-Service"].region == "eu-west-2"


def test_edge_body_size_rule_only_counts_because_imports_send_large_bodies(external: Synth) -> None:
    assert external.edge is not None
    _, acl = only(external.edge, "AWS::WAFv2::WebACL")
    (common,) = [
        r
        for r in acl["Properties"]["Rules"]
        if r["Statement"].get("ManagedRuleGroupStatement", {}).get("Name") == "AWSManagedRulesCommonRuleSet"
    ]
    overrides = common["Statement"]["ManagedRuleGroupStatement"]["RuleActionOverrides"]
    assert overrides == [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}]


def test_production_api_answers_only_on_its_origin_domain(external: Synth) -> None:
    # The execute-api endpoint is off: the only way in is the custom domain CloudFront connects to
    _, api = only(external.service, "AWS::ApiGatewayV2::Api")
    assert api["Properties"]["DisableExecuteApiEndpoint"] is True
    domain_id, domain = only(external.service, "AWS::ApiGatewayV2::DomainName")
    assert domain["Properties"]["DomainName"] == API_ORIGIN_DOMAIN
    (configuration,) = domain["Properties"]["DomainNameConfigurations"]
    assert configuration["CertificateArn"] == API_ORIGIN_CERTIFICATE_ARN
    assert configuration["EndpointType"] == "REGIONAL"
    assert configuration["SecurityPolicy"] == "TLS_1_2"
    _, mapping = only(external.service, "AWS::ApiGatewayV2::ApiMapping")
    stage_id, stage = only(external.service, "AWS::ApiGatewayV2::Stage")
    assert mapping["Properties"]["DomainName"] == {"Ref": domain_id}
    # the API's only stage, mapped at the domain's root (and created before the mapping)
    assert mapping["Properties"]["Stage"] == stage["Properties"]["StageName"] == "$default"
    assert "ApiMappingKey" not in mapping["Properties"]
    assert stage_id in mapping.get("DependsOn", [])


def test_dev_without_a_domain_keeps_the_execute_api_endpoint_and_no_edge(dev: Synth) -> None:
    _, api = only(dev.service, "AWS::ApiGatewayV2::Api")
    assert not api["Properties"].get("DisableExecuteApiEndpoint", False)
    assert dev.edge is None
    assert not resources(dev.service, "AWS::ApiGatewayV2::DomainName")


@pytest.mark.parametrize("which", ["dev", "external"])
def test_appsync_and_the_user_pool_sit_behind_a_regional_web_acl(
    which: str, request: pytest.FixtureRequest
) -> None:
    synth: Synth = request.getfixturevalue(which)
    acl_id, acl = only(synth.service, "AWS::WAFv2::WebACL")
    assert acl["Properties"]["Scope"] == "REGIONAL"
    assert _managed_groups(acl) == MANAGED_GROUPS
    assert len(_rate_rules(acl)) == 1
    associations = [
        a["Properties"] for a in resources(synth.service, "AWS::WAFv2::WebACLAssociation").values()
    ]
    assert all(a["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]} for a in associations)
    targets = [a["ResourceArn"] for a in associations]
    api_id, _ = only(synth.service, "AWS::AppSync::GraphQLApi")
    assert {"Fn::GetAtt": [api_id, "Arn"]} in targets
    pools = resources(synth.stateful, "AWS::Cognito::UserPool")
    if which == "dev":
        (pool_id,) = pools
        assert imported(synth, {"Fn::GetAtt": [pool_id, "Arn"]}) in targets
        assert len(targets) == 2
    else:
        assert not pools  # an external issuer: Argus has no pool to protect
        assert len(targets) == 1


def test_geography_rule_only_when_configured(dev: Synth, external: Synth) -> None:
    _, dev_acl = only(dev.service, "AWS::WAFv2::WebACL")
    assert not _geo_rules(dev_acl)
    _, prod_acl = only(external.service, "AWS::WAFv2::WebACL")
    assert len(_geo_rules(prod_acl)) == 1


def test_web_acls_keep_no_sampled_requests(dev: Synth, external: Synth) -> None:
    # Sampled requests keep client addresses and headers (bearer tokens) for hours in the console
    assert external.edge is not None
    for template in (dev.service, external.service, external.edge):
        for acl in resources(template, "AWS::WAFv2::WebACL").values():
            configs = [acl["Properties"]["VisibilityConfig"]] + [
                r["VisibilityConfig"] for r in acl["Properties"]["Rules"]
            ]
            assert all(c["SampledRequestsEnabled"] is False for c in configs)
            assert all(c["CloudWatchMetricsEnabled"] is True for c in configs)


def test_production_graphql_url_is_the_public_domain(external: Synth) -> None:
    outputs = external.service.to_json()["Outputs"]
    urls = [o["Value"] for key, o in outputs.items() if key.startswith("GraphqlGraphqlUrl")]
    assert urls == [f"https://{API_DOMAIN}/graphql"]
