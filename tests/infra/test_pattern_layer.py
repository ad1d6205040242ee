"""The patterns layer: scipy in, the GraphQL and media libraries out, and the pattern job's import graph
needs none of what it leaves out."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from layers import build

pytestmark = pytest.mark.infra

# Top-level modules of the distributions the patterns layer leaves out.
EXCLUDED_MODULES = ("strawberry", "graphql", "mangum", "PIL", "pillow_heif", "mutagen")

_BLOCKER = textwrap.dedent(
    """
    import sys

    BLOCKED = set(sys.argv[1].split(","))


    class Blocker:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"{name} is not in the patterns layer")
            return None


    sys.meta_path.insert(0, Blocker())
    import argus.handlers.pattern_job

    leaked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
    assert not leaked, leaked
    print("ok")
    """
)


def test_pattern_job_imports_without_the_excluded_libraries() -> None:
    env = {**os.environ, "PYTHONPATH": str(build.ROOT / "functions")}
    result = subprocess.run(
        [sys.executable, "-c", _BLOCKER, ",".join(EXCLUDED_MODULES)],
        capture_output=True,
        text=True,
        env=env,
        cwd=build.ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")


def test_the_blocker_really_blocks() -> None:
    # The same script refuses a module that does import an excluded library (the GraphQL handler).
    env = {**os.environ, "PYTHONPATH": str(build.ROOT / "functions")}
    script = _BLOCKER.replace("argus.handlers.pattern_job", "argus.handlers.graphql")
    result = subprocess.run(
        [sys.executable, "-c", script, ",".join(EXCLUDED_MODULES)],
        capture_output=True,
        text=True,
        env=env,
        cwd=build.ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "is not in the patterns layer" in result.stderr


def test_patterns_layer_requirements_have_scipy_and_no_graphql_or_media() -> None:
    names = [build.requirement_name(r) for r in build.PATTERNS.requirements()]
    assert "scipy" in names
    assert {"numpy", "h3", "pynamodb", "aws-lambda-powertools"} <= set(names)
    assert "strawberry-graphql" not in names
    assert not set(names) & build.GRAPHQL_AND_MEDIA_ONLY
    shared = [build.requirement_name(r) for r in build.SHARED.requirements()]
    assert "scipy" not in shared
    assert "strawberry-graphql" in shared


def test_requirement_names_are_normalised() -> None:
    assert build.requirement_name("strawberry-graphql[asgi]==0.341.2") == "strawberry-graphql"
    assert build.requirement_name("Pillow_HEIF>=1") == "pillow-heif"
    assert build.requirement_name("pyjwt[crypto]==2.15.1") == "pyjwt"
