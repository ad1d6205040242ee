"""Unit suite: no AWS, no sockets. In-memory fakes only (tests/fakes)."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The shared helpers live in tests/fakes and tests/factories, imported as ``tests.…``.
_REPO_ROOT = Path(__file__).resolve().parents[2]
if str(_REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(_REPO_ROOT))

from tests.fakes.jwks import SigningKey  # noqa: E402


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Unit tests open no network connections (local socket pairs, used by event loops, stay allowed)."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise RuntimeError(f"unit tests must not open sockets (tried {address!r})")
        real_connect(self, address)

    def refuse(address: object, *_args: object, **_kwargs: object) -> socket.socket:
        raise RuntimeError(f"unit tests must not open sockets (tried {address!r})")

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


@pytest.fixture(scope="session")
def issuer_key() -> SigningKey:
    return SigningKey(kid="argus-test-1")


@pytest.fixture(scope="session")
def stranger_key() -> SigningKey:
    """A key the issuer never published."""
    return SigningKey(kid="stranger")
