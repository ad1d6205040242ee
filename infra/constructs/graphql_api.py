"""The GraphQL API: one function ("Lambdalith", Strawberry through Mangum) behind an API Gateway HTTP API
whose JWT authorizer checks every request before the function checks the token again.

With a public domain (``config.edge``), clients reach it through CloudFront and AWS WAF (the edge
stack); the API's execute-api endpoint is then disabled and it answers only on its custom domain, the
origin CloudFront connects to. Without one (dev), the execute-api URL is the API's address.

Access logs carry no client IP and no user agent (DESIGN §5: nothing identifying is logged)."""

from __future__ import annotations

import json

import aws_cdk as cdk
import jsii
from argus.functions import GRAPHQL
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import EdgeConfig, StageConfig
from infra.constructs.functions import ArgusFunction, FunctionAssets, removal_policy, retention
from infra.constructs.identity import Identity
from infra.constructs.table import grant_table

ROUTE = "/graphql"

_ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "time": "$context.requestTime",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "latency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error",
}


@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLogSettings:
    """``IAccessLogSettings`` as a class: a plain dict does not serialise through jsii."""

    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._destination = apigwv2.LogGroupLogDestination(log_group)
        self._format = apigw.AccessLogFormat.custom(json.dumps(_ACCESS_LOG_FORMAT))

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw.AccessLogFormat:
        return self._format


class GraphqlApi(Construct):
    """Function ``graphql`` + HTTP API with ``POST /graphql`` behind a JWT authorizer."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        assets: FunctionAssets,
        identity: Identity,
        table: dynamodb.ITable,
        key: kms.IKey,
        environment: dict[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        self.handler = ArgusFunction(
            self,
            "Handler",
            config=config,
            assets=assets,
            function=GRAPHQL,
            description="Argus GraphQL API (Strawberry through Mangum)",
            environment=environment,
            memory_mb=config.graphql_memory_mb,
            timeout=cdk.Duration.seconds(config.graphql_timeout_seconds),
            snap_start=config.graphql_snap_start,
            # The nightly pattern runs and media bursts cannot starve the API (docs/infra.md).
            reserved_concurrency=config.graphql_reserved_concurrency,
        )
        grant_table(self.handler.role, table, key, write=True)
        # What API Gateway invokes. With SnapStart, the alias "live" on the version published by this
        # deploy (SnapStart applies to published versions only, never to $LATEST).
        self.target: lambda_.IFunction = self.handler.function
        if config.graphql_snap_start:
            self.target = lambda_.Alias(
                self,
                "Live",
                alias_name="live",
                version=self.handler.function.current_version,
                description="The published version API Gateway invokes (SnapStart)",
            )

        cors = None
        if config.cors_origins:
            cors = apigwv2.CorsPreflightOptions(
                allow_origins=list(config.cors_origins),
                allow_methods=[apigwv2.CorsHttpMethod.POST],
                allow_headers=["authorization", "content-type"],
                max_age=cdk.Duration.hours(1),
            )
        self.http_api = apigwv2.HttpApi(
            self,
            "HttpApi",
            api_name=f"argus-{config.stage}",
            description="Argus GraphQL over HTTPS",
            create_default_stage=False,
            cors_preflight=cors,
            # Behind CloudFront and WAF, the API answers only on the custom domain CloudFront uses.
            disable_execute_api_endpoint=config.edge is not None,
        )
        self.access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=retention(config.log_retention_days),
            removal_policy=removal_policy(config),
        )
        self.stage = self.http_api.add_stage(
            "DefaultStage",
            stage_name="$default",
            auto_deploy=True,
            access_log_settings=_AccessLogSettings(self.access_logs),
            throttle=apigwv2.ThrottleSettings(
                rate_limit=config.api_throttle_rate, burst_limit=config.api_throttle_burst
            ),
        )
        self.authorizer = authorizers.HttpJwtAuthorizer(
            "JwtAuthorizer",
            identity.issuer,
            jwt_audience=[identity.audience],
            identity_source=["$request.header.Authorization"],
        )
        self.http_api.add_routes(
            path=ROUTE,
            methods=[apigwv2.HttpMethod.POST],
            integration=integrations.HttpLambdaIntegration(
                "GraphqlIntegration",
                self.target,
                payload_format_version=apigwv2.PayloadFormatVersion.VERSION_2_0,
            ),
            authorizer=self.authorizer,
        )
        if config.edge is not None:
            self._origin_domain(config.edge)
            url = f"https://{config.edge.domain}{ROUTE}"
        else:
            url = f"{self.http_api.api_endpoint}{ROUTE}"
        cdk.CfnOutput(self, "GraphqlUrl", value=url)

    def _origin_domain(self, edge: EdgeConfig) -> None:
        """The custom domain CloudFront connects to (the stage's ``$default`` stage mapped at its root);
        its DNS name must point at the regional target in the output."""
        self.origin_domain = apigwv2.DomainName(
            self,
            "OriginDomain",
            domain_name=edge.origin_domain,
            certificate=acm.Certificate.from_certificate_arn(
                self, "OriginCertificate", edge.origin_certificate_arn
            ),
            endpoint_type=apigwv2.EndpointType.REGIONAL,
            security_policy=apigwv2.SecurityPolicy.TLS_1_2,
        )
        apigwv2.ApiMapping(
            self, "OriginMapping", api=self.http_api, domain_name=self.origin_domain, stage=self.stage
        )
        cdk.CfnOutput(
            self,
            "OriginDomainTarget",
            value=self.origin_domain.regional_domain_name,
            description=f"Point {edge.origin_domain} here (CNAME or alias record)",
        )
