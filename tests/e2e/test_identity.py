"""Identity over the wire: every bad bearer token is refused (HTTP queries, HTTP mutations, WebSocket
connection_init) with UNAUTHENTICATED, no data and no stack trace; a good token works."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from argus.local.stack import LocalStack
from cryptography.hazmat.primitives.asymmetric import rsa

from .support import (
    ORGANISATION,
    UPDATE_ORGANISATION,
    Closed,
    GraphQLClient,
    GraphQLWebSocket,
    Org,
    bearer_params,
    claims_for,
    create_org,
    hs256_with_public_key,
    organisation,
    sign_rs256,
    unsigned_token,
    with_payload,
)

pytestmark = pytest.mark.e2e

LEEWAY = 30  # seconds of clock skew the verifier allows (settings.jwt_leeway)


@dataclass(frozen=True)
class Ctx:
    stack: LocalStack
    target: Org  # the organisation every bad token claims, as its admin
    other: Org
    stranger_key: rsa.RSAPrivateKey

    def claims(self, **overrides: Any) -> dict[str, Any]:
        return claims_for(self.stack, self.target.id, ["admin"], self.target.admin_sub, **overrides)

    def sign(self, claims: dict[str, Any], kid: str | None = None) -> str:
        issuer = self.stack.issuer
        assert issuer is not None
        return sign_rs256(claims, issuer._key, kid or issuer.kid)

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        assert self.stack.issuer is not None
        return self.stack.issuer._key.public_key()

    @property
    def kid(self) -> str:
        assert self.stack.issuer is not None
        return self.stack.issuer.kid


def _tampered(ctx: Ctx) -> str:
    # A genuine token of another organisation's admin, its org claim changed to the target's.
    genuine = ctx.stack.token(ctx.other.id, ["admin"], sub=ctx.target.admin_sub)
    return "Bearer " + with_payload(genuine, **{"custom:org": ctx.target.id})


def _now() -> int:
    return int(time.time())


# name → the Authorization header (None: no header at all)
BAD_AUTHORIZATION: dict[str, Callable[[Ctx], str | None]] = {
    "no-token": lambda ctx: None,
    "bearer-without-token": lambda ctx: "Bearer",
    "empty-segments": lambda ctx: "Bearer ..",
    "wrong-scheme": lambda ctx: "Token abc",
    "basic-scheme-with-a-valid-token": lambda ctx: "Basic " + ctx.sign(ctx.claims()),
    "two-segments": lambda ctx: "Bearer a.b",
    "not-a-jwt": lambda ctx: "Bearer not-a-jwt-at-all",
    "alg-none": lambda ctx: "Bearer " + unsigned_token(ctx.claims(), ctx.kid),
    "hs256-signed-with-the-public-key": lambda ctx: (
        "Bearer " + hs256_with_public_key(ctx.claims(), ctx.public_key, ctx.kid)
    ),
    "another-key-with-the-known-kid": lambda ctx: (
        "Bearer " + sign_rs256(ctx.claims(), ctx.stranger_key, ctx.kid)
    ),
    "unknown-kid": lambda ctx: "Bearer " + ctx.sign(ctx.claims(), kid="unknown-key-id"),
    "tampered-org-claim": _tampered,
    "expired": lambda ctx: (
        "Bearer " + ctx.sign(ctx.claims(iat=_now() - 3600, nbf=_now() - 3600, exp=_now() - LEEWAY - 60))
    ),
    "not-yet-valid": lambda ctx: "Bearer " + ctx.sign(ctx.claims(nbf=_now() + LEEWAY + 90)),
    "wrong-issuer": lambda ctx: "Bearer " + ctx.sign(ctx.claims(iss="https://issuer.evil.example")),
    "wrong-audience": lambda ctx: "Bearer " + ctx.sign(ctx.claims(aud="another-api")),
    "no-organisation-claim": lambda ctx: "Bearer " + ctx.sign(ctx.claims(**{"custom:org": None})),
    "malformed-organisation-claim": lambda ctx: "Bearer " + ctx.sign(ctx.claims(**{"custom:org": "ORG#x#y"})),
    "no-expiry": lambda ctx: "Bearer " + ctx.sign(ctx.claims(exp=None)),
}

QUERY = "query { organisation { id name slug } me { sub orgId roles } }"
# Cases that send no bearer credentials at all (answered with the realm alone)
NO_BEARER_TOKEN = {"no-token", "bearer-without-token", "wrong-scheme", "basic-scheme-with-a-valid-token"}
# What the local stack names as the reason of some refusals
REASONS = {
    "no-token": "missing",
    "expired": "expired",
    "not-yet-valid": "not_yet_valid",
    "wrong-issuer": "wrong_issuer",
    "wrong-audience": "wrong_audience",
    "unknown-kid": "unknown_key",
    "no-organisation-claim": "no_organisation",
    "another-key-with-the-known-kid": "bad_signature",
}


@pytest.fixture(scope="module")
def ctx(stack: LocalStack, gql: GraphQLClient) -> Ctx:
    target = create_org(gql, stack, "ident")
    other = create_org(gql, stack, "ident-other")
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return Ctx(stack, target, other, stranger)


def _assert_unauthenticated(response: Any) -> None:
    assert response.data is None, f"data leaked to a bad token: {response.data}"
    assert response.errors, response.body
    assert response.codes == ["UNAUTHENTICATED"], response.errors
    assert "Traceback" not in response.text


@pytest.mark.parametrize("case", list(BAD_AUTHORIZATION))
def test_a_bad_token_is_refused_for_queries_and_mutations(case: str, ctx: Ctx, gql: GraphQLClient) -> None:
    authorization = BAD_AUTHORIZATION[case](ctx)
    before = organisation(gql, ctx.target.admin_token)

    query = gql.execute(QUERY, authorization=authorization)
    mutation = gql.execute(
        UPDATE_ORGANISATION, {"input": {"name": f"Taken over by {case}"}}, authorization=authorization
    )

    _assert_unauthenticated(query)
    _assert_unauthenticated(mutation)
    # RFC 6750: 401, and a challenge naming invalid_token whenever a token came
    assert (query.status, mutation.status) == (401, 401)
    challenge = query.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="argus"')
    assert ('error="invalid_token"' in challenge) == (case not in NO_BEARER_TOKEN), challenge
    # the local stack says why
    reason = query.errors[0]["extensions"]["details"]["reason"]
    assert reason == REASONS.get(case, reason)
    assert organisation(gql, ctx.target.admin_token) == before, "a refused mutation changed the organisation"


@pytest.mark.parametrize("case", list(BAD_AUTHORIZATION))
def test_a_bad_token_is_refused_at_websocket_connection_init(case: str, ctx: Ctx, stack: LocalStack) -> None:
    authorization = BAD_AUTHORIZATION[case](ctx)
    params = {} if authorization is None else {"Authorization": authorization}
    with GraphQLWebSocket(stack.websocket_url) as ws, pytest.raises(Closed) as closed:
        answer = ws.init(params)
        pytest.fail(f"connection_init with a bad token was answered with {answer}")
    assert closed.value.code == 4403, closed.value
    assert "Traceback" not in closed.value.reason


def test_a_good_token_works_over_http(ctx: Ctx, gql: GraphQLClient) -> None:
    token = ctx.sign(ctx.claims())
    data = gql.execute(QUERY, token=token).ok()
    assert data["organisation"] == {"id": ctx.target.id, "name": ctx.target.name, "slug": ctx.target.slug}
    assert data["me"] == {"sub": ctx.target.admin_sub, "orgId": ctx.target.id, "roles": ["ADMIN"]}
    # a token issued within the leeway is accepted too (clock skew)
    skewed = ctx.sign(ctx.claims(nbf=_now() + 5, iat=_now() + 5))
    assert gql.execute(ORGANISATION, token=skewed).ok()["organisation"]["id"] == ctx.target.id


def test_a_good_token_works_over_websocket(ctx: Ctx, stack: LocalStack) -> None:
    with GraphQLWebSocket(stack.websocket_url) as ws:
        answer = ws.init(bearer_params(ctx.target.admin_token))
        assert answer is not None and answer["type"] == "connection_ack", answer
        ws.send({"type": "ping"})
        assert ws.receive(timeout=5) == {"type": "pong"}
