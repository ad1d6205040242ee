"""Build the Lambda assets (two dependency layers and the code) without Docker.

* The shared dependency layer (``layers/build/layer/python``): the runtime ``[project] dependencies``
  of ``pyproject.toml`` (written to ``layers/requirements.txt``).
* The patterns layer (``layers/build/patterns-layer/python``), for the pattern job only: the same
  dependencies without the GraphQL and media libraries, plus the ``patterns`` extra (scipy), which
  does not fit Lambda's 250 MB unzipped limit beside them (``layers/requirements-patterns.txt``).

  Both are pinned transitively by ``requirements.lock`` and installed for the Lambda platform with
  ``pip install --platform manylinux…_aarch64 --python-version 3.13 --only-binary=:all:``; each is
  rebuilt only when the hash of its inputs changes.
* The code asset (``layers/build/code``): a copy of ``functions/argus`` without the local stack
  (``argus/local``, ``argus/cli.py``: the development token issuer never ships to AWS).

Both are byte-compiled with ``compileall --invalidation-mode unchecked-hash``, because Lambda's file
system is read-only: without shipped ``.pyc`` files every cold start compiles every import again (4-8x
slower imports). Bytecode is specific to the interpreter's minor version, so the compiler must be a
CPython 3.13 like the Lambda runtime: ``$ARGUS_LAMBDA_PYTHON``, ``python3.13`` on PATH, or Debian's
``python3.13-minimal`` fetched with apt-get into ``layers/build/python3.13`` (Debian's package
registry is reachable where PyPI is; see ``layers/compiler.py``). Without one, the assets ship
sources only and a warning says so (``--require-bytecode`` makes that an error).

Usage: ``python layers/build.py [--force] [--require-bytecode] [--check-requirements]``.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: python layers/build.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from layers import compiler
from layers.compiler import LAMBDA_PYTHON, Interpreter, byte_compile, find_compiler, log

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
SOURCE = ROOT / "functions" / "argus"

BUILD = ROOT / "layers" / "build"
CODE_DIR = BUILD / "code"  # the function asset: Lambda unpacks it at /var/task

# Lambda's python3.13 runtime runs on Amazon Linux 2023 (glibc 2.34): wheels for any manylinux up to
# 2.34 run there (numpy 2.4 ships manylinux_2_28 wheels only, no manylinux2014 ones).
LAMBDA_PLATFORMS = ("manylinux_2_34_aarch64", "manylinux_2_28_aarch64", "manylinux2014_aarch64")
# The build scripts are inputs of every asset: changing how they are built rebuilds them.
BUILD_SCRIPTS = (Path(__file__).resolve(), Path(compiler.__file__).resolve())

# Test suites inside wheels: never imported at run time, ~18 MB of the 250 MB Lambda size limit.
PRUNED_FROM_LAYER = ("numpy/**/tests", "scipy/**/tests", "shapely/tests")
# Imported only by the GraphQL API and the media sanitiser: left out of the patterns layer, whose
# function imports none of them (tests/infra/test_pattern_layer.py checks its import graph). The pattern
# job needs shapely (its study area: unions, hulls, points inside).
GRAPHQL_AND_MEDIA_ONLY = frozenset(
    {"strawberry-graphql", "graphql-core", "mangum", "pillow", "pillow-heif", "mutagen"}
)
# Never shipped: the local stack and its CLI (the development token issuer lives there).
EXCLUDED_SOURCES = ("local", "cli.py")
_EXCLUDED_IMPORT = re.compile(
    r"^\s*(from\s+argus(\.local|\.cli)\b|import\s+argus\.(local|cli)\b|from\s+argus\s+"
    r"import\s+.*\b(local|cli)\b)",
    re.MULTILINE,
)


class BuildError(RuntimeError):
    """The assets could not be built."""


# --- requirements ------------------------------------------------------------------------------------


def _project(pyproject: Path) -> dict[str, Any]:
    with pyproject.open("rb") as fh:
        project: dict[str, Any] = tomllib.load(fh)["project"]
    return project


def runtime_requirements(pyproject: Path = PYPROJECT) -> list[str]:
    """The ``[project] dependencies`` of ``pyproject`` (what the Lambda functions import)."""
    return [str(dep) for dep in _project(pyproject).get("dependencies", [])]


def requirement_name(requirement: str) -> str:
    """The normalised (PEP 503) distribution name of ``requirement``: ``Pillow_HEIF>=1`` → ``pillow-heif``."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if not match:
        raise BuildError(f"not a requirement: {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


@dataclass(frozen=True)
class LayerSpec:
    """One dependency layer: the runtime dependencies minus ``exclude``, plus the optional dependencies
    of ``extras``, installed into ``directory/python`` (Lambda mounts it at /opt/python)."""

    name: str
    directory: Path
    requirements_file: Path
    exclude: frozenset[str] = frozenset()
    extras: tuple[str, ...] = ()

    def requirements(self, pyproject: Path = PYPROJECT) -> list[str]:
        optional = _project(pyproject).get("optional-dependencies", {})
        kept = [dep for dep in runtime_requirements(pyproject) if requirement_name(dep) not in self.exclude]
        return kept + [str(dep) for extra in self.extras for dep in optional[extra]]

    def requirements_text(self, pyproject: Path = PYPROJECT) -> str:
        header = (
            "# Generated by layers/build.py from the [project] dependencies of pyproject.toml: do not edit.\n"
        )
        if self.exclude:
            header += f"# Without: {', '.join(sorted(self.exclude))}.\n"
        if self.extras:
            header += f"# Plus the optional dependencies: {', '.join(self.extras)}.\n"
        header += "# Transitive versions are pinned by requirements.lock (passed to pip as constraints).\n"
        return header + "".join(f"{dep}\n" for dep in self.requirements(pyproject))

    def write_requirements(self) -> bool:
        """Write the requirements file; True when it changed."""
        text = self.requirements_text()
        if self.requirements_file.exists() and self.requirements_file.read_text() == text:
            return False
        self.requirements_file.write_text(text)
        return True

    def is_current(self) -> bool:
        """Whether the committed requirements file matches pyproject.toml."""
        current = self.requirements_file.read_text() if self.requirements_file.exists() else None
        return current == self.requirements_text()


SHARED = LayerSpec("shared", BUILD / "layer", ROOT / "layers" / "requirements.txt")
PATTERNS = LayerSpec(
    "patterns",
    BUILD / "patterns-layer",
    ROOT / "layers" / "requirements-patterns.txt",
    exclude=GRAPHQL_AND_MEDIA_ONLY,
    extras=("patterns",),
)
LAYERS = {layer.name: layer for layer in (SHARED, PATTERNS)}
LAYER_DIR = SHARED.directory  # the shared layer asset
PATTERNS_LAYER_DIR = PATTERNS.directory
REQUIREMENTS = SHARED.requirements_file


def requirements_text(pyproject: Path = PYPROJECT) -> str:
    """The shared layer's requirements file."""
    return SHARED.requirements_text(pyproject)


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


# --- the two assets ----------------------------------------------------------------------------------


def layer_digest(compiled: bool, layer: LayerSpec = SHARED) -> str:
    """The digest of everything ``layer`` is built from."""
    layer.write_requirements()
    inputs = [
        layer.requirements_file.read_bytes(),
        LOCK.read_bytes() if LOCK.exists() else b"",
        *(script.read_bytes() for script in BUILD_SCRIPTS),
        f"{' '.join(LAMBDA_PLATFORMS)} {LAMBDA_PYTHON} pyc={compiled}".encode(),
    ]
    return _digest(inputs)


def code_digest(compiled: bool) -> str:
    """The digest of everything the code asset is built from."""
    inputs = [*(script.read_bytes() for script in BUILD_SCRIPTS), f"pyc={compiled}".encode()]
    for path in _source_files():
        inputs += [str(path.relative_to(SOURCE)).encode(), path.read_bytes()]
    return _digest(inputs)


def build_layer(
    layer: LayerSpec = SHARED, *, force: bool = False, compiler: Interpreter | None = None
) -> Path:
    """Install ``layer``'s requirements for the Lambda platform into ``<layer directory>/python``."""
    digest = layer_digest(compiler is not None, layer)
    if not force and _up_to_date(layer.directory, digest):
        log(f"{layer.name} dependency layer is up to date")
        return layer.directory
    log(f"building the {layer.name} dependency layer (pip, no Docker)")
    shutil.rmtree(layer.directory, ignore_errors=True)
    target = layer.directory / "python"
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
        "--target", str(target), *(arg for p in LAMBDA_PLATFORMS for arg in ("--platform", p)),
        "--python-version", LAMBDA_PYTHON,
        "--implementation", "cp", "--only-binary=:all:", "-r", str(layer.requirements_file),
    ]  # fmt: skip
    if LOCK.exists():
        command += ["--constraint", str(LOCK)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildError(f"pip could not build the {layer.name} layer:\n{result.stdout}\n{result.stderr}")
    # Console scripts carry the build host's interpreter path and are never run on Lambda.
    shutil.rmtree(target / "bin", ignore_errors=True)
    for pattern in PRUNED_FROM_LAYER:
        for directory in sorted(target.glob(pattern), reverse=True):
            shutil.rmtree(directory, ignore_errors=True)
    if compiler:
        byte_compile(compiler, target, "/opt/python")
    _stamp(layer.directory).write_text(digest + "\n")
    return layer.directory


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


def build_all(*, force: bool = False, require_bytecode: bool = False, fetch_compiler: bool = True) -> None:
    """Build every layer and the code asset (each skipped when its inputs are unchanged)."""
    BUILD.mkdir(parents=True, exist_ok=True)
    compiler = find_compiler(fetch=False)
    # Fetch a compiler only when something is to be built anyway: an up-to-date build (say, offline
    # synth after a build without one) asks no registry.
    stale = force or not (
        all(_up_to_date(layer.directory, layer_digest(False, layer)) for layer in LAYERS.values())
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
    for layer in LAYERS.values():
        build_layer(layer, force=force, compiler=compiler)
    build_code(force=force, compiler=compiler)


def assets_present() -> bool:
    layers = all((layer.directory / "python").is_dir() for layer in LAYERS.values())
    return layers and (CODE_DIR / "argus").is_dir()


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
        "--check-requirements",
        action="store_true",
        help="only check that the layers' requirements files match pyproject.toml",
    )
    args = parser.parse_args(argv)
    if args.check_requirements:
        stale = [layer for layer in LAYERS.values() if not layer.is_current()]
        for layer in stale:
            log(f"{layer.requirements_file.relative_to(ROOT)} is stale: run python layers/build.py")
        return 1 if stale else 0
    try:
        build_all(force=args.force, require_bytecode=args.require_bytecode, fetch_compiler=not args.no_fetch)
    except BuildError as exc:
        log(str(exc))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
