"""Bearer-token verification: RS256 against the issuer's JWKS, every failure Unauthenticated."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from argus.platform.auth.principal import Principal, Role
from argus.platform.auth.verifier import TokenVerifier
from argus.platform.errors import Unauthenticated

from tests.fakes.jwks import (
    AUDIENCE,
    ISSUER,
    InMemoryJWKSClient,
    SigningKey,
    claims,
    hs256_with_public_key,
    sign,
    unsigned,
    with_payload,
)

GENERIC_MESSAGE = "Authentication required: the bearer token is missing or invalid."


@pytest.fixture
def jwks(issuer_key: SigningKey) -> InMemoryJWKSClient:
    return InMemoryJWKSClient([issuer_key])


@pytest.fixture
def verifier(jwks: InMemoryJWKSClient) -> TokenVerifier:
    return TokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE, algorithms=["RS256"], leeway=30)


def rejected(verifier: TokenVerifier, authorization: str | None) -> Unauthenticated:
    with pytest.raises(Unauthenticated) as caught:
        verifier.verify_header(authorization)
    return caught.value


# --- the good token ---------------------------------------------------------------------------


def test_a_valid_id_token_gives_its_principal(verifier: TokenVerifier, issuer_key: SigningKey) -> None:
    # Given an ID token signed by the issuer for an officer and captain of northshire
    token = sign(
        issuer_key,
        claims(
            sub="user-42",
            **{"custom:roles": "officer captain", "cognito:groups": ["supervisor"]},
            email="pat@northshire.example",
            name="Pat Example",
        ),
    )
    # When it is verified from the Authorization header
    principal = verifier.verify_header(f"Bearer {token}")
    # Then the principal carries the subject, organisation and every role from both claims
    assert principal == Principal(
        sub="user-42",
        org_id="northshire",
        roles=frozenset({Role.OFFICER, Role.CAPTAIN, Role.SUPERVISOR}),
        email="pat@northshire.example",
        name="Pat Example",
    )


def test_roles_come_from_custom_roles_and_cognito_groups_and_unknown_roles_are_dropped(
    verifier: TokenVerifier, issuer_key: SigningKey
) -> None:
    # Given roles as a comma list, groups as a JSON list, and names that are not Argus roles
    token = sign(
        issuer_key,
        claims(
            **{
                "custom:roles": "member,captain,superuser",
                "cognito:groups": ["analyst", "eu-west-2_pool_Google", 7],
            }
        ),
    )
    # When verified
    principal = verifier.verify(token)
    # Then only the known roles remain
    assert principal.roles == {Role.MEMBER, Role.CAPTAIN, Role.ANALYST}
    assert principal.is_staff  # an analyst is staff


def test_a_token_without_roles_gives_a_principal_without_roles(
    verifier: TokenVerifier, issuer_key: SigningKey
) -> None:
    principal = verifier.verify(sign(issuer_key, claims(**{"custom:roles": None})))
    assert principal.roles == frozenset()
    assert principal.org_id == "northshire"


def test_a_cognito_access_token_is_accepted_by_its_client_id(
    verifier: TokenVerifier, issuer_key: SigningKey
) -> None:
    # Given a Cognito access token: no aud, the app client in client_id, groups for roles, scopes
    token = sign(
        issuer_key,
        claims(
            aud=None,
            client_id=AUDIENCE,
            token_use="access",
            scope="argus/read argus/write",
            **{"custom:roles": None, "cognito:groups": ["admin"]},
        ),
    )
    # When verified
    principal = verifier.verify_header(f"Bearer {token}")
    # Then it is accepted with the groups as roles and the scopes kept
    assert principal.roles == {Role.ADMIN}
    assert principal.scopes == {"argus/read", "argus/write"}


def test_the_bearer_scheme_is_case_insensitive_and_whitespace_tolerant(
    verifier: TokenVerifier, issuer_key: SigningKey
) -> None:
    token = sign(issuer_key, claims())
    assert verifier.verify_header(f"  bearer {token}  ").sub == "user-1"


def test_the_principal_carries_when_its_token_expires(
    verifier: TokenVerifier, issuer_key: SigningKey
) -> None:
    expiry = _now() + 600
    principal = verifier.verify_header("Bearer " + sign(issuer_key, claims(exp=expiry)))
    assert principal.expires_at is not None
    assert int(principal.expires_at.timestamp()) == expiry


def test_expiry_within_the_leeway_is_accepted(verifier: TokenVerifier, issuer_key: SigningKey) -> None:
    # Given a token that expired 10 s ago (clock skew), with a 30 s leeway
    token = sign(issuer_key, claims(exp=int(time.time()) - 10))
    # Then it is still accepted
    assert verifier.verify(token).sub == "user-1"


# --- every way a token is refused -------------------------------------------------------------


def _now() -> int:
    return int(time.time())


def _bad_tokens(issuer_key: SigningKey, stranger_key: SigningKey) -> dict[str, str | None]:
    good = sign(issuer_key, claims())
    payload: dict[str, Any] = jwt.decode(good, options={"verify_signature": False})
    return {
        "no token": None,
        "empty header": "",
        "basic scheme": "Basic dXNlcjpwYXNz",
        "bearer without token": "Bearer",
        "bearer with blanks": "Bearer    ",
        "token without scheme": good,
        "not a jwt": "Bearer not-a-jwt",
        "two segments": "Bearer " + ".".join(good.split(".")[:2]),
        "garbage header segment": "Bearer !!!." + good.split(".", 1)[1],
        "alg none": "Bearer " + unsigned(claims(), kid=issuer_key.kid),
        "alg none signed with empty key": "Bearer " + unsigned(claims(), kid=issuer_key.kid) + "AAAA",
        "hs256 with the public key as secret": "Bearer " + hs256_with_public_key(issuer_key, claims()),
        "rs256 by another key with a known kid": "Bearer " + sign(stranger_key, claims(), kid=issuer_key.kid),
        "unknown kid": "Bearer " + sign(stranger_key, claims()),
        "no kid": "Bearer " + jwt.encode(claims(), issuer_key.private, algorithm="RS256"),
        "rs512 not on the allow-list": "Bearer "
        + jwt.encode(claims(), issuer_key.private, algorithm="RS512", headers={"kid": issuer_key.kid}),
        "tampered payload": "Bearer " + with_payload(good, {**payload, "custom:org": "southvale"}),
        "tampered roles": "Bearer " + with_payload(good, {**payload, "custom:roles": "admin supervisor"}),
        "tampered signature": "Bearer " + good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),
        "expired": "Bearer "
        + sign(issuer_key, claims(iat=_now() - 7200, nbf=_now() - 7200, exp=_now() - 3600)),
        "not yet valid": "Bearer " + sign(issuer_key, claims(nbf=_now() + 3600, exp=_now() + 7200)),
        "no expiry": "Bearer " + sign(issuer_key, claims(exp=None)),
        "wrong issuer": "Bearer " + sign(issuer_key, claims(iss="https://evil.example")),
        "no issuer": "Bearer " + sign(issuer_key, claims(iss=None)),
        "wrong audience": "Bearer " + sign(issuer_key, claims(aud="another-app")),
        "audience list without argus": "Bearer " + sign(issuer_key, claims(aud=["a", "b"])),
        "access token for another client": "Bearer " + sign(issuer_key, claims(aud=None, client_id="other")),
        "access token without client id": "Bearer " + sign(issuer_key, claims(aud=None)),
        "no subject": "Bearer " + sign(issuer_key, claims(sub=None)),
        "empty subject": "Bearer " + sign(issuer_key, claims(sub="")),
        "blank subject": "Bearer " + sign(issuer_key, claims(sub="   ")),
        "subject not a string": "Bearer " + sign(issuer_key, claims(sub=12345)),
        "expiry as a string": "Bearer " + sign(issuer_key, claims(exp=str(_now() + 3600))),
        "expiry as a boolean": "Bearer " + sign(issuer_key, claims(exp=True)),
        "not before as a string": "Bearer " + sign(issuer_key, claims(nbf=str(_now() - 60))),
        "oversized token": "Bearer " + sign(issuer_key, claims(padding="x" * 1_000_000)),
        "no organisation claim": "Bearer " + sign(issuer_key, claims(**{"custom:org": None})),
        "organisation claim not an id": "Bearer " + sign(issuer_key, claims(**{"custom:org": "North Shire"})),
        "organisation claim not a string": "Bearer "
        + sign(issuer_key, claims(**{"custom:org": ["northshire"]})),
    }


BAD_TOKEN_CASES = [
    "no token",
    "empty header",
    "basic scheme",
    "bearer without token",
    "bearer with blanks",
    "token without scheme",
    "not a jwt",
    "two segments",
    "garbage header segment",
    "alg none",
    "alg none signed with empty key",
    "hs256 with the public key as secret",
    "rs256 by another key with a known kid",
    "unknown kid",
    "no kid",
    "rs512 not on the allow-list",
    "tampered payload",
    "tampered roles",
    "tampered signature",
    "expired",
    "not yet valid",
    "no expiry",
    "wrong issuer",
    "no issuer",
    "wrong audience",
    "audience list without argus",
    "access token for another client",
    "access token without client id",
    "no subject",
    "empty subject",
    "blank subject",
    "subject not a string",
    "expiry as a string",
    "expiry as a boolean",
    "not before as a string",
    "oversized token",
    "no organisation claim",
    "organisation claim not an id",
    "organisation claim not a string",
]


@pytest.fixture(scope="module")
def bad_tokens(issuer_key: SigningKey, stranger_key: SigningKey) -> dict[str, str | None]:
    return _bad_tokens(issuer_key, stranger_key)


@pytest.mark.parametrize("case", BAD_TOKEN_CASES)
def test_a_bad_token_is_rejected_with_a_generic_message(
    case: str, verifier: TokenVerifier, bad_tokens: dict[str, str | None]
) -> None:
    # Given an Authorization header that must not authenticate anyone
    authorization = bad_tokens[case]
    # When it is verified
    error = rejected(verifier, authorization)
    # Then it is Unauthenticated, and the message does not say which check failed
    assert error.code == "UNAUTHENTICATED"
    assert error.message == GENERIC_MESSAGE
    assert error.extensions() == {"code": "UNAUTHENTICATED"}


def test_the_case_list_covers_every_bad_token(bad_tokens: dict[str, str | None]) -> None:
    assert set(BAD_TOKEN_CASES) == set(bad_tokens)


def test_an_unknown_kid_refetches_the_jwks_once_then_fails(
    issuer_key: SigningKey, stranger_key: SigningKey
) -> None:
    # Given a verifier whose JWKS does not hold the stranger's key
    jwks = InMemoryJWKSClient([issuer_key])
    verifier = TokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE)
    # When a token names that key
    with pytest.raises(Unauthenticated):
        verifier.verify(sign(stranger_key, claims()))
    # Then the key set was looked up (and refreshed once for a possibly rotated key), from memory only
    assert 1 <= jwks.fetches <= 2


def test_a_rotated_key_is_accepted_once_published(issuer_key: SigningKey, stranger_key: SigningKey) -> None:
    # Given an issuer that publishes a second key
    verifier = TokenVerifier(InMemoryJWKSClient([issuer_key, stranger_key]), issuer=ISSUER, audience=AUDIENCE)
    # When a token is signed with it
    principal = verifier.verify(sign(stranger_key, claims(sub="rotated")))
    # Then it verifies
    assert principal.sub == "rotated"


@pytest.mark.parametrize("algorithms", [["HS256"], ["RS256", "HS256"], ["none"], []])
def test_the_verifier_refuses_symmetric_or_empty_algorithm_lists(
    algorithms: list[str], issuer_key: SigningKey
) -> None:
    with pytest.raises(ValueError, match="asymmetric"):
        TokenVerifier(
            InMemoryJWKSClient([issuer_key]), issuer=ISSUER, audience=AUDIENCE, algorithms=algorithms
        )


def test_claim_names_are_configurable(issuer_key: SigningKey) -> None:
    # Given an issuer that uses its own claim names for organisation and roles
    verifier = TokenVerifier(
        InMemoryJWKSClient([issuer_key]),
        issuer=ISSUER,
        audience=AUDIENCE,
        org_claim="https://argus/org",
        roles_claim="https://argus/roles",
        groups_claim="groups",
    )
    token = sign(
        issuer_key,
        claims(
            **{
                "custom:org": None,
                "custom:roles": None,
                "https://argus/org": "southvale",
                "https://argus/roles": ["officer"],
                "groups": ["analyst"],
            }
        ),
    )
    # When verified
    principal = verifier.verify(token)
    # Then those claims are read
    assert (principal.org_id, principal.roles) == ("southvale", {Role.OFFICER, Role.ANALYST})


def test_an_unreachable_jwks_fails_closed(issuer_key: SigningKey) -> None:
    # Given an issuer whose JWKS endpoint cannot be reached
    class Unreachable(InMemoryJWKSClient):
        def fetch_data(self) -> Any:
            raise jwt.PyJWKClientConnectionError("connection refused")

    verifier = TokenVerifier(Unreachable([issuer_key]), issuer=ISSUER, audience=AUDIENCE)
    # When a correctly signed token is verified, Then it is refused, not let through
    with pytest.raises(Unauthenticated):
        verifier.verify(sign(issuer_key, claims()))


def test_an_organisation_claim_that_is_not_a_valid_tenant_id_is_refused(
    verifier: TokenVerifier, issuer_key: SigningKey
) -> None:
    with pytest.raises(Unauthenticated):
        verifier.verify(sign(issuer_key, claims(**{"custom:org": "north--shire"})))


def test_only_a_token_whose_key_is_cached_is_verified_without_the_network(
    verifier: TokenVerifier, jwks: InMemoryJWKSClient, issuer_key: SigningKey, stranger_key: SigningKey
) -> None:
    good = f"Bearer {sign(issuer_key, claims())}"
    # Before the JWKS was fetched, verifying may need the network
    assert not verifier.can_verify_offline(good)
    # Refusals on their face never do
    for header in (None, "", "Basic abc", "Bearer", "Bearer not-a-jwt"):
        assert verifier.can_verify_offline(header), header
    # Once the JWKS is cached, a token of a known key is verified offline; one of an unknown key is not
    verifier.verify_header(good)
    assert jwks.fetches == 1
    assert verifier.can_verify_offline(good)
    assert not verifier.can_verify_offline(f"Bearer {sign(stranger_key, claims())}")
