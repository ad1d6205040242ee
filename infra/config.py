"""Typed per-stage configuration, chosen with CDK context (``-c stage=prod``).

Each stage has defaults here; a few values can be overridden from the command line or ``cdk.json``
context without editing code:

* ``stage``: ``dev`` (default), ``staging`` or ``prod``.
* ``oidcIssuer`` + ``oidcAudience`` (+ optional ``oidcOrgClaim``, ``oidcRolesClaim``, ``oidcJwksUrl``):
  verify tokens from an external OpenID Connect issuer instead of creating a Cognito user pool.
* ``alarmEmail``: subscribe an address to the alarm topic.
* ``account`` / ``region``: the target environment (else ``CDK_DEFAULT_ACCOUNT`` / ``CDK_DEFAULT_REGION``;
  with neither the stacks are environment-agnostic, which is what offline synth and the tests use).
* ``corsOrigins``: comma-separated browser origins allowed to call the HTTP API.
"""

from __future__ import annotations

import os
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


@dataclass(frozen=True)
class StageConfig:
    """Everything that differs between stages."""

    stage: str
    auth: Auth = field(default_factory=CognitoAuth)
    account: str | None = None
    region: str | None = None
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
    cors_origins: tuple[str, ...] = ()
    api_throttle_rate: int = 100
    api_throttle_burst: int = 200

    @property
    def stack_prefix(self) -> str:
        return f"Argus-{self.stage}"


STAGES: dict[str, StageConfig] = {
    "dev": StageConfig(
        stage="dev", log_retention_days=14, archive_retention_days=7, graphql_snap_start=False
    ),
    "staging": StageConfig(stage="staging", log_retention_days=30, archive_retention_days=30),
    "prod": StageConfig(
        stage="prod",
        retain_data=True,
        log_retention_days=365,
        archive_retention_days=365,
        api_throttle_rate=500,
        api_throttle_burst=1000,
    ),
}


class ContextReader(Protocol):
    def try_get_context(self, key: str) -> Any: ...


def _text(node: ContextReader, key: str) -> str | None:
    value = node.try_get_context(key)
    if value is None or value == "":
        return None
    return str(value)


def load_config(node: ContextReader, environ: dict[str, str] | None = None) -> StageConfig:
    """The configuration of the stage named by the ``stage`` context value, with context overrides."""
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
    return replace(
        config,
        account=_text(node, "account") or env.get("CDK_DEFAULT_ACCOUNT") or config.account,
        region=_text(node, "region") or env.get("CDK_DEFAULT_REGION") or config.region,
        alarm_email=_text(node, "alarmEmail") or config.alarm_email,
        cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip())
        if origins
        else config.cors_origins,
    )
