"""The Lambda assets: one layer per dependency set, its requirements generated from pyproject (the
[project] dependencies plus the set's groups), trimmed of what no function loads; the local stack never
shipped; bytecode compiled for the runtime's Python; every function within 80 % of Lambda's size limit."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import botocore.session
import pytest
from argus.consumers import PATTERN_JOB
from argus.functions import FUNCTIONS, GRAPHQL
from argus.local import stack as local_stack
from synth_support import fake_distribution, write_file

from layers import build, sizes

pytestmark = pytest.mark.infra

# Optional-dependency groups that no function names: development, and the union of the others.
NOT_FUNCTION_GROUPS = {"runtime", "local", "dev"}


def _names(requirements: list[str]) -> list[str]:
    return [build.requirement_name(r) for r in requirements]


def _optional_groups() -> set[str]:
    return set(build._project(build.PYPROJECT)["optional-dependencies"])


def test_each_set_is_the_base_dependencies_plus_its_groups() -> None:
    base = _names(build.base_requirements())
    assert {"aws-lambda-powertools", "botocore", "pydantic"} <= set(base)
    for function in FUNCTIONS:
        layer = build.layer_of(function)
        names = _names(layer.requirements())
        grouped = [n for group in function.dependencies for n in _names(build.group_requirements(group))]
        assert names == base + [n for n in dict.fromkeys(grouped) if n not in base], function.name
    graphql = _names(build.layer_of(GRAPHQL).requirements())
    assert "strawberry-graphql" in graphql
    assert not {"pillow", "pillow-heif", "mutagen", "scipy"} & set(graphql)


def test_every_group_is_named_by_a_function_and_the_local_stack_has_them_all() -> None:
    named = {group for function in FUNCTIONS for group in function.dependencies}
    assert named == _optional_groups() - NOT_FUNCTION_GROUPS
    runtime = set(_names(build.group_requirements("runtime")))
    assert runtime == {n for group in named for n in _names(build.group_requirements(group))}
    assert set(_names(build.group_requirements("local"))) >= runtime


def test_committed_requirements_files_are_current() -> None:
    for layer in build.layers().values():
        assert layer.requirements_file.read_text() == layer.requirements_text(), layer.name
    assert build.stale_requirements_files() == []
    result = subprocess.run(
        [sys.executable, str(build.ROOT / "layers" / "build.py"), "--check-requirements"], capture_output=True
    )
    assert result.returncode == 0, result.stderr


def test_requirement_names_are_normalised() -> None:
    assert build.requirement_name("strawberry-graphql[asgi]==0.341.2") == "strawberry-graphql"
    assert build.requirement_name("Pillow_HEIF>=1") == "pillow-heif"
    assert build.requirement_name("pyjwt[crypto]==2.15.1") == "pyjwt"


def _pyproject(tmp_path: Path, groups: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[project]\nname = "argus"\ndependencies = ["botocore==1"]\n'
        f"[project.optional-dependencies]\n{groups}"
    )
    return path


def test_groups_expand_references_to_other_groups_and_refuse_conflicts(tmp_path: Path) -> None:
    pyproject = _pyproject(
        tmp_path, 'a = ["h3==4"]\nb = ["argus[a]", "numpy==2"]\nc = ["numpy==3"]\nloop = ["argus[loop]"]\n'
    )
    assert build.group_requirements("b", pyproject) == ["h3==4", "numpy==2"]
    assert build.set_requirements(("a", "b"), pyproject) == ["botocore==1", "h3==4", "numpy==2"]
    with pytest.raises(build.BuildError, match="numpy"):
        build.set_requirements(("b", "c"), pyproject)
    with pytest.raises(build.BuildError, match="include each other"):
        build.group_requirements("loop", pyproject)
    with pytest.raises(build.BuildError, match="no optional-dependency group"):
        build.group_requirements("absent", pyproject)


def test_a_deployed_module_importing_the_local_stack_fails_the_build() -> None:
    assert build._EXCLUDED_IMPORT.search("from argus.local.issuer import LocalIssuer\n")
    assert build._EXCLUDED_IMPORT.search("import argus.cli\n")
    assert not build._EXCLUDED_IMPORT.search("from argus.platform import clock\n")


# --- trimming ----------------------------------------------------------------------------------------


def test_trim_removes_what_no_function_loads_and_keeps_the_rest(tmp_path: Path) -> None:
    site = tmp_path / "python"
    fake_distribution(site, "pycparser", ["pycparser/__init__.py", "pycparser/c_parser.py"])
    write_file(site / "pycparser" / "__pycache__" / "c_parser.cpython-313.pyc", 5)
    fake_distribution(site, "deprecation", ["deprecation.py"])
    write_file(site / "__pycache__" / "deprecation.cpython-313.pyc", 5)
    fake_distribution(site, "six", ["six.py"])
    write_file(site / "__pycache__" / "six.cpython-313.pyc", 5)
    for service in ("s3", "ec2", "sesv2"):
        write_file(site / "botocore" / "data" / service / "2006-03-01" / "service-2.json.gz", 100)
    write_file(site / "botocore" / "data" / "endpoints.json", 7)
    write_file(site / "boto3" / "data" / "ec2" / "2016-11-15" / "resources-1.json", 30)
    write_file(site / "numpy" / "_core" / "tests" / "test_a.py", 20)
    write_file(site / "numpy" / "_core" / "include" / "numpy" / "ndarraytypes.h", 3)
    write_file(site / "numpy" / "__init__.pyi", 4)
    write_file(site / "numpy" / "__init__.py", 4)
    write_file(site / "bin" / "f2py", 2)

    unimported = [
        site / "pycparser",
        site / "deprecation.py",
        site / "__pycache__" / "deprecation.cpython-313.pyc",
    ]
    unimported += list(site.glob("pycparser-*")) + list(site.glob("deprecation-*"))
    unimported_size = sum(build.tree_size(path) for path in unimported)

    removed = build.trim(site)

    assert removed == {
        "unimported distributions": unimported_size,
        "unused AWS service models": 100 + 30,
        "test suites": 20,
        "type stubs": 4,
        "C headers, Cython declarations": 3,
        "files beside the packages": 2,
    }
    assert not (site / "pycparser").exists() and not list(site.glob("pycparser-*"))
    assert not (site / "deprecation.py").exists() and not list(site.glob("__pycache__/deprecation.*"))
    assert (site / "six.py").exists() and (site / "__pycache__" / "six.cpython-313.pyc").exists()
    assert sorted(p.name for p in (site / "botocore" / "data").iterdir()) == ["endpoints.json", "s3", "sesv2"]
    assert not (site / "boto3" / "data" / "ec2").exists()
    assert (site / "numpy" / "__init__.py").exists()
    assert not (site / "numpy" / "_core" / "tests").exists()


def test_every_aws_service_argus_calls_keeps_its_models() -> None:
    called = set(local_stack._SERVICES)
    client = re.compile(r"""client\(\s*["']([a-z0-9-]+)["']""")
    for path in (build.ROOT / "functions" / "argus").rglob("*.py"):
        called |= set(client.findall(path.read_text()))
    assert {"dynamodb", "events", "s3"} <= called
    assert called <= build.BOTOCORE_SERVICES, called - build.BOTOCORE_SERVICES
    # Each kept name is a service botocore knows (a misspelt one would keep nothing).
    assert build.BOTOCORE_SERVICES <= set(botocore.session.get_session().get_available_services())


# --- the built assets --------------------------------------------------------------------------------


@pytest.mark.usefixtures("assets_built")
def test_code_asset_holds_the_package_without_the_local_stack() -> None:
    package = build.CODE_DIR / "argus"
    assert (package / "handlers" / "graphql.py").is_file()
    assert (package / "functions.py").is_file()
    assert not (package / "local").exists()
    assert not (package / "cli.py").exists()


@pytest.mark.usefixtures("assets_built")
@pytest.mark.parametrize("name", sorted(build.layers()))
def test_layer_holds_its_dependencies_for_arm64_without_what_is_trimmed(name: str) -> None:
    site = build.layers()[name].directory / "python"
    native = list((site / "pydantic_core").glob("_pydantic_core.*.so"))
    assert native and all("aarch64" in so.name and "cpython-313" in so.name for so in native)
    services = {p.name for p in (site / "botocore" / "data").iterdir() if p.is_dir()} - {"__pycache__"}
    assert services == build.BOTOCORE_SERVICES
    installed = {build.distribution_name(info) for info in site.glob("*.dist-info")}
    assert not installed & set(build.UNIMPORTED_DISTRIBUTIONS)
    for patterns in build.TRIMMED.values():
        for pattern in patterns:
            assert not list(site.glob(pattern)), pattern


@pytest.mark.usefixtures("assets_built")
def test_patterns_layer_holds_scipy_for_arm64() -> None:
    site = build.layer_of(PATTERN_JOB).directory / "python"
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
    graphql = build.layer_of(GRAPHQL).directory / "python"
    assert list((graphql / "strawberry").rglob("*.cpython-313.pyc"))
    patterns = build.layer_of(PATTERN_JOB).directory / "python"
    assert list((patterns / "scipy" / "stats").rglob("*.cpython-313.pyc"))


@pytest.mark.usefixtures("assets_built")
def test_every_function_fits_80_percent_of_lambdas_unzipped_size_limit() -> None:
    measured = sizes.function_sizes()
    assert sorted(s.function for s in measured) == sorted(f.name for f in FUNCTIONS)
    over = {
        s.function: f"{s.total / sizes.MIB:.1f} MiB" for s in measured if s.total > sizes.BUDGET * sizes.LIMIT
    }
    assert not over, over
    # The size table (make sizes) has a row per function and per layer.
    table = sizes.report()
    for s in measured:
        assert f"| {s.function} |" in table
    for name in build.layers():
        assert f"| {name} |" in table


@pytest.mark.usefixtures("assets_built")
def test_the_build_records_what_it_trimmed_from_each_layer() -> None:
    for layer in build.layers().values():
        removed = json.loads(build.trimmed_report(layer).read_text())
        assert removed["unused AWS service models"] > 10 * sizes.MIB, layer.name
