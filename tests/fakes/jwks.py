"""An issuer for tests: RSA keys generated in process, a JWKS served from memory and tokens signed
(or deliberately mis-signed) with them. Nothing here opens a socket."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://issuer.argus.test"
AUDIENCE = "argus"
JWKS_URL = f"{ISSUER}/.well-known/jwks.json"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def b64url_json(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


@dataclass
class SigningKey:
    """One RSA key pair with its key id."""

    kid: str
    private: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    @property
    def private_pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @property
    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}


class InMemoryJWKSClient(jwt.PyJWKClient):
    """PyJWT's own ``PyJWKClient`` (key matching, caching, unknown-kid refresh) with the JWKS served
    from memory instead of over HTTP."""

    def __init__(self, keys: list[SigningKey]) -> None:
        super().__init__(JWKS_URL, cache_keys=False)
        self.jwks: dict[str, Any] = {"keys": [k.jwk() for k in keys]}
        self.fetches = 0

    def fetch_data(self) -> Any:
        self.fetches += 1
        if self.jwk_set_cache is not None:
            self.jwk_set_cache.put(self.jwks)
        return self.jwks


def claims(**overrides: Any) -> dict[str, Any]:
    """Claims of a valid ID token for an admin of ``northshire``; ``None`` removes a claim."""
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-1",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "custom:org": "northshire",
        "custom:roles": "admin",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(
    key: SigningKey, payload: dict[str, Any], *, kid: str | None = None, headers: dict[str, Any] | None = None
) -> str:
    """An RS256 token signed with ``key``; the header names ``kid`` (default: the key's own)."""
    header = {"kid": kid if kid is not None else key.kid, **(headers or {})}
    return jwt.encode(payload, key.private, algorithm="RS256", headers=header)


def unsigned(payload: dict[str, Any], kid: str) -> str:
    """An ``alg: none`` token (empty signature)."""
    return f"{b64url_json({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{b64url_json(payload)}."


def hs256_with_public_key(key: SigningKey, payload: dict[str, Any]) -> str:
    """The algorithm-confusion attack: HS256 with the issuer's public key (PEM) as the HMAC secret.
    Built by hand because PyJWT refuses to do this."""
    signing_input = f"{b64url_json({'alg': 'HS256', 'typ': 'JWT', 'kid': key.kid})}.{b64url_json(payload)}"
    signature = hmac.new(key.public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def with_payload(token: str, payload: dict[str, Any]) -> str:
    """``token`` with its payload replaced and its original header and signature kept."""
    header, _, signature = token.split(".")
    return f"{header}.{b64url_json(payload)}.{signature}"
