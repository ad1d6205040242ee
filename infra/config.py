"""Typed per-stage configuration, chosen with CDK context (``-c stage=prod``).

Each stage has defaults here; a few values can be overridden from the command line or ``cdk.json``
context without editing code:

* ``stage``: ``dev`` (default), ``staging`` or ``prod``.
* ``oidcIssuer`` + ``oidcAudience`` (+ optional ``oidcOrgClaim``, ``oidcRolesClaim``, ``oidcJwksUrl``):
  verify tokens from an external OpenID Connect issuer instead of creating a Cognito user pool.
* ``alarmEmail`` / ``alarmTopicArn``: who hears the alarms (an address subscribed to the alarm topic,
  and/or an existing SNS topic in the stage's region that every alarm also notifies). Production needs
  one of them.
* ``account`` / ``region``: the target environment. ``staging`` and ``prod`` are pinned (``eu-west-2``,
  account only from context) whatever the deployer's CLI says; ``dev`` follows ``CDK_DEFAULT_ACCOUNT`` /
  ``CDK_DEFAULT_REGION`` (a personal stack), and with neither is environment-agnostic (offline synth,
  tests).
* ``corsOrigins``: comma-separated browser origins allowed to call the HTTP API.
* ``apiDomain`` + ``apiCertificateArn`` (ACM, us-east-1) + ``apiOriginDomain`` + ``apiOriginCertificateArn``
  (ACM, the stage's region): serve the GraphQL API through CloudFront and AWS WAF at ``apiDomain``;
  CloudFront reaches the API at its custom domain ``apiOriginDomain`` and the execute-api endpoint is
  off. Required outside ``dev``. ``allowedCountries`` (ISO 3166-1 alpha-2, comma-separated) adds a
  geographic rule to the web ACLs; ``wafRateLimit`` is the requests one client address may make in
  5 minutes.
* ``graphqlReservedConcurrency``: reserved concurrency of the GraphQL function (``none`` for none).
* ``backupRetentionDays``: how long AWS Backup keeps the daily recovery points.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

# Claims of a Cognito ID token: the organisation is a custom attribute only administrators can write,
# roles are the user's groups (one group per argus.platform.auth.principal.Role).
COGNITO_ORG_CLAIM = "custom:org"
COGNITO_GROUPS_CLAIM = "cognito:groups"


class ConfigError(ValueError):
    """The CDK context names an unknown stage or an incomplete identity provider."""


@dataclass(frozen=True)
class CognitoAuth:
    """Argus creates its own Cognito user pool (users and their organisation are managed by admins)."""

    # Cognito's threat protection (compromised credentials, adaptive authentication) needs the PLUS
    # feature plan, billed per monthly active user. Turning it off (ESSENTIALS) is a cdk-nag finding
    # (COG8) that the identity construct acknowledges with this reason.
    threat_protection: bool = True

    @property
    def org_claim(self) -> str:
        return COGNITO_ORG_CLAIM

    @property
    def roles_claim(self) -> str:
        return COGNITO_GROUPS_CLAIM


@dataclass(frozen=True)
class OidcAuth:
    """Tokens come from an external OpenID Connect issuer (a police force's identity provider)."""

    issuer_url: str
    audience: str
    org_claim: str = "custom:org"
    roles_claim: str = "roles"
    jwks_url: str | None = None

    def __post_init__(self) -> None:
        if not self.issuer_url.startswith("https://"):
            raise ConfigError(f"oidcIssuer must be an https URL, got {self.issuer_url!r}")
        if not self.audience:
            raise ConfigError("oidcAudience must not be empty")


Auth = CognitoAuth | OidcAuth

# A London deployment (UK data) unless a stage's context says otherwise.
DEFAULT_REGION = "eu-west-2"
# CloudFront takes viewer certificates and CLOUDFRONT web ACLs from this region only.
EDGE_REGION = "us-east-1"

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ACM_ARN = re.compile(r"^arn:aws[a-z-]*:acm:(?P<region>[a-z0-9-]+):\d{12}:certificate/[A-Za-z0-9-]+$")
_SNS_ARN = re.compile(r"^arn:aws[a-z-]*:sns:(?P<region>[a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class EdgeConfig:
    """The public GraphQL API behind CloudFront: ``domain`` (what clients call, CloudFront's alias) with
    ``certificate_arn`` (ACM, us-east-1), and ``origin_domain``, the API Gateway custom domain CloudFront
    connects to, with ``origin_certificate_arn`` (ACM, the stage's region)."""

    domain: str
    certificate_arn: str
    origin_domain: str
    origin_certificate_arn: str

    def check(self, region: str | None) -> None:
        """Raise ConfigError naming the context value that is wrong."""
        for key, value in (("apiDomain", self.domain), ("apiOriginDomain", self.origin_domain)):
            if not _DOMAIN.match(value):
                raise ConfigError(f"{key} must be a DNS name such as api.example.org, got {value!r}")
        if self.origin_domain == self.domain:
            raise ConfigError("apiOriginDomain must differ from apiDomain (CloudFront answers at apiDomain)")
        edge = _ACM_ARN.match(self.certificate_arn)
        if not edge or edge["region"] != EDGE_REGION:
            raise ConfigError(
                f"apiCertificateArn must be an ACM certificate in {EDGE_REGION} (CloudFront's region), "
                f"got {self.certificate_arn!r}"
            )
        origin = _ACM_ARN.match(self.origin_certificate_arn)
        if not origin or (region is not None and origin["region"] != region):
            raise ConfigError(
                f"apiOriginCertificateArn must be an ACM certificate in {region or 'the stage region'} "
                f"(API Gateway's custom domain), got {self.origin_certificate_arn!r}"
            )


@dataclass(frozen=True)
class StageConfig:
    """Everything that differs between stages."""

    stage: str
    auth: Auth = field(default_factory=CognitoAuth)
    account: str | None = None
    region: str | None = None
    # Shared stages keep their pinned account/region whatever the deployer's CLI environment says.
    pinned_environment: bool = False
    # Production keeps data when a stack is deleted and protects the table from deletion.
    retain_data: bool = False
    log_retention_days: int = 30
    archive_retention_days: int = 30
    event_bus_name: str = "argus"
    graphql_memory_mb: int = 1024
    graphql_timeout_seconds: int = 29  # API Gateway's HTTP API integration timeout is 30 s
    # Lambda SnapStart for the GraphQL function: new environments resume from a snapshot taken after
    # the imports and the schema build instead of repeating them (most of its cold start). Publishing a
    # version takes a snapshot, which makes each deploy of the function a few minutes longer.
    graphql_snap_start: bool = True
    relay_memory_mb: int = 256
    tracing: bool = True
    alarm_email: str | None = None
    alarm_topic_arn: str | None = None
    # Production alarms must reach a person: synthesis fails without an email or topic.
    alarm_endpoint_required: bool = False
    cors_origins: tuple[str, ...] = ()
    api_throttle_rate: int = 100
    api_throttle_burst: int = 200
    # The public API behind CloudFront + WAF (None: dev without a domain keeps the execute-api URL).
    edge: EdgeConfig | None = None
    edge_required: bool = False
    # WAF: requests one client address may make in 5 minutes (police stations share one address), and
    # the countries let through (empty: no geographic rule).
    waf_rate_limit: int = 2000
    allowed_countries: tuple[str, ...] = ()
    # Reserved concurrency of the GraphQL function: batch work can never take the API's share. None in
    # dev: new accounts' concurrency limits are often too low to reserve any (Lambda keeps 100 unreserved).
    graphql_reserved_concurrency: int | None = None
    backup_retention_days: int = 7

    @property
    def stack_prefix(self) -> str:
        return f"Argus-{self.stage}"


STAGES: dict[str, StageConfig] = {
    "dev": StageConfig(
        stage="dev", log_retention_days=14, archive_retention_days=7, graphql_snap_start=False
    ),
    "staging": StageConfig(
        stage="staging",
        region=DEFAULT_REGION,
        pinned_environment=True,
        log_retention_days=30,
        archive_retention_days=30,
        edge_required=True,
        graphql_reserved_concurrency=20,
        backup_retention_days=35,
    ),
    "prod": StageConfig(
        stage="prod",
        region=DEFAULT_REGION,
        pinned_environment=True,
        retain_data=True,
        log_retention_days=365,
        archive_retention_days=365,
        api_throttle_rate=500,
        api_throttle_burst=1000,
        alarm_endpoint_required=True,
        edge_required=True,
        graphql_reserved_concurrency=100,
        backup_retention_days=365,
    ),
}


class ContextReader(Protocol):
    def try_get_context(self, key: str) -> Any: ...


def _text(node: ContextReader, key: str) -> str | None:
    value = node.try_get_context(key)
    if value is None or value == "":
        return None
    return str(value)


def _int(node: ContextReader, key: str, *, minimum: int) -> int | None:
    value = _text(node, key)
    if value is None:
        return None
    if not value.isdigit() or int(value) < minimum:
        raise ConfigError(f"{key} must be a whole number of at least {minimum}, got {value!r}")
    return int(value)


def _edge(node: ContextReader, region: str | None) -> EdgeConfig | None:
    keys = ("apiDomain", "apiCertificateArn", "apiOriginDomain", "apiOriginCertificateArn")
    values = {key: _text(node, key) for key in keys}
    if not any(values.values()):
        return None
    missing = [key for key, value in values.items() if not value]
    if missing:
        raise ConfigError(f"the public API domain needs {', '.join(keys)}; missing {', '.join(missing)}")
    edge = EdgeConfig(*(str(values[key]) for key in keys))
    edge.check(region)
    return edge


def _countries(node: ContextReader) -> tuple[str, ...] | None:
    value = _text(node, "allowedCountries")
    if value is None:
        return None
    codes = tuple(code.strip().upper() for code in value.split(","))
    if not all(_COUNTRY.match(code) for code in codes):
        raise ConfigError(f"allowedCountries must be ISO 3166-1 alpha-2 codes such as GB,IE, got {value!r}")
    return codes


def _reserved_concurrency(node: ContextReader, default: int | None) -> int | None:
    value = _text(node, "graphqlReservedConcurrency")
    if value is not None and value.lower() == "none":
        return None
    parsed = _int(node, "graphqlReservedConcurrency", minimum=1)
    return default if parsed is None else parsed


def _alarm_topic(node: ContextReader, region: str | None) -> str | None:
    arn = _text(node, "alarmTopicArn")
    if arn is None:
        return None
    match = _SNS_ARN.match(arn)
    # CloudWatch alarms notify topics of their own region only.
    if not match or (region is not None and match["region"] != region):
        raise ConfigError(
            f"alarmTopicArn must be an SNS topic in {region or 'the stage region'}, got {arn!r}"
        )
    return arn


def check_deployable(config: StageConfig) -> None:
    """Raise ConfigError naming everything the stage still needs before it can be synthesized."""
    needs = []
    if config.edge_required and config.edge is None:
        needs.append(
            "the public API domain behind CloudFront and WAF: -c apiDomain=... -c apiCertificateArn=... "
            f"(ACM, {EDGE_REGION}) -c apiOriginDomain=... -c apiOriginCertificateArn=... "
            f"(ACM, {config.region or 'the stage region'})"
        )
    if config.alarm_endpoint_required and not (config.alarm_email or config.alarm_topic_arn):
        needs.append("someone to hear the alarms: -c alarmEmail=... or -c alarmTopicArn=...")
    if needs:
        raise ConfigError(f"stage {config.stage} needs " + "; and ".join(needs))


def load_config(node: ContextReader, environ: dict[str, str] | None = None) -> StageConfig:
    """The configuration of the stage named by the ``stage`` context value, with context overrides.

    Raises ConfigError for an unknown stage or a malformed value (what a stage still lacks for a
    deployment is :func:`check_deployable`'s to say)."""
    env = os.environ if environ is None else environ
    stage = _text(node, "stage") or "dev"
    if stage not in STAGES:
        raise ConfigError(f"unknown stage {stage!r}: expected one of {', '.join(STAGES)}")
    config = STAGES[stage]

    issuer, audience = _text(node, "oidcIssuer"), _text(node, "oidcAudience")
    if issuer or audience:
        if not (issuer and audience):
            raise ConfigError("an external issuer needs both oidcIssuer and oidcAudience")
        config = replace(
            config,
            auth=OidcAuth(
                issuer_url=issuer,
                audience=audience,
                org_claim=_text(node, "oidcOrgClaim") or "custom:org",
                roles_claim=_text(node, "oidcRolesClaim") or "roles",
                jwks_url=_text(node, "oidcJwksUrl"),
            ),
        )
    origins = _text(node, "corsOrigins")
    snap_start = _text(node, "graphqlSnapStart")
    if snap_start is not None:
        if snap_start.lower() not in ("true", "false"):
            raise ConfigError(f"graphqlSnapStart must be true or false, got {snap_start!r}")
        config = replace(config, graphql_snap_start=snap_start.lower() == "true")
    # The CLI's default environment is whoever deploys; a shared stage never follows it.
    cli = {} if config.pinned_environment else env
    account = _text(node, "account") or cli.get("CDK_DEFAULT_ACCOUNT") or config.account
    region = _text(node, "region") or cli.get("CDK_DEFAULT_REGION") or config.region
    return replace(
        config,
        account=account,
        region=region,
        alarm_email=_text(node, "alarmEmail") or config.alarm_email,
        alarm_topic_arn=_alarm_topic(node, region) or config.alarm_topic_arn,
        cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip())
        if origins
        else config.cors_origins,
        edge=_edge(node, region) or config.edge,
        allowed_countries=_countries(node) or config.allowed_countries,
        waf_rate_limit=_int(node, "wafRateLimit", minimum=10) or config.waf_rate_limit,
        graphql_reserved_concurrency=_reserved_concurrency(node, config.graphql_reserved_concurrency),
        backup_retention_days=_int(node, "backupRetentionDays", minimum=1) or config.backup_retention_days,
    )
