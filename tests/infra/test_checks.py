"""cdk-nag passes with every acknowledgement reasoned, and cfn-lint passes on the synthesized templates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from synth_support import Synth

from infra.nag import acknowledgements

pytestmark = pytest.mark.infra


def test_cdk_nag_reports_no_violation(dev: Synth, external: Synth) -> None:
    # Synthesis would have raised on a violation; the report is written all the same.
    for synth in (dev, external):
        report = json.loads((synth.outdir / "validation-report.json").read_text())
        assert report["pluginReports"] == []


def test_every_acknowledgement_has_a_reason_and_reaches_the_template(dev: Synth) -> None:
    acks = acknowledgements()
    assert acks
    assert all(len(a.reason) >= 40 for a in acks)
    written = set()
    for template in (dev.stateful, dev.service):
        for resource in template.to_json()["Resources"].values():
            for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", []):
                assert rule["reason"]
                written.add(rule["id"])
    assert written == {a.rule for a in acks if "Argus-dev-" in a.path}


def test_cfn_lint_passes(dev: Synth, external: Synth) -> None:
    templates = [str(p) for synth in (dev, external) for p in synth.templates()]
    # dev: stateful + service; prod: the same + the us-east-1 edge stack
    assert len(templates) == 5
    # W3005: CDK's own DependsOn on resources that are also referenced (harmless, not ours to change).
    result = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), "--ignore-checks", "W3005", "--", *templates],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
