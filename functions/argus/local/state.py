"""The running local stack as other commands find it: ``stack.json`` in the local state directory
(``argus.local.issuer.state_dir``: in the repository, whatever the current directory). The stack writes
it before its server answers and removes it when it stops; ``argus token`` signs only for a stack that
is running and trusts the signing key of that directory."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from argus.local.issuer import state_dir

STATE_FILE = "stack.json"
START_HINT = "Start one with `make dev` (or `argus dev`), or name an issuer with --issuer URL."


class NoRunningStack(Exception):
    """No local stack is running here, or it cannot be trusted to accept this directory's tokens."""


@dataclass(frozen=True)
class StackState:
    issuer: str
    graphql: str
    moto: str
    kid: str  # of the key the stack signs with (and serves in its JWKS)


def state_path() -> Path:
    return state_dir() / STATE_FILE


def write_state(state: StackState) -> None:
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(state)))
    tmp.replace(path)


def forget_state(state: StackState) -> None:
    """Remove the state file if it still names ``state`` (another stack may have started since)."""
    path = state_path()
    try:
        if json.loads(path.read_text()).get("issuer") == state.issuer:
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass


def read_state() -> StackState:
    """The state of the stack that last started here; raises NoRunningStack when there is none."""
    path = state_path()
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        raise NoRunningStack(f"No local stack is running (there is no {path}). {START_HINT}") from None
    except (OSError, ValueError) as exc:
        raise NoRunningStack(f"{path} cannot be read ({exc}). {START_HINT}") from None
    issuer = raw.get("issuer") if isinstance(raw, dict) else None
    if not isinstance(issuer, str) or not issuer.startswith(("http://", "https://")):
        raise NoRunningStack(f"{path} names no issuer, so the running stack is unknown. {START_HINT}")
    return StackState(
        issuer=issuer,
        graphql=str(raw.get("graphql", f"{issuer}/graphql")),
        moto=str(raw.get("moto", "")),
        kid=str(raw.get("kid", "")),
    )


def running_issuer(timeout: float = 3.0) -> str:
    """The issuer URL of the running local stack, checked: the stack answers at it and its JWKS holds
    the key this directory signs with. Raises NoRunningStack saying what is wrong."""
    from argus.local.issuer import LocalIssuer, signing_key_path

    state = read_state()
    url = f"{state.issuer}/.well-known/jwks.json"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            jwks = json.loads(response.read())
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise NoRunningStack(
            f"No local stack answers at {state.issuer} ({reason}); {state_path()} is left from a stack "
            f"that has stopped. {START_HINT}"
        ) from None
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    kids = {k.get("kid") for k in keys if isinstance(k, dict)} if isinstance(keys, list) else set()
    if not signing_key_path().exists() or LocalIssuer(state.issuer).kid not in kids:
        raise NoRunningStack(
            f"The stack at {state.issuer} does not accept tokens signed with the key in {state_dir()} "
            "(it was started with another state directory, ARGUS_LOCAL_DIR)."
        )
    return state.issuer
