"""cdk-nag (AwsSolutions, v3 API) and its acknowledgements.

Every acknowledgement goes through :func:`acknowledge`, which refuses an empty reason and records the
acknowledgement so that tests and docs/infra.md can list them all."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct


@dataclass(frozen=True)
class Acknowledgement:
    path: str
    rule: str
    reason: str


_ACKNOWLEDGED: list[Acknowledgement] = []


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge one cdk-nag finding on ``scope`` (and its children) with a written reason."""
    if len(reason.strip()) < 20:
        raise ValueError(f"acknowledging {rule} needs a real reason, got {reason!r}")
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))
    _ACKNOWLEDGED.append(Acknowledgement(scope.node.path, rule, reason))


def acknowledgements() -> list[Acknowledgement]:
    """Every acknowledgement made in this process (in the order they were made)."""
    return list(_ACKNOWLEDGED)


def add_checks(app: cdk.App) -> None:
    """Run the AwsSolutions pack on every synth; a finding without acknowledgement fails synthesis.
    Acknowledgements are also written into the templates' metadata (``cdk_nag``) for audit."""
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True))
