"""AWS WAF web ACLs: one rule set for every public entry point, in the two scopes WAF has.

* ``CLOUDFRONT`` (created in us-east-1, by the edge stack): the GraphQL HTTP API, served through
  CloudFront (WAF cannot attach to an API Gateway HTTP API itself).
* ``REGIONAL`` (the service stack): the AppSync real-time API and, when Argus creates one, the Cognito
  user pool.

Rules, in order: the configured countries only (a stage option), a rate limit per client address,
AWS's IP reputation list, AWS's common rule set and known bad inputs. Sampled requests are off: WAF
keeps them with client addresses and request headers (bearer tokens) for hours, and Argus records
neither (DESIGN §5); the CloudWatch metrics per rule stay on."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.config import StageConfig

# A rate-based rule counts requests per client address over this window (seconds).
RATE_WINDOW_SECONDS = 300
# The common rule set blocks bodies over 8 KB; incident CSV imports and roster imports send more, and
# API Gateway bounds the body itself (10 MB), so that one rule only counts on the GraphQL API.
BODY_SIZE_RULE = "SizeRestrictions_BODY"


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=False
    )


def _managed(
    name: str, priority: int, prefix: str, *, count: Sequence[str] = ()
) -> wafv2.CfnWebACL.RuleProperty:
    overrides = [
        wafv2.CfnWebACL.RuleActionOverrideProperty(
            name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
        )
        for rule in count
    ]
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS", name=name, rule_action_overrides=overrides or None
            )
        ),
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        visibility_config=_visibility(f"{prefix}-{name}"),
    )


def _block(
    name: str, priority: int, prefix: str, statement: wafv2.CfnWebACL.StatementProperty
) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        statement=statement,
        action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        visibility_config=_visibility(f"{prefix}-{name}"),
    )


def rules(
    config: StageConfig, prefix: str, *, count_large_bodies: bool
) -> list[wafv2.CfnWebACL.RuleProperty]:
    """The rules of every Argus web ACL (metric names start with ``prefix``)."""
    found: list[wafv2.CfnWebACL.RuleProperty] = []
    if config.allowed_countries:
        found.append(
            _block(
                "AllowedCountriesOnly",
                0,
                prefix,
                wafv2.CfnWebACL.StatementProperty(
                    not_statement=wafv2.CfnWebACL.NotStatementProperty(
                        statement=wafv2.CfnWebACL.StatementProperty(
                            geo_match_statement=wafv2.CfnWebACL.GeoMatchStatementProperty(
                                country_codes=list(config.allowed_countries)
                            )
                        )
                    )
                ),
            )
        )
    found.append(
        _block(
            "RateLimitPerAddress",
            1,
            prefix,
            wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP",
                    limit=config.waf_rate_limit,
                    evaluation_window_sec=RATE_WINDOW_SECONDS,
                )
            ),
        )
    )
    found += [
        _managed("AWSManagedRulesAmazonIpReputationList", 2, prefix),
        _managed(
            "AWSManagedRulesCommonRuleSet",
            3,
            prefix,
            count=[BODY_SIZE_RULE] if count_large_bodies else [],
        ),
        _managed("AWSManagedRulesKnownBadInputsRuleSet", 4, prefix),
    ]
    return found


def web_acl(
    scope: Construct,
    construct_id: str,
    *,
    config: StageConfig,
    waf_scope: str,
    description: str,
    count_large_bodies: bool = False,
) -> wafv2.CfnWebACL:
    """A web ACL of ``waf_scope`` (``CLOUDFRONT`` or ``REGIONAL``) that allows what no rule blocks."""
    prefix = f"argus-{config.stage}-{waf_scope.lower()}"
    return wafv2.CfnWebACL(
        scope,
        construct_id,
        scope=waf_scope,
        name=prefix,
        description=description,
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        visibility_config=_visibility(prefix),
        rules=rules(config, prefix, count_large_bodies=count_large_bodies),
    )


class RegionalFirewall(Construct):
    """The REGIONAL web ACL and its associations (the AppSync API, the user pool)."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, protected: dict[str, str]
    ) -> None:
        super().__init__(scope, construct_id)
        self.web_acl = web_acl(
            self,
            "WebAcl",
            config=config,
            waf_scope="REGIONAL",
            description=f"Argus {config.stage}: the real-time API and the user pool",
        )
        for name, arn in protected.items():
            wafv2.CfnWebACLAssociation(self, name, resource_arn=arn, web_acl_arn=self.web_acl.attr_arn)
