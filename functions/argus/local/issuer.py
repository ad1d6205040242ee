"""The local token issuer: an RS256 key kept in the local state directory, its JWKS, and signed
development tokens. Never part of a deployment."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from argus.platform.ids import new_id

DEFAULT_AUDIENCE = "argus"


def repository_root() -> Path | None:
    """The checkout this ``argus`` package was installed from (``make`` installs it editable), or None
    when the package does not sit in one (a wheel in site-packages)."""
    root = Path(__file__).resolve().parents[3]  # <root>/functions/argus/local/issuer.py
    return root if (root / "pyproject.toml").is_file() and (root / "functions" / "argus").is_dir() else None


def state_dir() -> Path:
    """Where the local stack keeps its signing key and the address of the running stack:
    ``$ARGUS_LOCAL_DIR``, else ``.argus`` in the repository (whatever the current directory), else
    ``.argus`` in the current directory."""
    configured = os.environ.get("ARGUS_LOCAL_DIR")
    if configured:
        return Path(configured)
    root = repository_root()
    return (root / ".argus") if root is not None else Path(".argus").resolve()


def signing_key_path() -> Path:
    return state_dir() / "dev-signing-key.pem"


def _load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    tmp.chmod(0o600)
    tmp.replace(path)
    return key


@dataclass
class LocalIssuer:
    """Signs development tokens for ``issuer`` and publishes the matching JWKS."""

    issuer: str
    audience: str = DEFAULT_AUDIENCE
    key_path: Path | None = None

    def __post_init__(self) -> None:
        self._key = _load_or_create_key(self.key_path or signing_key_path())
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        self.kid = _thumbprint(jwk)
        self._jwk = {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self._jwk]}

    def token(
        self, org: str, roles: list[str], *, sub: str | None = None, ttl: int = 3600, **claims: Any
    ) -> str:
        """A signed RS256 token for a person of ``org`` with ``roles``."""
        issued = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": sub or new_id(),
            "iat": issued,
            "nbf": issued,
            "exp": issued + ttl,
            "custom:org": org,
            "custom:roles": " ".join(roles),
            **claims,
        }
        return jwt.encode(payload, self._key, algorithm="RS256", headers={"kid": self.kid})


def _thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 thumbprint of an RSA JWK."""
    import base64
    import hashlib

    canonical = json.dumps(
        {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True
    )
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).decode().rstrip("=")
