"""RS256 JWT verification against the issuer's JWKS with PyJWT.

Checks the algorithm allow-list before anything else (so ``alg: none`` and HS256-with-the-public-key
never reach a key), the signing key by ``kid`` from the JWKS, the signature, ``iss``, ``aud`` (or the
``client_id`` of a Cognito access token, which has no ``aud``), ``exp`` and ``nbf``, then builds the
principal from the configured claims. Every failure is ``Unauthenticated`` with a generic message;
its ``reason`` (``REASONS``) says which check failed, for the log and for the local stack's answers
only: elsewhere the caller learns nothing about which check failed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import jwt

from argus.platform.auth.principal import KNOWN_ROLES, Principal, Role
from argus.platform.errors import Unauthenticated
from argus.platform.observability import logger
from argus.platform.settings import Settings, get_settings
from argus.platform.tenancy import ORG_ID_PATTERN

# Longer tokens are refused before they are parsed. Cognito ID tokens are 1-2 KB; a user in every
# group with long attributes stays well under 8 KB.
MAX_TOKEN_CHARS = 16_384
MAX_SUBJECT_CHARS = 256

_ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"})
_REJECTED = "Authentication required: the bearer token is missing or invalid."

# Why a token was refused (Unauthenticated.reason), most specific PyJWT exception first.
_JWT_REASONS: tuple[tuple[type[Exception], str], ...] = (
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.ImmatureSignatureError, "not_yet_valid"),
    (jwt.InvalidIssuerError, "wrong_issuer"),
    (jwt.InvalidAudienceError, "wrong_audience"),
    (jwt.MissingRequiredClaimError, "missing_claim"),
    (jwt.InvalidSignatureError, "bad_signature"),
    (jwt.InvalidAlgorithmError, "algorithm_not_allowed"),
    (jwt.PyJWKClientConnectionError, "jwks_unavailable"),
    (jwt.PyJWKClientError, "unknown_key"),
    (jwt.DecodeError, "malformed"),
)
REASONS = frozenset(
    {"missing", "too_large", "malformed", "no_organisation", "bad_claims", "invalid"}
    | {reason for _, reason in _JWT_REASONS}
)


def _reason_of(exc: Exception) -> str:
    return next((reason for kind, reason in _JWT_REASONS if isinstance(exc, kind)), "malformed")


def _rejected(reason: str) -> Unauthenticated:
    logger.info("token rejected", extra={"reason": reason})
    return Unauthenticated(_REJECTED, reason=reason)


class TokenVerifier:
    """Verifies bearer tokens and returns principals."""

    def __init__(
        self,
        jwks_client: jwt.PyJWKClient,
        *,
        issuer: str,
        audience: str,
        algorithms: Iterable[str] = ("RS256",),
        org_claim: str = "custom:org",
        roles_claim: str = "custom:roles",
        groups_claim: str = "cognito:groups",
        leeway: int = 30,
    ) -> None:
        algorithms = tuple(algorithms)
        if not algorithms or not set(algorithms) <= _ASYMMETRIC:
            raise ValueError("Only asymmetric JWT algorithms may be allowed")
        self._jwks = jwks_client
        self._issuer = issuer
        self._audience = audience
        self._algorithms = list(algorithms)
        self._org_claim = org_claim
        self._roles_claim = roles_claim
        self._groups_claim = groups_claim
        self._leeway = leeway

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenVerifier:
        client = jwt.PyJWKClient(settings.resolved_jwks_url, cache_keys=True, lifespan=300, timeout=5)
        return cls(
            client,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            algorithms=settings.jwt_algorithms,
            org_claim=settings.org_claim,
            roles_claim=settings.roles_claim,
            groups_claim=settings.groups_claim,
            leeway=settings.jwt_leeway,
        )

    def can_verify_offline(self, authorization: str | None) -> bool:
        """True when verifying ``authorization`` needs no network: it is refused on its face, or the
        signing key it names is in the JWKS cache and the cache is fresh."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return True
        try:
            kid = _unverified_header(token.strip()).get("kid")
        except jwt.PyJWTError:
            return True
        cache = getattr(self._jwks, "jwk_set_cache", None)
        jwk_set = cache.get() if cache is not None else None
        return jwk_set is not None and any(key.key_id == kid for key in jwk_set.keys)

    def verify_header(self, authorization: str | None) -> Principal:
        """Verify an ``Authorization: Bearer <jwt>`` header value."""
        if not authorization:
            raise Unauthenticated(_REJECTED, reason="missing")
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            # No bearer credentials at all (RFC 6750 §3.1: answered without an error code)
            raise Unauthenticated(_REJECTED, reason="missing")
        return self.verify(token.strip())

    def verify(self, token: str) -> Principal:
        """Verify a compact JWT and return its principal; raises Unauthenticated."""
        if len(token) > MAX_TOKEN_CHARS:
            # Refused before any parsing: a large token costs base64 and JSON work for nothing.
            raise _rejected("too_large")
        try:
            header = _unverified_header(token)
            if header.get("alg") not in self._algorithms:
                raise _rejected("algorithm_not_allowed")
            if not header.get("kid"):
                raise _rejected("unknown_key")
            key = self._jwks.get_signing_key(header["kid"])
            try:
                claims = self._decode(key.key, token, audience=self._audience)
            except jwt.MissingRequiredClaimError as missing:
                if missing.claim != "aud":
                    raise
                # A Cognito access token has no audience: it names its app client instead.
                claims = self._decode(key.key, token, audience=None)
                if claims.get("client_id") != self._audience:
                    raise _rejected("wrong_audience") from None
        except Unauthenticated:
            raise
        except (jwt.PyJWTError, ValueError, KeyError, TypeError) as exc:
            raise _rejected(_reason_of(exc)) from None
        return self._principal(claims)

    def _decode(self, key: Any, token: str, *, audience: str | None) -> dict[str, Any]:
        """The verified claims: signature, allowed algorithm, ``iss``, ``exp``/``nbf`` with leeway, and
        ``aud`` unless ``audience`` is None."""
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=self._algorithms,
            issuer=self._issuer,
            audience=audience,
            leeway=self._leeway,
            options={"require": ["exp", "iss", "sub"], "verify_aud": audience is not None},
        )
        return claims

    def principal_of_claims(self, claims: dict[str, Any]) -> Principal:
        """The principal of a token another verifier has checked, from its claims (AppSync verifies a
        subscriber's token and hands resolvers the claims, never the token): they must come from our
        issuer and carry a numeric ``exp``. Raises Unauthenticated as ``verify`` does."""
        if claims.get("iss") != self._issuer:
            raise _rejected("wrong_issuer")
        if not _is_number(claims.get("exp")):
            raise _rejected("missing_claim")
        return self._principal(claims)

    def _principal(self, claims: dict[str, Any]) -> Principal:
        problem = _claim_shape_problem(claims)
        if problem is not None:
            logger.info("token rejected", extra={"reason": "bad_claims", "problem": problem})
            raise Unauthenticated(_REJECTED, reason="bad_claims")
        org = claims.get(self._org_claim)
        if not isinstance(org, str) or not ORG_ID_PATTERN.match(org):
            raise _rejected("no_organisation")
        roles = set(_as_list(claims.get(self._roles_claim)) + _as_list(claims.get(self._groups_claim)))
        scopes = frozenset(_as_list(claims.get("scope")))
        return Principal(
            sub=claims["sub"],
            org_id=org,
            roles=frozenset(Role(r) for r in roles if r in KNOWN_ROLES),
            scopes=scopes,
            email=claims.get("email") if isinstance(claims.get("email"), str) else None,
            name=claims.get("name") if isinstance(claims.get("name"), str) else None,
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _claim_shape_problem(claims: dict[str, Any]) -> str | None:
    """What is wrong with the registered claims' types, if anything. PyJWT accepts ``exp``/``nbf`` as
    numeric strings and any ``sub``; RFC 7519 requires NumericDate numbers and a non-empty subject."""
    for name in ("exp", "nbf", "iat"):
        if name in claims and not _is_number(claims[name]):
            return f"{name} not a number"
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip() or len(sub) > MAX_SUBJECT_CHARS:
        return "subject not a non-empty string"
    return None


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in value.replace(",", " ").split() if v]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


@lru_cache(maxsize=256)
def _unverified_header(token: str) -> dict[str, Any]:
    """The token's header, not verified (it only chooses the key; the signature covers it). Parsed once
    per token string: a client sends the same token with every request, and PyJWT's strict base64url
    check of the whole token is a measurable part of a small request. Callers must not change it."""
    header: dict[str, Any] = jwt.get_unverified_header(token)
    return header


@lru_cache(maxsize=1)
def get_verifier() -> TokenVerifier:
    """The process-wide verifier (its JWKS cache lives as long as the process)."""
    return TokenVerifier.from_settings(get_settings())
