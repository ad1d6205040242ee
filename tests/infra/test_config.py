"""Stage configuration from CDK context."""

from __future__ import annotations

from typing import Any

import pytest

from infra.config import CognitoAuth, ConfigError, OidcAuth, check_deployable, load_config

pytestmark = pytest.mark.infra


class Context:
    def __init__(self, **values: Any) -> None:
        self.values = values

    def try_get_context(self, key: str) -> Any:
        return self.values.get(key)


def test_default_stage_is_dev_with_cognito() -> None:
    config = load_config(Context(), environ={})
    assert config.stage == "dev"
    assert isinstance(config.auth, CognitoAuth)
    assert not config.retain_data
    assert config.account is None and config.region is None


def test_prod_retains_data() -> None:
    config = load_config(Context(stage="prod"), environ={"CDK_DEFAULT_REGION": "eu-west-2"})
    assert config.retain_data
    assert config.region == "eu-west-2"


def test_external_issuer_from_context() -> None:
    config = load_config(
        Context(
            stage="staging",
            oidcIssuer="https://idp.example.org",
            oidcAudience="argus",
            oidcRolesClaim="groups",
        ),
        environ={},
    )
    assert config.auth == OidcAuth(
        issuer_url="https://idp.example.org", audience="argus", roles_claim="groups"
    )


@pytest.mark.parametrize(
    "context",
    [
        {"stage": "qa"},
        {"oidcIssuer": "https://idp.example.org"},
        {"oidcIssuer": "http://idp.example.org", "oidcAudience": "argus"},
    ],
)
def test_bad_context_is_refused(context: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        load_config(Context(**context), environ={})


def test_snapstart_is_on_outside_dev_and_can_be_switched_by_context() -> None:
    assert not load_config(Context(), environ={}).graphql_snap_start
    assert load_config(Context(stage="prod"), environ={}).graphql_snap_start
    assert load_config(Context(stage="staging"), environ={}).graphql_snap_start
    assert load_config(Context(graphqlSnapStart="true"), environ={}).graphql_snap_start
    assert not load_config(Context(stage="prod", graphqlSnapStart="False"), environ={}).graphql_snap_start
    with pytest.raises(ConfigError, match="graphqlSnapStart"):
        load_config(Context(graphqlSnapStart="yes"), environ={})


# The public API behind CloudFront: name, origin name and their certificates (us-east-1 for CloudFront).
EDGE = {
    "apiDomain": "api.argus.example.org",
    "apiOriginDomain": "origin.api.argus.example.org",
    "apiCertificateArn": "arn:aws:acm:us-east-1:111111111111:certificate/abc-123",
    "apiOriginCertificateArn": "arn:aws:acm:eu-west-2:111111111111:certificate/def-456",
}


def test_shared_stages_are_pinned_to_london_whatever_the_cli_environment() -> None:
    # Given a CLI environment pointing somewhere else (the CDK CLI defaults it to us-east-1)
    environ = {"CDK_DEFAULT_REGION": "us-east-1", "CDK_DEFAULT_ACCOUNT": "999999999999"}
    for stage in ("staging", "prod"):
        # When the stage's configuration is loaded
        config = load_config(Context(stage=stage), environ=environ)
        # Then it targets its pinned region, and never the deployer's default account
        assert config.region == "eu-west-2"
        assert config.account is None
    # An explicit context value still overrides the pin
    assert load_config(Context(stage="prod", region="eu-west-1"), environ=environ).region == "eu-west-1"
    assert load_config(Context(stage="prod", account="123456789012"), environ={}).account == "123456789012"
    # A personal dev stack follows the developer's CLI environment
    assert load_config(Context(), environ=environ).region == "us-east-1"


def test_edge_configuration_from_context() -> None:
    config = load_config(Context(stage="prod", allowedCountries="gb, ie", **EDGE), environ={})
    assert config.edge is not None
    assert config.edge.domain == "api.argus.example.org"
    assert config.edge.origin_domain == "origin.api.argus.example.org"
    assert config.edge.certificate_arn.startswith("arn:aws:acm:us-east-1:")
    assert config.allowed_countries == ("GB", "IE")
    # No edge without a domain
    assert load_config(Context(), environ={}).edge is None


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"apiCertificateArn": None}, "apiCertificateArn"),
        # CloudFront only takes certificates from us-east-1
        ({"apiCertificateArn": "arn:aws:acm:eu-west-2:111111111111:certificate/x"}, "us-east-1"),
        # The origin's certificate must live in the stage's region (API Gateway's custom domain)
        ({"apiOriginCertificateArn": "arn:aws:acm:us-east-1:111111111111:certificate/y"}, "eu-west-2"),
        ({"apiOriginDomain": "api.argus.example.org"}, "apiOriginDomain"),
        ({"apiDomain": "not a domain"}, "apiDomain"),
    ],
)
def test_incomplete_or_wrong_edge_configuration_is_refused(override: dict[str, Any], message: str) -> None:
    context = {**EDGE, **override}
    with pytest.raises(ConfigError, match=message):
        load_config(Context(stage="prod", **{k: v for k, v in context.items() if v is not None}), environ={})


@pytest.mark.parametrize("countries", ["GBR", "uk,", "G1"])
def test_allowed_countries_are_iso_alpha2(countries: str) -> None:
    with pytest.raises(ConfigError, match="allowedCountries"):
        load_config(Context(allowedCountries=countries), environ={})


def test_production_needs_an_edge_and_an_alarm_subscriber() -> None:
    # Given production without a public API domain nor an alarm endpoint
    config = load_config(Context(stage="prod"), environ={})
    # When it is checked for deployment, Then both are named in one clear error
    with pytest.raises(ConfigError) as refused:
        check_deployable(config)
    assert "apiDomain" in str(refused.value) and "alarmEmail" in str(refused.value)
    # An alarm topic ARN (same region) is as good as an email address
    complete = load_config(
        Context(stage="prod", alarmTopicArn="arn:aws:sns:eu-west-2:111111111111:ops", **EDGE), environ={}
    )
    check_deployable(complete)
    assert complete.alarm_topic_arn == "arn:aws:sns:eu-west-2:111111111111:ops"
    # Staging needs the edge too, but may run without a subscriber; dev needs neither
    with pytest.raises(ConfigError, match="apiDomain"):
        check_deployable(load_config(Context(stage="staging"), environ={}))
    check_deployable(load_config(Context(stage="staging", **EDGE), environ={}))
    check_deployable(load_config(Context(), environ={}))


def test_alarm_topic_must_be_in_the_stage_region() -> None:
    with pytest.raises(ConfigError, match="alarmTopicArn"):
        load_config(Context(stage="prod", alarmTopicArn="arn:aws:sns:us-east-1:111111111111:ops"), environ={})


def test_synthesis_of_an_incomplete_production_stage_fails_with_the_reason() -> None:
    from infra.app import create_app

    with pytest.raises(ConfigError, match="apiDomain"):
        create_app(context={"stage": "prod", "alarmEmail": "ops@example.org"})


def test_graphql_reserved_concurrency_per_stage() -> None:
    assert load_config(Context(), environ={}).graphql_reserved_concurrency is None
    assert load_config(Context(stage="prod"), environ={}).graphql_reserved_concurrency == 100
    assert load_config(Context(stage="staging"), environ={}).graphql_reserved_concurrency == 20
    assert (
        load_config(
            Context(stage="prod", graphqlReservedConcurrency="250"), environ={}
        ).graphql_reserved_concurrency
        == 250
    )
    assert (
        load_config(
            Context(stage="prod", graphqlReservedConcurrency="none"), environ={}
        ).graphql_reserved_concurrency
        is None
    )
    with pytest.raises(ConfigError, match="graphqlReservedConcurrency"):
        load_config(Context(graphqlReservedConcurrency="0"), environ={})


def test_backup_retention_per_stage() -> None:
    assert load_config(Context(), environ={}).backup_retention_days == 7
    assert load_config(Context(stage="staging"), environ={}).backup_retention_days == 35
    assert load_config(Context(stage="prod"), environ={}).backup_retention_days == 365
