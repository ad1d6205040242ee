"""Stage configuration from CDK context."""

from __future__ import annotations

from typing import Any

import pytest

from infra.config import CognitoAuth, ConfigError, OidcAuth, load_config

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
