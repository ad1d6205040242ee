"""Build the Lambda assets without Docker: one dependency layer per distinct dependency set, and the code.

* A dependency layer per set (``layers/build/layers/<set>/python``): each function names the
  optional-dependency groups of ``pyproject.toml`` its handler imports (``argus/functions.py``,
  ``argus/consumers.py``); its set is the ``[project] dependencies`` plus those groups, written to
  ``layers/requirements/<set>.txt``. Functions naming the same groups share the layer.

  Every set is pinned transitively by ``requirements.lock`` and installed for the Lambda platform with
  ``pip install --platform manylinux…_aarch64 --python-version 3.13 --only-binary=:all:``; each is
  rebuilt only when the hash of its inputs changes. What no function loads at run time is then trimmed
  (``TRIMMED``, ``UNIMPORTED_DISTRIBUTIONS``, ``BOTOCORE_SERVICES``; docs/infra.md measures each).
* The code asset (``layers/build/code``): a copy of ``functions/argus`` without the local stack
  (``argus/local``, ``argus/cli.py``: the development token issuer never ships to AWS).
* For the tests only, a host variant of each layer (``layers/build/host/<set>/python``, ``--host``):
  the layer's distributions at the layer's versions, hard-linked from one install of every set's
  requirements (same lock, trimmed alike) for this machine's Python, so that tests/infra can import
  each handler with exactly its layer (the aarch64 wheels cannot load here).

Both are byte-compiled with ``compileall --invalidation-mode unchecked-hash``, because Lambda's file
system is read-only: without shipped ``.pyc`` files every cold start compiles every import again (4-8x
slower imports). Bytecode is specific to the interpreter's minor version, so the compiler must be a
CPython 3.13 like the Lambda runtime: ``$ARGUS_LAMBDA_PYTHON``, ``python3.13`` on PATH, or Debian's
``python3.13-minimal`` fetched with apt-get into ``layers/build/python3.13`` (Debian's package
registry is reachable where PyPI is; see ``layers/compiler.py``). Without one, the assets ship
sources only and a warning says so (``--require-bytecode`` makes that an error).

Usage: ``python layers/build.py [--force] [--require-bytecode] [--host] [--check-requirements]``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import PathDistribution
from pathlib import Path
from typing import TYPE_CHECKING, Any

if not __package__:  # run as a script: python layers/build.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from layers import compiler
from layers.compiler import LAMBDA_PYTHON, Interpreter, byte_compile, find_compiler, log

if TYPE_CHECKING:
    from argus.platform.functions import FunctionSpec

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
SOURCE = ROOT / "functions" / "argus"
REQUIREMENTS_DIR = ROOT / "layers" / "requirements"  # one generated file per dependency set (committed)

BUILD = ROOT / "layers" / "build"
CODE_DIR = BUILD / "code"  # the function asset: Lambda unpacks it at /var/task
LAYERS_DIR = BUILD / "layers"  # one directory per dependency set: Lambda mounts <set>/python at /opt/python
HOST_DIR = BUILD / "host"  # the host variants of the sets (tests only)
HOST_INSTALL = BUILD / "host-install"  # every set installed for this machine: the variants link to it

# Lambda's python3.13 runtime runs on Amazon Linux 2023 (glibc 2.34): wheels for any manylinux up to
# 2.34 run there (numpy 2.4 ships manylinux_2_28 wheels only, no manylinux2014 ones).
LAMBDA_PLATFORMS = ("manylinux_2_34_aarch64", "manylinux_2_28_aarch64", "manylinux2014_aarch64")
# The build scripts are inputs of every asset: changing how they are built rebuilds them.
BUILD_SCRIPTS = (Path(__file__).resolve(), Path(compiler.__file__).resolve())

# --- what no function loads at run time (docs/infra.md measures each saving) ---------------------------
# Paths (globs under the layer's python/) trimmed from every layer, with why nothing loads them.
TRIMMED: dict[str, tuple[str, ...]] = {
    # Console scripts (they carry the build host's interpreter path), C headers, static libraries and
    # man pages that wheels install beside the packages, and a changelog dropped at the top level.
    "files beside the packages": ("bin", "include", "lib64", "share", "*.md"),
    # Test suites inside wheels: run by nobody on Lambda.
    "test suites": ("numpy/**/tests", "scipy/**/tests", "shapely/tests"),
    # Type stubs: read by type checkers, never by the import system.
    "type stubs": ("**/*.pyi",),
    # C headers and Cython declarations: for compiling against numpy and scipy, not for running them.
    "C headers, Cython declarations": ("**/*.h", "**/*.pxd"),
}
# Distributions that an installed distribution requires but that no function loads (tests/infra imports
# every handler with its layer and fails on a distribution it leaves unimported): removed with their
# metadata, and why each is never loaded.
UNIMPORTED_DISTRIBUTIONS: dict[str, str] = {
    "pycparser": "cffi parses C declarations with it when building bindings; cryptography's are compiled",
    "deprecation": "only cloudevents' v1 API imports it (Argus uses cloudevents.core)",
    "packaging": "only deprecation and Strawberry's Datadog tracing extension import it",
    "idna": "anyio and urllib3 import it only to resolve non-ASCII host names (AWS endpoints are ASCII)",
}
# The AWS services whose botocore models (and boto3 resource models) ship: every service a function or the
# local stack calls, the services the coming domains call (SES v2, SNS, End User Messaging SMS/voice, Step
# Functions, Scheduler), and those botocore's own credential providers call. The other ~420 services'
# models are never loaded.
BOTOCORE_SERVICES = frozenset(
    {
        "appsync", "cognito-idp", "dynamodb", "dynamodbstreams", "events", "kms", "lambda",
        "pinpoint-sms-voice-v2", "s3", "scheduler", "secretsmanager", "sesv2", "sns", "sqs",
        "stepfunctions",
        "sso", "sso-oidc", "sts",  # credential providers (assumed roles, IAM Identity Center profiles)
    }
)  # fmt: skip
# Where botocore and boto3 keep one directory of models per service.
SERVICE_MODEL_DIRS = ("botocore/data", "boto3/data")
# Never shipped: the local stack and its CLI (the development token issuer lives there).
EXCLUDED_SOURCES = ("local", "cli.py")
_EXCLUDED_IMPORT = re.compile(
    r"^\s*(from\s+argus(\.local|\.cli)\b|import\s+argus\.(local|cli)\b|from\s+argus\s+"
    r"import\s+.*\b(local|cli)\b)",
    re.MULTILINE,
)
_SELF_REFERENCE = re.compile(r"^\s*argus\s*\[([^\]]*)\]\s*$")


class BuildError(RuntimeError):
    """The assets could not be built."""


# --- requirements ------------------------------------------------------------------------------------


def _project(pyproject: Path) -> dict[str, Any]:
    with pyproject.open("rb") as fh:
        project: dict[str, Any] = tomllib.load(fh)["project"]
    return project


def base_requirements(pyproject: Path = PYPROJECT) -> list[str]:
    """The ``[project] dependencies`` of ``pyproject`` (what every function imports)."""
    return [str(dep) for dep in _project(pyproject).get("dependencies", [])]


def group_requirements(group: str, pyproject: Path = PYPROJECT) -> list[str]:
    """The requirements of the optional-dependency ``group``, with ``argus[other]`` expanded."""
    optional = _project(pyproject).get("optional-dependencies", {})

    def expand(name: str, seen: tuple[str, ...]) -> list[str]:
        if name not in optional:
            raise BuildError(f"no optional-dependency group {name!r} in {pyproject.name}")
        if name in seen:
            raise BuildError(f"optional-dependency groups include each other: {' -> '.join((*seen, name))}")
        found = []
        for requirement in map(str, optional[name]):
            if match := _SELF_REFERENCE.match(requirement):
                for other in filter(None, (g.strip() for g in match.group(1).split(","))):
                    found += expand(other, (*seen, name))
            else:
                found.append(requirement)
        return found

    return expand(group, ())


def requirement_name(requirement: str) -> str:
    """The normalised (PEP 503) distribution name of ``requirement``: ``Pillow_HEIF>=1`` → ``pillow-heif``."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if not match:
        raise BuildError(f"not a requirement: {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def set_requirements(groups: Iterable[str], pyproject: Path = PYPROJECT) -> list[str]:
    """The ``[project] dependencies`` plus those of ``groups``, each distribution once (two groups may
    name the same one, never with different specifiers)."""
    chosen: dict[str, str] = {}
    for requirement in base_requirements(pyproject) + [
        r for group in groups for r in group_requirements(group, pyproject)
    ]:
        name = requirement_name(requirement)
        if chosen.setdefault(name, requirement) != requirement:
            raise BuildError(f"{name} is required as both {chosen[name]!r} and {requirement!r}")
    return list(chosen.values())


@dataclass(frozen=True)
class LayerSpec:
    """The dependency layer of one dependency set: the ``[project] dependencies`` plus the optional
    dependencies of ``groups``, installed into ``directory/python`` (Lambda mounts it at /opt/python)."""

    name: str  # the dependency set, as functions name it (FunctionSpec.dependency_set)
    groups: tuple[str, ...]

    @property
    def directory(self) -> Path:
        return LAYERS_DIR / self.name

    @property
    def host_directory(self) -> Path:
        return HOST_DIR / self.name

    @property
    def requirements_file(self) -> Path:
        return REQUIREMENTS_DIR / f"{self.name}.txt"

    def requirements(self, pyproject: Path = PYPROJECT) -> list[str]:
        return set_requirements(self.groups, pyproject)

    def requirements_text(self, pyproject: Path = PYPROJECT) -> str:
        groups = ", ".join(self.groups) if self.groups else "none"
        header = (
            "# Generated by layers/build.py from pyproject.toml: do not edit.\n"
            f"# The [project] dependencies plus the optional-dependency groups: {groups}.\n"
            "# Transitive versions are pinned by requirements.lock (passed to pip as constraints).\n"
        )
        return header + "".join(f"{dep}\n" for dep in self.requirements(pyproject))

    def write_requirements(self) -> bool:
        """Write the requirements file; True when it changed."""
        text = self.requirements_text()
        if self.requirements_file.exists() and self.requirements_file.read_text() == text:
            return False
        self.requirements_file.parent.mkdir(parents=True, exist_ok=True)
        self.requirements_file.write_text(text)
        return True

    def is_current(self) -> bool:
        """Whether the committed requirements file matches pyproject.toml."""
        current = self.requirements_file.read_text() if self.requirements_file.exists() else None
        return current == self.requirements_text()


def layer_of(function: FunctionSpec) -> LayerSpec:
    """The layer of ``function``'s dependency set."""
    return LayerSpec(function.dependency_set, tuple(sorted(function.dependencies)))


def functions() -> tuple[FunctionSpec, ...]:
    """Every function of the catalogue (``argus.functions.FUNCTIONS``)."""
    from argus.functions import FUNCTIONS

    return FUNCTIONS


def layers() -> dict[str, LayerSpec]:
    """One layer per distinct dependency set of the catalogue's functions, by set name."""
    return {layer.name: layer for layer in sorted(map(layer_of, functions()), key=lambda spec: spec.name)}


def stale_requirements_files() -> list[Path]:
    """Requirements files of sets no function names any more."""
    current = {layer.requirements_file for layer in layers().values()}
    return sorted(p for p in REQUIREMENTS_DIR.glob("*.txt") if p not in current)


# --- hashing -----------------------------------------------------------------------------------------


def _digest(parts: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _up_to_date(path: Path, digest: str) -> bool:
    return path.is_dir() and _stamp(path).exists() and _stamp(path).read_text().strip() == digest


def _source_files() -> list[Path]:
    files = []
    for path in sorted(SOURCE.rglob("*")):
        relative = path.relative_to(SOURCE)
        if not path.is_file() or "__pycache__" in relative.parts or path.suffix == ".pyc":
            continue
        if relative.parts[0] in EXCLUDED_SOURCES:
            continue
        files.append(path)
    return files


def _requirements_digest(requirements: bytes, target: str) -> str:
    """The digest of an install of ``requirements`` for ``target``: with the lock and the build scripts."""
    lock = LOCK.read_bytes() if LOCK.exists() else b""
    return _digest([requirements, lock, *(script.read_bytes() for script in BUILD_SCRIPTS), target.encode()])


def layer_digest(layer: LayerSpec, compiled: bool) -> str:
    """The digest of everything ``layer`` is built from."""
    layer.write_requirements()
    target = f"{' '.join(LAMBDA_PLATFORMS)} {LAMBDA_PYTHON} pyc={compiled}"
    return _requirements_digest(layer.requirements_file.read_bytes(), target)


def code_digest(compiled: bool) -> str:
    """The digest of everything the code asset is built from."""
    inputs = [*(script.read_bytes() for script in BUILD_SCRIPTS), f"pyc={compiled}".encode()]
    for path in _source_files():
        inputs += [str(path.relative_to(SOURCE)).encode(), path.read_bytes()]
    return _digest(inputs)


# --- trimming ----------------------------------------------------------------------------------------


def tree_size(path: Path) -> int:
    """Apparent size in bytes of a file or of every file under a directory (what Lambda's unzipped size
    limit counts)."""
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_symlink() or p.is_file())


def _remove(path: Path) -> int:
    size = tree_size(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()
    return size


def distribution_name(info: Path) -> str:
    """The normalised name of the distribution whose metadata is the ``.dist-info`` directory ``info``."""
    return requirement_name(PathDistribution(info).metadata["Name"])


def _recorded(site: Path, info: Path) -> list[Path]:
    """The files a distribution installed in ``site`` (its RECORD), outside its metadata directory."""
    with (info / "RECORD").open(newline="") as fh:
        rows = [row[0] for row in csv.reader(fh) if row and ".." not in Path(row[0]).parts]
    return [site / row for row in rows if info not in (site / row).parents]


def _remove_distribution(site: Path, info: Path) -> int:
    """Remove the files a distribution installed (its RECORD), their bytecode and its metadata."""
    removed = 0
    directories: set[Path] = set()
    for path in _recorded(site, info):
        if path.suffix == ".py":
            removed += sum(_remove(pyc) for pyc in path.parent.glob(f"__pycache__/{path.stem}.*.pyc"))
            directories.add(path.parent / "__pycache__")
        if path.exists() or path.is_symlink():
            removed += _remove(path)
        directories.update(p for p in path.parents if site in p.parents)
    for directory in sorted(directories, key=lambda d: len(d.parts), reverse=True):
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
    return removed + _remove(info)


def trim(site: Path) -> dict[str, int]:
    """Remove from an installed layer what no function loads (``TRIMMED``, ``UNIMPORTED_DISTRIBUTIONS``,
    the models of services outside ``BOTOCORE_SERVICES``): bytes removed, by reason."""
    removed: dict[str, int] = {}

    def count(reason: str, size: int) -> None:
        removed[reason] = removed.get(reason, 0) + size

    for reason, patterns in TRIMMED.items():
        for pattern in patterns:
            for path in sorted(site.glob(pattern), key=lambda p: len(p.parts), reverse=True):
                if path.exists() or path.is_symlink():
                    count(reason, _remove(path))
    for info in sorted(site.glob("*.dist-info")):
        if distribution_name(info) in UNIMPORTED_DISTRIBUTIONS:
            count("unimported distributions", _remove_distribution(site, info))
    for models in SERVICE_MODEL_DIRS:
        directory = site / models
        services = sorted(directory.iterdir()) if directory.is_dir() else []
        for service in services:
            if service.is_dir() and service.name not in BOTOCORE_SERVICES and service.name != "__pycache__":
                count("unused AWS service models", _remove(service))
    return removed


def trimmed_report(layer: LayerSpec) -> Path:
    """Where the build records what it trimmed from ``layer`` (bytes by reason), beside the layer."""
    return layer.directory.with_name(layer.directory.name + ".trimmed.json")


# --- the assets --------------------------------------------------------------------------------------


def _install(what: str, requirements: Path, directory: Path, pip_options: list[str]) -> Path:
    """pip install ``requirements`` (pinned by the lock) into ``directory/python``."""
    shutil.rmtree(directory, ignore_errors=True)
    target = directory / "python"
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
        "--target", str(target), "--only-binary=:all:", *pip_options, "-r", str(requirements),
    ]  # fmt: skip
    if LOCK.exists():
        command += ["--constraint", str(LOCK)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildError(f"pip could not build {what}:\n{result.stdout}\n{result.stderr}")
    return target


def build_layer(layer: LayerSpec, *, force: bool = False, compiler: Interpreter | None = None) -> Path:
    """Install ``layer``'s requirements for the Lambda platform into ``<layer directory>/python``,
    byte-compile and trim them."""
    digest = layer_digest(layer, compiler is not None)
    if not force and _up_to_date(layer.directory, digest):
        log(f"{layer.name} dependency layer is up to date")
        return layer.directory
    log(f"building the {layer.name} dependency layer (pip, no Docker)")
    platforms = [arg for p in LAMBDA_PLATFORMS for arg in ("--platform", p)]
    target = _install(
        f"the {layer.name} layer",
        layer.requirements_file,
        layer.directory,
        [*platforms, "--python-version", LAMBDA_PYTHON, "--implementation", "cp"],
    )
    # Compiled first, so that what is trimmed is counted with its bytecode.
    if compiler:
        byte_compile(compiler, target, "/opt/python")
    removed = trim(target)
    trimmed_report(layer).write_text(json.dumps(removed, indent=2, sort_keys=True) + "\n")
    _stamp(layer.directory).write_text(digest + "\n")
    return layer.directory


def _build_host_install(specs: Iterable[LayerSpec], *, force: bool) -> Path:
    """Every set's requirements (pinned by the lock) installed once for this machine's Python, trimmed
    like the layers, not compiled: what the host variants are made of."""
    groups = sorted({group for layer in specs for group in layer.groups})
    text = "".join(f"{requirement}\n" for requirement in set_requirements(groups)).encode()
    digest = _requirements_digest(text, f"host {sys.implementation.cache_tag} {platform.machine()}")
    if not force and _up_to_date(HOST_INSTALL, digest):
        return HOST_INSTALL / "python"
    log("installing every dependency set for this machine (the tests' host variants of the layers)")
    requirements = BUILD / "host-requirements.txt"
    requirements.write_bytes(text)
    site = _install("the host variants", requirements, HOST_INSTALL, [])
    trim(site)
    _stamp(HOST_INSTALL).write_text(digest + "\n")
    return site


def host_view(lambda_site: Path, host_site: Path, target: Path) -> None:
    """Make ``target`` hold the distributions of ``lambda_site`` at their versions, with their files from
    ``host_site`` (hard links); fail if the host install lacks one of them at that version."""
    available = {distribution_name(info): info for info in host_site.glob("*.dist-info")}
    shutil.rmtree(target, ignore_errors=True)
    for info in sorted(lambda_site.glob("*.dist-info")):
        name, version = distribution_name(info), PathDistribution(info).version
        host = available.get(name)
        if host is None or PathDistribution(host).version != version:
            raise BuildError(
                f"the host install has no {name} {version} (the layer's) to make its host variant"
            )
        files = [*_recorded(host_site, host), *host.rglob("*")]
        for path in (p for p in files if p.is_file()):
            destination = target / path.relative_to(host_site)
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, destination)
            except OSError:  # another file system: copy
                shutil.copy2(path, destination)


def build_code(*, force: bool = False, compiler: Interpreter | None = None) -> Path:
    """Copy ``functions/argus`` (without the local stack) to ``layers/build/code`` and compile it."""
    files = _source_files()
    digest = code_digest(compiler is not None)
    if not force and _up_to_date(CODE_DIR, digest):
        log("code asset is up to date")
        return CODE_DIR
    offenders = [
        str(p.relative_to(ROOT))
        for p in files
        if p.suffix == ".py" and _EXCLUDED_IMPORT.search(p.read_text())
    ]
    if offenders:
        raise BuildError(
            f"deployed modules import the local stack, which never ships: {', '.join(offenders)}"
        )
    log("building the code asset")
    shutil.rmtree(CODE_DIR, ignore_errors=True)
    for path in files:
        destination = CODE_DIR / "argus" / path.relative_to(SOURCE)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    if compiler:
        byte_compile(compiler, CODE_DIR, "/var/task")
    _stamp(CODE_DIR).write_text(digest + "\n")
    return CODE_DIR


def _remove_stale(directory: Path, current: Iterable[str]) -> None:
    """Remove the builds (and stamps) of sets no function names any more."""
    keep = set(current)
    for path in sorted(directory.glob("*")) if directory.is_dir() else []:
        if path.name.split(".", 1)[0] not in keep:
            log(f"removing {path.relative_to(ROOT)}: no function names that set")
            _remove(path)


def build_all(
    *, force: bool = False, require_bytecode: bool = False, fetch_compiler: bool = True, host: bool = False
) -> None:
    """Build every layer of the catalogue and the code asset (each skipped when its inputs are
    unchanged); with ``host``, the host variants of the layers too."""
    BUILD.mkdir(parents=True, exist_ok=True)
    specs = layers()
    for path in stale_requirements_files():
        log(f"removing {path.relative_to(ROOT)}: no function names that set")
        path.unlink()
    _remove_stale(LAYERS_DIR, specs)
    compiler = find_compiler(fetch=False)
    # Fetch a compiler only when something is to be built anyway: an up-to-date build (say, offline
    # synth after a build without one) asks no registry.
    stale = force or not (
        all(_up_to_date(layer.directory, layer_digest(layer, False)) for layer in specs.values())
        and _up_to_date(CODE_DIR, code_digest(False))
    )
    if compiler is None and fetch_compiler and stale:
        compiler = find_compiler(fetch=True)
    if compiler is None:
        message = (
            f"no CPython {LAMBDA_PYTHON} found to byte-compile the assets: they ship sources only and "
            f"cold starts import slower (set ARGUS_LAMBDA_PYTHON to a python{LAMBDA_PYTHON})"
        )
        if require_bytecode:
            raise BuildError(message)
        log("WARNING: " + message)
    for layer in specs.values():
        build_layer(layer, force=force, compiler=compiler)
    build_code(force=force, compiler=compiler)
    if host:
        build_host_layers(force=force)


def build_host_layers(*, force: bool = False) -> dict[str, Path]:
    """The host variant of every layer (tests only), by set name: the layer's distributions at its
    versions, taken from one install of every set for this machine's Python (the aarch64 wheels of the
    layers cannot load here), trimmed alike. Made when missing or stale; needs the layers built."""
    specs = layers()
    _remove_stale(HOST_DIR, specs)
    host_site = _build_host_install(specs.values(), force=force)
    variants = {}
    for name, layer in specs.items():
        digest = _digest([_stamp(HOST_INSTALL).read_bytes(), _stamp(layer.directory).read_bytes()])
        if force or not _up_to_date(layer.host_directory, digest):
            host_view(layer.directory / "python", host_site, layer.host_directory / "python")
            _stamp(layer.host_directory).write_text(digest + "\n")
        variants[name] = layer.host_directory / "python"
    return variants


def assets_present() -> bool:
    present = all((layer.directory / "python").is_dir() for layer in layers().values())
    return present and (CODE_DIR / "argus").is_dir()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="rebuild even when the inputs are unchanged")
    parser.add_argument(
        "--require-bytecode",
        action="store_true",
        help=f"fail when no CPython {LAMBDA_PYTHON} is available to byte-compile",
    )
    parser.add_argument("--no-fetch", action="store_true", help="never fetch a compiler with apt-get")
    parser.add_argument(
        "--host", action="store_true", help="also build the host variants of the layers (for the tests)"
    )
    parser.add_argument(
        "--check-requirements",
        action="store_true",
        help="only check that the layers' requirements files match pyproject.toml",
    )
    args = parser.parse_args(argv)
    if args.check_requirements:
        stale = [layer.requirements_file for layer in layers().values() if not layer.is_current()]
        stale += stale_requirements_files()
        for path in stale:
            log(f"{path.relative_to(ROOT)} is stale: run python layers/build.py")
        return 1 if stale else 0
    try:
        build_all(
            force=args.force,
            require_bytecode=args.require_bytecode,
            fetch_compiler=not args.no_fetch,
            host=args.host,
        )
    except BuildError as exc:
        log(str(exc))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
