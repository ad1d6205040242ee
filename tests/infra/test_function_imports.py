"""Every function's handler imports with exactly its layer, and nothing in that layer goes unimported.

Each handler is imported in an isolated interpreter (``-I -S``: no site-packages, no environment
variables, no current directory) whose path is the code asset and the function's layer only. The Lambda
layers hold aarch64 / CPython 3.13 wheels that cannot load on the x86_64 machines tests run on, so the
layer on the path is its host variant (``layers/build.py --host``): the layer's distributions at the
layer's versions, from one install of every set's requirements for this interpreter (same lock, trimmed
by the same code). Bytecode goes to a cache of its own (``-X pycache_prefix``), so the
code asset stays as built.

After the handler, the interpreter imports the modules its declaration says it loads on first use
(``lazy_imports``), none of which the handler may have loaded already. Every distribution of the layer
must then have been imported: the layer carries nothing for nothing. Zones are looked up in the tzdata
package only (``zoneinfo.reset_tzpath(())``), not in this machine's /usr/share/zoneinfo.

Why import rather than analyse: ``modulefinder`` and other static walks miss imports made through
``importlib`` (``argus.geo`` loads its modules by name) and report imports that never run; sys.modules
after a real import is what Lambda's interpreter will load."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from argus.functions import FUNCTIONS, OUTBOX_RELAY
from argus.platform.functions import FunctionSpec
from synth_support import fake_distribution

from layers import build

pytestmark = pytest.mark.infra

PYCACHE = build.BUILD / "host-pycache"  # beside the host variants, never inside a layer
# Imports the handler, then its lazy imports; prints what was loaded (top-level names).
_IMPORT = """
import importlib, json, sys, zoneinfo
args = json.loads(sys.argv[1])
assert not [p for p in sys.path if "site-packages" in p], sys.path
zoneinfo.reset_tzpath(to=())
sys.path[:0] = args["path"]
tops = lambda: sorted({name.split(".")[0] for name in sys.modules})
handler = getattr(importlib.import_module(args["module"]), args["function"])
assert callable(handler), args["function"]
eager = tops()
already = [name for name in args["lazy"] if name in sys.modules]
for name in args["lazy"]:
    importlib.import_module(name)
if args["clients"]:
    import boto3
    for service in args["clients"]:
        boto3.client(service, region_name="eu-west-2")
print(json.dumps({"eager": eager, "loaded": tops(), "already": already}))
"""


@dataclass(frozen=True)
class Imported:
    """What a handler's interpreter loaded: top-level module names."""

    returncode: int
    stderr: str
    eager: frozenset[str] = frozenset()
    loaded: frozenset[str] = frozenset()
    lazy_already_loaded: tuple[str, ...] = ()


def run_import(
    site: Path, module: str, function: str, lazy: tuple[str, ...], clients: tuple[str, ...] = ()
) -> Imported:
    """Import ``module`` (and ``lazy``) with only the code asset and ``site`` on the path."""
    args = {
        "path": [str(build.CODE_DIR), str(site)],
        "module": module,
        "function": function,
        "lazy": list(lazy),
        "clients": list(clients),
    }
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-X", f"pycache_prefix={PYCACHE}", "-c", _IMPORT, json.dumps(args)],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "eu-west-2", "LANG": "C.UTF-8"},
        cwd=build.BUILD,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        return Imported(result.returncode, result.stderr)
    out = json.loads(result.stdout)
    return Imported(
        0, result.stderr, frozenset(out["eager"]), frozenset(out["loaded"]), tuple(out["already"])
    )


def distributions(site: Path) -> dict[str, frozenset[str]]:
    """Each distribution installed in ``site`` (normalised name → the top-level names it installed)."""
    found = {}
    for info in site.glob("*.dist-info"):
        with (info / "RECORD").open(newline="") as fh:
            first = {Path(row[0]).parts[0] for row in csv.reader(fh) if row and not row[0].startswith("..")}
        names = {
            name.split(".")[0] for name in first if not name.endswith(".dist-info") and name != "__pycache__"
        }
        found[build.distribution_name(info)] = frozenset(names)
    return found


def versions(site: Path) -> dict[str, str]:
    return {
        build.distribution_name(i): i.name.removesuffix(".dist-info").rsplit("-", 1)[1]
        for i in site.glob("*.dist-info")
    }


@pytest.fixture(scope="session")
def host_layers(assets_built: None) -> dict[str, Path]:
    """The host variant of every layer, by set name (built once, then reused while its inputs hold)."""
    return build.build_host_layers()


@pytest.fixture(scope="session")
def imported(host_layers: dict[str, Path]) -> dict[str, Imported]:
    """Every function's import with its layer, by function name (two at a time)."""

    def one(function: FunctionSpec) -> Imported:
        site = host_layers[function.dependency_set]
        return run_import(site, function.handler_module, function.handler_function, function.lazy_imports)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return dict(zip((f.name for f in FUNCTIONS), pool.map(one, FUNCTIONS), strict=True))


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_handler_imports_with_only_its_layer(function: FunctionSpec, imported: dict[str, Imported]) -> None:
    result = imported[function.name]
    assert result.returncode == 0, result.stderr[-3000:]
    assert "argus" in result.eager


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_lazy_imports_are_not_loaded_by_the_handler(
    function: FunctionSpec, imported: dict[str, Imported]
) -> None:
    # A lazy import the handler already loads is a stale declaration: it would excuse nothing.
    assert imported[function.name].lazy_already_loaded == ()


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_nothing_in_the_layer_goes_unimported(
    function: FunctionSpec, imported: dict[str, Imported], host_layers: dict[str, Path]
) -> None:
    result = imported[function.name]
    assert result.returncode == 0, result.stderr[-3000:]
    unused = {
        name: sorted(tops)
        for name, tops in distributions(host_layers[function.dependency_set]).items()
        if not tops & result.loaded
    }
    assert not unused, f"{function.name} never imports {unused}: drop its group or declare the lazy import"


@pytest.mark.parametrize("name", sorted(build.layers()))
def test_host_variant_holds_the_lambda_layers_distributions(name: str, host_layers: dict[str, Path]) -> None:
    lambda_site = build.layers()[name].directory / "python"
    assert versions(host_layers[name]) == versions(lambda_site)


def test_a_host_variant_holds_the_layers_distributions_and_no_other_version(tmp_path: Path) -> None:
    lambda_site, host_site, view = tmp_path / "lambda", tmp_path / "host", tmp_path / "view" / "python"
    fake_distribution(lambda_site, "six", ["six.py"], "1.17.0")
    fake_distribution(host_site, "six", ["six.py"], "1.17.0")
    fake_distribution(host_site, "idna", ["idna/__init__.py"], "3.20")
    build.host_view(lambda_site, host_site, view)
    assert sorted(p.name for p in view.iterdir()) == ["six-1.17.0.dist-info", "six.py"]
    # The same distribution at another version is not the layer's.
    fake_distribution(lambda_site, "idna", ["idna/__init__.py"], "3.21")
    with pytest.raises(build.BuildError, match=r"idna 3\.21"):
        build.host_view(lambda_site, host_site, view)


def test_the_check_fails_on_a_layer_missing_an_import(host_layers: dict[str, Path]) -> None:
    # The pattern job's handler with the audit consumer's layer: no numpy, scipy or h3 there.
    pattern_job = next(f for f in FUNCTIONS if "patterns" in f.dependencies)
    result = run_import(host_layers["table"], pattern_job.handler_module, pattern_job.handler_function, ())
    assert result.returncode != 0
    assert "ModuleNotFoundError" in result.stderr


def test_the_check_sees_an_unused_distribution(
    imported: dict[str, Imported], host_layers: dict[str, Path]
) -> None:
    # The audit consumer loads nothing of the GraphQL function's layer beyond its own set.
    audit = imported["audit"]
    graphql_layer = distributions(
        host_layers[next(f for f in FUNCTIONS if f.name == "graphql").dependency_set]
    )
    assert {"strawberry-graphql", "shapely", "pyjwt"} <= {
        n for n, tops in graphql_layer.items() if not tops & audit.loaded
    }


def test_every_kept_aws_service_makes_a_client_with_the_trimmed_models(host_layers: dict[str, Path]) -> None:
    site = host_layers[OUTBOX_RELAY.dependency_set]
    result = run_import(site, "argus.platform.aws", "aws_client", (), tuple(sorted(build.BOTOCORE_SERVICES)))
    assert result.returncode == 0, result.stderr[-3000:]
