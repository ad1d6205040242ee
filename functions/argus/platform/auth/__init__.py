"""Identity: bearer-token verification (RS256 against a JWKS), principals and roles."""

from argus.platform.auth.principal import Principal, Role
from argus.platform.auth.verifier import TokenVerifier, get_verifier

__all__ = ["Principal", "Role", "TokenVerifier", "get_verifier"]
