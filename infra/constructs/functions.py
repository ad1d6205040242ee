"""Lambda functions of the ``argus`` package: one code asset for all of them and one of two dependency
layers ("shared" for every function; "patterns", with scipy and without the GraphQL and media
libraries, for the pattern job), each function with its own log group and its own role.

Why own roles: the managed ``AWSLambdaBasicExecutionRole`` lets a function write to every log group of
the account; here a role may write only to its function's log group, and every other permission is
granted with exact ARNs by the construct that wires the function."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import StageConfig
from infra.nag import acknowledge

REPO = Path(__file__).resolve().parents[2]
CODE_DIR = REPO / "layers" / "build" / "code"
LAYER_DIR = REPO / "layers" / "build" / "layer"
PATTERNS_LAYER_DIR = REPO / "layers" / "build" / "patterns-layer"
# The dependency layers by name (``ConsumerSpec.layer``): directory and description.
LAYERS: dict[str, tuple[Path, str]] = {
    "shared": (
        LAYER_DIR,
        "Argus third-party dependencies (generated from pyproject.toml by layers/build.py)",
    ),
    "patterns": (
        PATTERNS_LAYER_DIR,
        "Argus pattern job dependencies: numpy, scipy, h3, without GraphQL and media (layers/build.py)",
    ),
}

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
    """The byte-compiled ``argus`` package (code) and its third-party dependencies (the layers by name),
    all built by ``layers/build.py`` without Docker."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        missing = [
            str(d) for d in (CODE_DIR / "argus", *(path / "python" for path, _ in LAYERS.values()))
            if not d.is_dir()
        ]  # fmt: skip
        if missing:
            raise AssetsMissing(
                f"{', '.join(missing)} missing (code asset, shared and patterns layers): "
                "run `python layers/build.py` first"
            )
        # One AssetCode shared by every function: one upload, one hash.
        self.code = _asset(CODE_DIR)
        self.layers: dict[str, lambda_.LayerVersion] = {
            name: lambda_.LayerVersion(
                self,
                "Dependencies" if name == "shared" else f"{name.capitalize()}Dependencies",
                code=_asset(directory),
                compatible_runtimes=[RUNTIME],
                compatible_architectures=[ARCHITECTURE],
                description=description,
            )
            for name, (directory, description) in LAYERS.items()
        }
        self.layer = self.layers["shared"]
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


class ArgusFunction(Construct):
    """One function of the ``argus`` package: arm64, Python 3.13, JSON logs to its own log group, on the
    dependency layer named ``layer``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        assets: FunctionAssets,
        handler: str,
        description: str,
        environment: dict[str, str],
        memory_mb: int = 256,
        timeout: cdk.Duration | None = None,
        layer: str = "shared",
        snap_start: bool = False,
        reserved_concurrency: int | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if layer not in assets.layers:
            raise ValueError(f"unknown dependency layer {layer!r}: one of {sorted(assets.layers)}")
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
            description=f"Execution role of {handler}",
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
            handler=handler,
            code=assets.code,
            layers=[assets.layers[layer]],
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
