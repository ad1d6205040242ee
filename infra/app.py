"""The CDK app: ``python -m infra.app`` (what cdk.json runs; ``-c stage=prod`` picks the stage).

Synthesis builds the Lambda assets first (``layers/build.py``; a no-op when nothing changed), so
``cdk deploy`` never ships stale code, and runs cdk-nag's AwsSolutions checks: an unacknowledged
finding fails synthesis."""

from __future__ import annotations

import os

import aws_cdk as cdk

from infra.config import EDGE_REGION, StageConfig, check_deployable, load_config
from infra.nag import add_checks
from infra.stacks.edge import EdgeStack
from infra.stacks.service import ServiceStack
from infra.stacks.stateful import StatefulStack
from layers.build import build_all

# Feature flags the stacks rely on, set here (not only in cdk.json) so that tests synthesize the same.
FEATURE_FLAGS: dict[str, object] = {
    # Server access logs are delivered under a bucket policy, not the legacy LogDeliveryWrite ACL (which
    # needs ACLs enabled on the log bucket).
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
    # The service stack imports the table, key and bus by CloudFormation export: the stateful stack
    # cannot be deleted (nor those resources replaced) while the service uses them. Chosen explicitly.
    "@aws-cdk/core:defaultCrossStackReferences": "strong",
}


def build(app: cdk.App, config: StageConfig) -> tuple[StatefulStack, ServiceStack]:
    """Add the stacks of ``config``'s stage to ``app``: stateful and service, and the edge stack
    (us-east-1) when the stage serves its API at a public domain."""
    env = (
        cdk.Environment(account=config.account, region=config.region)
        if config.account or config.region
        else None
    )
    tags = {"project": "argus", "stage": config.stage}
    stateful = StatefulStack(
        app,
        f"{config.stack_prefix}-Stateful",
        config=config,
        env=env,
        description=f"Argus {config.stage}: table, keys, event bus, buckets",
        termination_protection=config.retain_data,
        tags=tags,
    )
    # The service stack references the stateful one, which makes CloudFormation deploy it second.
    service = ServiceStack(
        app,
        f"{config.stack_prefix}-Service",
        config=config,
        stateful=stateful,
        env=env,
        description=f"Argus {config.stage}: functions, APIs, rules, alarms",
        tags=tags,
    )
    if config.edge is not None:
        edge = EdgeStack(
            app,
            f"{config.stack_prefix}-Edge",
            config=config,
            edge=config.edge,
            env=cdk.Environment(account=config.account, region=EDGE_REGION),
            description=f"Argus {config.stage}: CloudFront and its web ACL for the GraphQL API",
            termination_protection=config.retain_data,
            tags=tags,
        )
        # No reference between them: the order only makes the origin exist before traffic reaches it.
        edge.add_dependency(service)
    return stateful, service


def create_app(context: dict[str, object] | None = None, outdir: str | None = None) -> cdk.App:
    """The app with both stacks and the cdk-nag checks (not yet synthesized)."""
    app = cdk.App(context={**FEATURE_FLAGS, **(context or {})}, outdir=outdir)
    config = load_config(app.node)
    check_deployable(config)  # a stage missing what it needs fails here, saying what
    add_checks(app)
    build(app, config)
    return app


def main() -> None:
    if os.environ.get("ARGUS_SKIP_ASSET_BUILD") != "1":
        build_all()
    create_app().synth()


if __name__ == "__main__":
    main()
