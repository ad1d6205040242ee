"""Lambda functions of the ``argus`` package: one code asset for all of them and, for each function, the
dependency layer of its dependency set (declared with the function: ``argus/functions.py``,
``argus/consumers.py``; built by ``layers/build.py``), each function with its own log group and its own
role. A layer is shared by the functions whose sets are equal and carries nothing else.

Why own roles: the managed ``AWSLambdaBasicExecutionRole`` lets a function write to every log group of
the account; here a role may write only to its function's log group, and every other permission is
granted with exact ARNs by the construct that wires the function."""

from __future__ import annotations

import re
from pathlib import Path

import aws_cdk as cdk
from argus.platform.functions import FunctionSpec
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import StageConfig
from infra.nag import acknowledge
from layers import build as layer_build

CODE_DIR = layer_build.CODE_DIR

RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64

_RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    731: logs.RetentionDays.TWO_YEARS,
}


class AssetsMissing(RuntimeError):
    """The Lambda assets have not been built (run ``python layers/build.py``)."""


def retention(days: int) -> logs.RetentionDays:
    """The CloudWatch Logs retention for ``days`` (one of the values CloudWatch accepts)."""
    try:
        return _RETENTION[days]
    except KeyError:
        raise ValueError(f"log retention must be one of {sorted(_RETENTION)} days, got {days}") from None


def _asset(directory: Path) -> lambda_.AssetCode:
    """The built ``directory`` as Lambda code, hashed by the build's own digest of its inputs
    (``<dir>.sha256``, written by layers/build.py): the output is a pure function of those inputs, and
    hashing ~150 MB of layer on every synth costs seconds."""
    stamp = directory.with_name(directory.name + ".sha256")
    if not stamp.exists():
        return lambda_.Code.from_asset(str(directory))
    return lambda_.Code.from_asset(
        str(directory), asset_hash=stamp.read_text().strip(), asset_hash_type=cdk.AssetHashType.CUSTOM
    )


def removal_policy(config: StageConfig) -> cdk.RemovalPolicy:
    return cdk.RemovalPolicy.RETAIN if config.retain_data else cdk.RemovalPolicy.DESTROY


class FunctionAssets(Construct):
    """The byte-compiled ``argus`` package (code) and the dependency layers of the functions' sets (one
    per distinct set, made when a function first needs it), all built by ``layers/build.py`` without
    Docker."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        if not (CODE_DIR / "argus").is_dir():
            raise AssetsMissing(
                f"{CODE_DIR / 'argus'} missing (code asset): run `python layers/build.py` first"
            )
        # One AssetCode shared by every function: one upload, one hash.
        self.code = _asset(CODE_DIR)
        self.layers: dict[str, lambda_.LayerVersion] = {}
        # X-Ray's write actions support no resource-level permissions: they live in this one policy so
        # that no function role needs a wildcard of its own.
        self.tracing_policy = iam.ManagedPolicy(
            self,
            "TracingPolicy",
            description="Lets Argus functions send trace segments to X-Ray",
            statements=[
                iam.PolicyStatement(
                    actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                    resources=["*"],
                )
            ],
        )
        acknowledge(
            self.tracing_policy,
            "AwsSolutions-IAM5[Resource::*]",
            "xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions; "
            "they are the only statements of this policy.",
        )

    def layer(self, function: FunctionSpec) -> lambda_.LayerVersion:
        """The dependency layer of ``function``'s set."""
        spec = layer_build.layer_of(function)
        if spec.name not in self.layers:
            if not (spec.directory / "python").is_dir():
                raise AssetsMissing(
                    f"{spec.directory / 'python'} missing (the {spec.name} dependency layer of "
                    f"{function.name}): run `python layers/build.py` first"
                )
            groups = ", ".join(spec.groups) or "none"
            self.layers[spec.name] = lambda_.LayerVersion(
                self,
                "Dependencies" + "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", spec.name)),
                code=_asset(spec.directory),
                compatible_runtimes=[RUNTIME],
                compatible_architectures=[ARCHITECTURE],
                description=(
                    f"Argus dependency set {spec.name}: the [project] dependencies and the groups {groups} "
                    f"(layers/requirements/{spec.name}.txt, built by layers/build.py)"
                )[:256],
            )
        return self.layers[spec.name]


class ArgusFunction(Construct):
    """One function of the ``argus`` package (its declaration ``function``): arm64, Python 3.13, JSON logs
    to its own log group, on the layer of its dependency set and no other."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        assets: FunctionAssets,
        function: FunctionSpec,
        description: str,
        environment: dict[str, str],
        memory_mb: int = 256,
        timeout: cdk.Duration | None = None,
        snap_start: bool = False,
        reserved_concurrency: int | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=retention(config.log_retention_days),
            removal_policy=removal_policy(config),
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Execution role of {function.handler}",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.log_group_arn],
            )
        )
        self.timeout = timeout or cdk.Duration.seconds(30)
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=function.handler,
            code=assets.code,
            layers=[assets.layer(function)],
            role=self.role,
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            memory_size=memory_mb,
            timeout=self.timeout,
            description=description,
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if snap_start else None,
            # Reserved: this many environments are this function's alone (and its ceiling).
            reserved_concurrent_executions=reserved_concurrency,
            environment={
                "POWERTOOLS_SERVICE_NAME": "argus",
                "POWERTOOLS_METRICS_NAMESPACE": "Argus",
                "POWERTOOLS_LOG_LEVEL": "INFO",
                **environment,
            },
        )
        if config.tracing:
            # Set on the L1 so that CDK does not add its own wildcard X-Ray statement to the role.
            cfn = self.function.node.default_child
            assert isinstance(cfn, lambda_.CfnFunction)
            cfn.tracing_config = lambda_.CfnFunction.TracingConfigProperty(mode="Active")
            self.role.add_managed_policy(assets.tracing_policy)
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            "Python 3.13 is the runtime the package and its dependency layer are built and tested for; "
            "moving to a newer runtime is a deliberate change once the layer is validated on it.",
        )
