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
registry is reachable where PyPI is). Without one, the assets ship sources only and a warning says so
(``--require-bytecode`` makes that an error).

Usage: ``python layers/build.py [--force] [--require-bytecode] [--check-requirements]``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
SOURCE = ROOT / "functions" / "argus"

BUILD = ROOT / "layers" / "build"
CODE_DIR = BUILD / "code"  # the function asset: Lambda unpacks it at /var/task

LAMBDA_PYTHON = "3.13"
# Lambda's python3.13 runtime runs on Amazon Linux 2023 (glibc 2.34): wheels for any manylinux up to
# 2.34 run there (numpy 2.4 ships manylinux_2_28 wheels only, no manylinux2014 ones).
LAMBDA_PLATFORMS = ("manylinux_2_34_aarch64", "manylinux_2_28_aarch64", "manylinux2014_aarch64")
# The build script is an input of both assets: changing how they are built rebuilds them.
BUILD_SCRIPT = Path(__file__).resolve()

# Test suites inside wheels: never imported at run time, ~18 MB of the 250 MB Lambda size limit.
PRUNED_FROM_LAYER = ("numpy/**/tests", "scipy/**/tests", "shapely/tests")
# Imported only by the GraphQL API and the media sanitiser: left out of the patterns layer, whose
# function imports none of them (tests/infra/test_pattern_layer.py checks its import graph).
GRAPHQL_AND_MEDIA_ONLY = frozenset(
    {"strawberry-graphql", "graphql-core", "mangum", "pillow", "pillow-heif", "mutagen", "shapely"}
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


def log(message: str) -> None:
    print(f"[layers/build] {message}", file=sys.stderr, flush=True)


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


# --- the bytecode compiler ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Interpreter:
    """How to run a CPython of the Lambda runtime's minor version."""

    command: tuple[str, ...]
    env: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.command, *args],
            env={**os.environ, **self.env},
            text=True,
            capture_output=True,
            check=False,
        )

    def version(self) -> str | None:
        try:
            result = self.run("-c", "import sys; print('%d.%d' % sys.version_info[:2])")
        except OSError:
            return None
        return result.stdout.strip() if result.returncode == 0 else None


def _debian_python_dir() -> Path:
    return BUILD / f"python{LAMBDA_PYTHON}"


def _debian_interpreter(root: Path) -> Interpreter | None:
    """Debian trixie's python3.13 unpacked under ``root``, run with its own glibc loader (the host may
    have an older glibc)."""
    binary = root / "usr" / "bin" / f"python{LAMBDA_PYTHON}"
    loaders = sorted(root.glob("usr/lib/*-linux-gnu/ld-linux*.so*"))
    if not binary.exists() or not loaders:
        return None
    libdir = loaders[0].parent
    host_libs = [p for p in (Path("/lib") / libdir.name, Path("/usr/lib") / libdir.name) if p.is_dir()]
    library_path = ":".join(str(p) for p in [libdir, *host_libs])
    return Interpreter(
        command=(str(loaders[0]), "--library-path", library_path, str(binary)),
        env={"PYTHONHOME": str(root / "usr"), "PYTHONNOUSERSITE": "1"},
    )


def _fetch_debian_python(target: Path) -> Interpreter | None:
    """Download python3.13-minimal (and the glibc it needs) from Debian trixie with apt-get and unpack
    it into ``target`` without installing anything on the host."""
    if not shutil.which("apt-get") or not shutil.which("dpkg"):
        return None
    log(f"fetching a CPython {LAMBDA_PYTHON} bytecode compiler from Debian (python{LAMBDA_PYTHON}-minimal)")
    work = target.with_name(target.name + ".tmp")
    shutil.rmtree(work, ignore_errors=True)
    (work / "lists" / "partial").mkdir(parents=True)
    (work / "archives" / "partial").mkdir(parents=True)
    sources = work / "sources.list"
    sources.write_text(
        "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
        "http://deb.debian.org/debian trixie main\n"
    )
    apt = [
        "apt-get", "-q",
        "-o", f"Dir::Etc::sourcelist={sources}", "-o", "Dir::Etc::sourceparts=-",
        "-o", f"Dir::State::Lists={work / 'lists'}", "-o", f"Dir::Cache::archives={work / 'archives'}",
        "-o", "Debug::NoLocking=1", "-o", "APT::Sandbox::User=root",
        "-o", "Acquire::Retries=0", "-o", "Acquire::http::Timeout=20",
    ]  # fmt: skip
    packages = [f"python{LAMBDA_PYTHON}-minimal", f"libpython{LAMBDA_PYTHON}-minimal", "libc6"]
    try:
        for step in ([*apt, "update"], [*apt, "download", *packages]):
            result = subprocess.run(step, cwd=work, capture_output=True, text=True, timeout=300, check=False)
            if result.returncode != 0:
                log(f"apt-get failed: {result.stderr.strip()[-400:]}")
                return None
        root = work / "root"
        for deb in sorted(work.glob("*.deb")):
            subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True, capture_output=True)
    except (OSError, subprocess.SubprocessError) as exc:
        log(f"could not fetch python{LAMBDA_PYTHON}: {exc}")
        return None
    shutil.rmtree(target, ignore_errors=True)
    (work / "root").rename(target)
    shutil.rmtree(work, ignore_errors=True)
    return _debian_interpreter(target)


def find_compiler(fetch: bool = True) -> Interpreter | None:
    """A CPython whose minor version is the Lambda runtime's, or None."""
    candidates: list[Interpreter] = []
    if explicit := os.environ.get("ARGUS_LAMBDA_PYTHON"):
        candidates.append(Interpreter((explicit,), {}))
    if on_path := shutil.which(f"python{LAMBDA_PYTHON}"):
        candidates.append(Interpreter((on_path,), {}))
    if sys.version_info[:2] == tuple(int(p) for p in LAMBDA_PYTHON.split(".")):
        candidates.append(Interpreter((sys.executable,), {}))
    if debian := _debian_interpreter(_debian_python_dir()):
        candidates.append(debian)
    for candidate in candidates:
        if candidate.version() == LAMBDA_PYTHON:
            return candidate
    if fetch and platform.system() == "Linux":
        fetched = _fetch_debian_python(_debian_python_dir())
        if fetched and fetched.version() == LAMBDA_PYTHON:
            return fetched
    return None


def byte_compile(compiler: Interpreter, directory: Path, runtime_prefix: str) -> None:
    """Compile every module under ``directory`` to unchecked-hash ``.pyc`` files (deterministic: no
    timestamps), recording ``runtime_prefix`` as the path in tracebacks."""
    result = compiler.run(
        "-m",
        "compileall",
        "-q",
        "-s",
        str(directory),
        "-p",
        runtime_prefix,
        "--invalidation-mode",
        "unchecked-hash",
        str(directory),
    )
    if result.returncode != 0:
        # Some packages ship files that are not valid for this version (test fixtures, py2 leftovers);
        # compileall still compiles everything else, so report and go on.
        output = (result.stdout + result.stderr).strip()
        log(f"compileall reported errors in {directory.name}: {output[-600:]}")


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
        BUILD_SCRIPT.read_bytes(),
        f"{' '.join(LAMBDA_PLATFORMS)} {LAMBDA_PYTHON} pyc={compiled}".encode(),
    ]
    return _digest(inputs)


def code_digest(compiled: bool) -> str:
    """The digest of everything the code asset is built from."""
    inputs = [BUILD_SCRIPT.read_bytes(), f"pyc={compiled}".encode()]
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
