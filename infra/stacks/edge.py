"""The edge stack (us-east-1): the CLOUDFRONT web ACL and the CloudFront distribution that serves the
GraphQL API at its public name.

It lives in us-east-1 because CloudFront takes web ACLs and viewer certificates from there only. It
references nothing of the other stacks: its origin is the API's custom domain, a name from config, so
no cross-region reference (and no custom resource) is needed, and synthesis stays offline. The API
answers only on that custom domain (its execute-api endpoint is disabled)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from constructs import Construct

from infra.config import EdgeConfig, StageConfig
from infra.constructs.firewall import web_acl
from infra.nag import acknowledge


class EdgeStack(cdk.Stack):
    """Web ACL (CLOUDFRONT scope) + distribution: HTTPS only, TLS 1.2 or later both ways, nothing
    cached, every viewer header but ``Host`` forwarded (API Gateway answers for its own domain name)."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, edge: EdgeConfig, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.web_acl = web_acl(
            self,
            "WebAcl",
            config=config,
            waf_scope="CLOUDFRONT",
            description=f"Argus {config.stage}: the GraphQL API behind CloudFront",
            count_large_bodies=True,
        )
        origin = origins.HttpOrigin(
            edge.origin_domain,
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"Argus {config.stage}: GraphQL API",
            domain_names=[edge.domain],
            certificate=acm.Certificate.from_certificate_arn(self, "Certificate", edge.certificate_arn),
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            ssl_support_method=cloudfront.SSLMethod.SNI,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            # Europe and North America edges: the users are in the UK.
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            web_acl_id=self.web_acl.attr_arn,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                # Forwards Authorization; Host must be the origin's name or API Gateway answers 403.
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
            ),
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "The geographic restriction is a rule of the web ACL (stage option allowedCountries), one "
            "place for every public entry point, rather than CloudFront's own geo restriction.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR3",
            "CloudFront access logs record every client address and user agent, which Argus never "
            "keeps (DESIGN §5); the API's own access log (no address) and WAF metrics remain.",
        )
        cdk.CfnOutput(
            self,
            "DistributionDomainName",
            value=self.distribution.distribution_domain_name,
            description=f"Point {edge.domain} here (CNAME or alias record)",
        )
