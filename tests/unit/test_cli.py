"""The ``argus`` command: every command's help prints, the local state is the repository's whatever the
current directory, ``argus token`` refuses when it finds no stack or no issuer, and the banner offers a
demo token only when there is a demo. (Against running stacks: tests/e2e/test_cli_token.py.)"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest
from argus.cli import banner, build_parser, main
from argus.local.issuer import state_dir
from argus.local.stack import LocalStack

REPO = Path(__file__).resolve().parents[2]


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield prefix
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*prefix, name))


COMMANDS = list(_commands(build_parser()))


def test_every_command_is_covered() -> None:
    assert {" ".join(c) for c in COMMANDS} >= {"", "dev", "token", "patterns", "patterns evaluate", "schema"}


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) or "argus" for c in COMMANDS])
def test_help_of_every_command(command: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: argus {' '.join(command)}".rstrip())


def test_the_state_directory_is_the_repositorys_whatever_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARGUS_LOCAL_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert state_dir() == REPO / ".argus"
    monkeypatch.setenv("ARGUS_LOCAL_DIR", str(tmp_path / "elsewhere"))
    assert state_dir() == tmp_path / "elsewhere"


@pytest.fixture
def local_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "state"
    monkeypatch.setenv("ARGUS_LOCAL_DIR", str(path))
    monkeypatch.chdir(tmp_path)
    return path


def _token(capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["token", "--org", "demo", "--role", "admin"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_no_token_without_a_running_stack(local_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _token(capsys)
    assert (code, out) == (1, "")
    assert "No local stack is running" in err and "make dev" in err
    assert not (local_dir / "dev-signing-key.pem").exists()  # nothing is created for nothing


@pytest.mark.parametrize("state", ["{}", '{"issuer": null}', "not json", '{"issuer": "ftp://x"}'])
def test_no_token_when_the_issuer_is_unknown(
    state: str, local_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local_dir.mkdir()
    (local_dir / "stack.json").write_text(state)
    code, out, err = _token(capsys)
    assert (code, out) == (1, "")
    assert "stack.json" in err and "Traceback" not in err


def test_an_explicit_issuer_is_signed_for(local_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import jwt

    assert main(["token", "--org", "demo", "--role", "officer", "--issuer", "http://issuer.test"]) == 0
    token = capsys.readouterr().out.strip()
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == "http://issuer.test"


def test_the_banner_offers_a_demo_token_only_with_the_demo(local_dir: Path) -> None:
    stack = LocalStack(port=8000, moto_port=5000)
    with_demo = banner(stack, 1.0, "header.payload.signature")
    assert 'Bearer header.payload.signature"' in with_demo and '"demo"' in with_demo
    without = banner(stack, 1.0, None)
    assert "--no-seed" in without and '"demo"' not in without and "--org demo" not in without
    assert '{"Authorization": "Bearer <token>"}' in without
