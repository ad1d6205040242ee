"""The bytecode compiler of the Lambda assets: a CPython of the Lambda runtime's minor version, found on
this machine or fetched from Debian's package registry (``python3.13-minimal`` unpacked under
``layers/build/python3.13`` with apt-get, nothing installed on the host), and ``compileall`` with
unchecked-hash ``.pyc`` files. Used by ``layers/build.py``."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BUILD = Path(__file__).resolve().parent / "build"
LAMBDA_PYTHON = "3.13"


def log(message: str) -> None:
    print(f"[layers/build] {message}", file=sys.stderr, flush=True)


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
