"""Infrastructure suite: the CDK app synthesized once per session, per configuration.

This directory is not a package on purpose: as ``tests/infra`` it would shadow the ``infra`` package
(the CDK app) for the other suites' ``tests/`` import root. Shared helpers live in ``synth_support``.

Two apps: ``dev`` with a Cognito user pool (the default, no public API domain), and ``prod`` with an
external OIDC issuer (what a police force with its own identity provider deploys), its public API
domain behind CloudFront and WAF, and an alarm subscriber. The Lambda assets are built first if they
are missing (``layers/build.py``; ``make test`` builds them before pytest runs)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
for path in (REPO, HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402
from synth_support import (  # noqa: E402
    ALARM_EMAIL,
    EDGE_CONTEXT,
    EXTERNAL_AUDIENCE,
    EXTERNAL_ISSUER,
    Synth,
)

from infra.app import create_app  # noqa: E402
from layers import build as layer_build  # noqa: E402


@pytest.fixture(scope="session")
def assets_built() -> None:
    if not layer_build.assets_present():
        layer_build.build_all()


def _synth(context: dict[str, object], outdir: Path) -> Synth:
    # Asset staging would copy the ~150 MB layer into every assembly; the templates are the same without.
    app = create_app(context={**context, "aws:cdk:disable-asset-staging": True}, outdir=str(outdir))
    stage = str(context["stage"])
    stateful = app.node.find_child(f"Argus-{stage}-Stateful")
    service = app.node.find_child(f"Argus-{stage}-Service")
    edge = app.node.try_find_child(f"Argus-{stage}-Edge")
    assert isinstance(stateful, cdk.Stack) and isinstance(service, cdk.Stack)
    app.synth()  # runs cdk-nag: an unacknowledged finding raises here
    edge_template = Template.from_stack(edge) if isinstance(edge, cdk.Stack) else None
    return Synth(app, Template.from_stack(stateful), Template.from_stack(service), outdir, edge_template)


@pytest.fixture(scope="session")
def dev(assets_built: None, tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """Stage ``dev``: Argus creates a Cognito user pool."""
    return _synth({"stage": "dev"}, tmp_path_factory.mktemp("cdk-dev"))


@pytest.fixture(scope="session")
def external(assets_built: None, tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """Stage ``prod`` with an external OpenID Connect issuer, its public API domain and alarm email."""
    context = {
        "stage": "prod",
        "oidcIssuer": EXTERNAL_ISSUER,
        "oidcAudience": EXTERNAL_AUDIENCE,
        "alarmEmail": ALARM_EMAIL,
        **EDGE_CONTEXT,
    }
    return _synth(context, tmp_path_factory.mktemp("cdk-prod"))
