"""Who signs the bearer tokens: a Cognito user pool created here, or an external OIDC issuer from config.

Either way the rest of the app sees the same four facts: issuer URL, audience, the claim that names the
organisation and the claim that lists roles (passed to the functions as ``ARGUS_*`` settings and to the
HTTP API's JWT authorizer and AppSync's OIDC mode).

With Cognito, the organisation is the custom attribute ``custom:org``, which only administrators can
write (the app client may not): a user who could change it could move into another tenant. Roles are
Cognito groups, one per ``argus.platform.auth.principal.Role``; ID tokens carry both
(``custom:org``, ``cognito:groups``) and their ``aud`` is the app client id."""

from __future__ import annotations

import aws_cdk as cdk
from argus.platform.auth.principal import Role
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.config import CognitoAuth, OidcAuth, StageConfig
from infra.constructs.functions import removal_policy
from infra.nag import acknowledge

ORG_ATTRIBUTE = "org"  # custom:org in tokens


class Identity(Construct):
    """The token issuer of a stage."""

    user_pool: cognito.UserPool | None = None
    client: cognito.UserPoolClient | None = None

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        auth = config.auth
        self.org_claim = auth.org_claim
        self.roles_claim = auth.roles_claim
        if isinstance(auth, OidcAuth):
            self.issuer = auth.issuer_url
            self.audience = auth.audience
            self.jwks_url = auth.jwks_url
            return
        self.user_pool, self.client = self._cognito(config, auth)
        self.issuer = self.user_pool.user_pool_provider_url
        self.audience = self.client.user_pool_client_id
        self.jwks_url = None  # Cognito serves it at <issuer>/.well-known/jwks.json, the settings' default
        cdk.CfnOutput(self, "UserPoolId", value=self.user_pool.user_pool_id)
        cdk.CfnOutput(self, "UserPoolClientId", value=self.client.user_pool_client_id)

    def _cognito(
        self, config: StageConfig, auth: CognitoAuth
    ) -> tuple[cognito.UserPool, cognito.UserPoolClient]:
        pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=f"argus-{config.stage}",
            # Accounts are created by organisation admins: the organisation is assigned, never chosen.
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True),
                fullname=cognito.StandardAttribute(required=False, mutable=True),
            ),
            custom_attributes={ORG_ATTRIBUTE: cognito.StringAttribute(min_len=1, max_len=64, mutable=True)},
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=cdk.Duration.days(3),
            ),
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.PLUS
            if auth.threat_protection
            else cognito.FeaturePlan.ESSENTIALS,
            standard_threat_protection_mode=(
                cognito.StandardThreatProtectionMode.FULL_FUNCTION if auth.threat_protection else None
            ),
            deletion_protection=config.retain_data,
            removal_policy=removal_policy(config),
        )
        if not auth.threat_protection:
            acknowledge(
                pool,
                "AwsSolutions-COG8",
                "This stage's config turns Cognito threat protection off (PLUS plan billed per active "
                "user); MFA is still required and self sign-up is off.",
            )
        for role in Role:
            pool.add_group(
                f"Group{role.name.title()}", group_name=role.value, description=f"Argus role {role.value}"
            )
        client = pool.add_client(
            "WebClient",
            user_pool_client_name=f"argus-{config.stage}-web",
            auth_flows=cognito.AuthFlow(user_srp=True),
            generate_secret=False,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            # No hosted UI until a domain is configured: no OAuth flows with a placeholder callback.
            disable_o_auth=True,
            id_token_validity=cdk.Duration.hours(1),
            access_token_validity=cdk.Duration.hours(1),
            refresh_token_validity=cdk.Duration.days(30),
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(email=True, email_verified=True, fullname=True)
            .with_custom_attributes(ORG_ATTRIBUTE),
            # Users may change their name and email (required attributes must stay writable), never their
            # organisation.
            write_attributes=cognito.ClientAttributes().with_standard_attributes(email=True, fullname=True),
        )
        return pool, client
