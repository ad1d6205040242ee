"""One settings object for the whole package, read once from the environment (prefix ``ARGUS_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration. On AWS the CDK stacks set these as Lambda environment variables;
    the local stack sets them for its own process."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_", extra="ignore")

    stage: str = "local"
    region: str = Field(default="eu-west-2")
    table_name: str = "argus"
    event_bus_name: str = "argus"
    # Endpoint of a moto server (local stack and tests); unset on AWS.
    aws_endpoint_url: str | None = None

    # Identity: the issuer whose JWKS signs bearer tokens.
    jwt_issuer: str = "http://127.0.0.1:8000"
    jwt_audience: str = "argus"
    jwks_url: str | None = None  # defaults to <issuer>/.well-known/jwks.json
    jwt_algorithms: list[str] = Field(default_factory=lambda: ["RS256"])
    org_claim: str = "custom:org"
    roles_claim: str = "custom:roles"
    groups_claim: str = "cognito:groups"
    # Leeway for clock skew, in seconds.
    jwt_leeway: int = 30

    # Incident media: uploads land in the quarantine bucket, sanitised files in the media bucket.
    media_bucket: str = "argus-local-media"
    quarantine_bucket: str = "argus-local-quarantine"

    # Real-time delivery: the AppSync endpoint on AWS (unset locally, where Strawberry serves subscriptions).
    realtime_url: str | None = None

    # The GraphQL request edge (argus.api.http, argus.api.limits). A body holds the largest input, a
    # 5 MB incident import (JSON-escaped), and is within Lambda's 6 MB synchronous payload: nothing
    # larger could reach the function on AWS, and the local server refuses the same.
    graphql_max_body_bytes: int = 6 * 1024 * 1024
    graphql_max_document_chars: int = 32 * 1024
    # Estimated memory of the parsed and validated documents kept between requests.
    graphql_cache_bytes: int = 16 * 1024 * 1024

    @property
    def resolved_jwks_url(self) -> str:
        return self.jwks_url or self.jwt_issuer.rstrip("/") + "/.well-known/jwks.json"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests and the local stack change the environment)."""
    get_settings.cache_clear()
