"""Identity: bearer-token verification (RS256 against a JWKS), principals and roles.

The verifier loads on first use: every domain service imports principals and roles, but only the
functions that verify tokens (the GraphQL API, the real-time authorizer) need PyJWT and cryptography
(~80 ms of imports, ~16 MiB of dependency layer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from argus.platform.auth.principal import Principal, Role

if TYPE_CHECKING:
    from argus.platform.auth.verifier import TokenVerifier, get_verifier

__all__ = ["Principal", "Role", "TokenVerifier", "get_verifier"]

_VERIFIER = frozenset({"TokenVerifier", "get_verifier"})


def __getattr__(name: str) -> Any:
    if name not in _VERIFIER:
        raise AttributeError(f"module 'argus.platform.auth' has no attribute {name!r}")
    from argus.platform.auth import verifier

    return getattr(verifier, name)
