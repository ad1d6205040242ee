"""The Lambda assets: requirements generated from pyproject (one file per layer), the local stack never
shipped, bytecode compiled for the runtime's Python, every function within Lambda's size limit."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from layers import build

pytestmark = pytest.mark.infra


def test_requirements_are_the_runtime_dependencies_of_pyproject() -> None:
    lines = [line for line in build.requirements_text().splitlines() if line and not line.startswith("#")]
    assert lines == build.runtime_requirements()
    assert any(line.startswith("strawberry-graphql") for line in lines)
    assert not any(line.startswith(("moto", "aws-cdk-lib", "pytest")) for line in lines)


def test_patterns_requirements_are_the_runtime_dependencies_without_graphql_and_media_plus_scipy() -> None:
    lines = [
        line for line in build.PATTERNS.requirements_text().splitlines() if line and not line.startswith("#")
    ]
    assert lines == build.PATTERNS.requirements()
    runtime = [
        r
        for r in build.runtime_requirements()
        if build.requirement_name(r) not in build.GRAPHQL_AND_MEDIA_ONLY
    ]
    assert lines[: len(runtime)] == runtime
    assert [build.requirement_name(line) for line in lines[len(runtime) :]] == ["scipy"]


def test_committed_requirements_files_are_current() -> None:
    for layer in build.LAYERS.values():
        assert layer.requirements_file.read_text() == layer.requirements_text(), layer.name
    result = subprocess.run(
        [sys.executable, str(build.ROOT / "layers" / "build.py"), "--check-requirements"], capture_output=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.usefixtures("assets_built")
def test_code_asset_holds_the_package_without_the_local_stack() -> None:
    package = build.CODE_DIR / "argus"
    assert (package / "handlers" / "graphql.py").is_file()
    assert not (package / "local").exists()
    assert not (package / "cli.py").exists()


@pytest.mark.usefixtures("assets_built")
def test_layer_holds_the_dependencies_for_arm64() -> None:
    site = build.LAYER_DIR / "python"
    assert (site / "strawberry").is_dir()
    assert (site / "pydantic_core").is_dir()
    native = list((site / "pydantic_core").glob("_pydantic_core.*.so"))
    assert native and all("aarch64" in so.name and "cpython-313" in so.name for so in native)


@pytest.mark.usefixtures("assets_built")
def test_patterns_layer_holds_scipy_without_graphql_media_or_test_suites() -> None:
    site = build.PATTERNS_LAYER_DIR / "python"
    for package in ("scipy", "numpy", "h3", "shapely", "pynamodb", "aws_lambda_powertools"):
        assert (site / package).is_dir(), package
    for package in ("strawberry", "graphql", "mangum", "PIL", "pillow_heif", "mutagen"):
        assert not (site / package).exists(), package
    assert not list((site / "scipy").glob("**/tests"))
    assert not list((site / "numpy").glob("**/tests"))
    native = list((site / "scipy" / "linalg").glob("_flapack.*.so"))
    assert native and all("aarch64" in so.name and "cpython-313" in so.name for so in native)


@pytest.mark.usefixtures("assets_built")
def test_assets_ship_bytecode_for_the_lambda_python() -> None:
    compiler = build.find_compiler(fetch=False)
    if compiler is None:
        pytest.skip("no CPython 3.13 here: the assets were built without bytecode")
    pyc = build.CODE_DIR / "argus" / "handlers" / "__pycache__" / "graphql.cpython-313.pyc"
    assert pyc.is_file()
    header = pyc.read_bytes()[:16]
    # unchecked-hash pyc: flags 0b01 (hash-based, not checked)
    assert int.from_bytes(header[4:8], "little") == 0b01
    assert header[:4] != importlib.util.MAGIC_NUMBER or sys.version_info[:2] == (3, 13)
    assert list((build.LAYER_DIR / "python" / "strawberry").rglob("*.cpython-313.pyc"))
    assert list((build.PATTERNS_LAYER_DIR / "python" / "scipy" / "stats").rglob("*.cpython-313.pyc"))


def test_a_deployed_module_importing_the_local_stack_fails_the_build() -> None:
    assert build._EXCLUDED_IMPORT.search("from argus.local.issuer import LocalIssuer\n")
    assert build._EXCLUDED_IMPORT.search("import argus.cli\n")
    assert not build._EXCLUDED_IMPORT.search("from argus.platform import clock\n")


@pytest.mark.usefixtures("assets_built")
@pytest.mark.parametrize("layer", sorted(build.LAYERS))
def test_function_and_layer_fit_lambdas_unzipped_size_limit(layer: str) -> None:
    # Lambda refuses a function whose code and layers exceed 250 MB unzipped.
    directories = (build.CODE_DIR, build.LAYERS[layer].directory)
    size = sum(p.stat().st_size for d in directories for p in d.rglob("*") if p.is_file())
    assert size < 240 * 1024 * 1024, f"{size / 2**20:.0f} MB"
