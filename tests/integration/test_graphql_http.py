"""The GraphQL app's HTTP edge on both hosts: the local Starlette app (ASGI in process) and the Lambda
handler (API Gateway HTTP API v2 events through Mangum). Malformed bodies get a 4xx GraphQL-over-HTTP
error with a stable code and reason, a body over the limit is refused before authentication, a request
without a token before its body is decoded, and none of it — nor a client going away — logs an error
or a stack trace."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any

import httpx
import pytest
from argus.api import graphql as api
from argus.local.app import build_app
from argus.local.issuer import LocalIssuer
from argus.organisations import service
from argus.platform.auth.verifier import TokenVerifier

from benchmarks.common import LAMBDA_CONTEXT, http_api_event
from tests.fakes.jwks import AUDIENCE, ISSUER, InMemoryJWKSClient, SigningKey, claims, sign

KEY = SigningKey(kid="argus-http-test")
PROPOSE = 'mutation($b: JSON!) { proposeWatchGroup(input: {name: "Deep", boundary: $b}) { id } }'


def _deep_geojson() -> bytes:
    coordinates = "[" * 5000 + "0" + "]" * 5000
    return (
        '{"query": '
        + json.dumps(PROPOSE)
        + ', "variables": {"b": {"type": "Polygon", "coordinates": '
        + coordinates
        + "}}}"
    ).encode()


# name → (body, reason)
MALFORMED: dict[str, tuple[bytes, str]] = {
    "null": (b"null", "not_an_object"),
    "a-string": (b'"{ me { sub } }"', "not_an_object"),
    "a-number": (b"42", "not_an_object"),
    "json-100000-deep": (b"[" * 100_000 + b"]" * 100_000, "too_deep"),
    "geojson-coordinates-5000-deep": (_deep_geojson(), "too_deep"),
    "not-utf8": (b'{"query": "{ me { sub } }", "variables": {"x": "\xff\xfe"}}', "not_utf8"),
    "not-json": (b'{"query": ', "not_json"),
}


@pytest.fixture(autouse=True)
def event_loop_of_the_thread() -> Iterator[None]:
    """Mangum runs each event on the thread's current event loop, as in a Lambda process."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield
    asyncio.set_event_loop(None)
    loop.close()


@pytest.fixture
def verifier(monkeypatch: pytest.MonkeyPatch) -> TokenVerifier:
    verifier = TokenVerifier(InMemoryJWKSClient([KEY]), issuer=ISSUER, audience=AUDIENCE)
    monkeypatch.setattr(api, "get_verifier", lambda: verifier)
    return verifier


@pytest.fixture
def token(verifier: TokenVerifier) -> str:
    return sign(KEY, claims(**{"custom:roles": "resident", "sub": "resident-1"}))


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if all(r is not record for r in self.records):  # seen by more than one of the loggers
            self.records.append(record)

    def problems(self) -> list[str]:
        """Records at ERROR or above, or carrying a stack trace."""
        return [
            f"{r.name}: {r.getMessage()}"
            for r in self.records
            if r.levelno >= logging.ERROR or r.exc_info or "Traceback" in r.getMessage()
        ]

    def lines(self, message: str) -> list[logging.LogRecord]:
        return [r for r in self.records if r.getMessage() == message]


@pytest.fixture
def logs() -> Iterator[Records]:
    """Every record of the loggers the hosts write to (some do not propagate to the root)."""
    handler = Records()
    loggers = [logging.getLogger(n) for n in ("", "argus", "mangum", "uvicorn", "uvicorn.error")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
    logging.getLogger("argus").setLevel(logging.INFO)
    yield handler
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


def lambda_post(body: bytes, token: str | None, *, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    event = http_api_event("{ __typename }", token=token)
    event["headers"].update(headers or {})
    try:
        event["body"], event["isBase64Encoded"] = body.decode("utf-8"), False
    except UnicodeDecodeError:
        event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    from argus.handlers.graphql import handler

    response = handler(event, LAMBDA_CONTEXT)
    assert "Traceback" not in response["body"]
    return response["statusCode"], (response["headers"].get("content-type"), json.loads(response["body"]))


def local_post(body: bytes, token: str | None, *, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=build_app(LocalIssuer(ISSUER)))
        async with httpx.AsyncClient(transport=transport, base_url="http://argus.test") as client:
            sent = {"content-type": "application/json", **(headers or {})}
            if token is not None:
                sent["authorization"] = f"Bearer {token}"
            return await client.post("/graphql", content=body, headers=sent)

    response = asyncio.get_event_loop().run_until_complete(post())
    assert "Traceback" not in response.text
    return response.status_code, (response.headers.get("content-type"), response.json())


HOSTS = {"local": local_post, "lambda": lambda_post}


@pytest.mark.parametrize("host", list(HOSTS))
@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_body_is_a_4xx_graphql_error(host: str, case: str, token: str, logs: Records) -> None:
    body, reason = MALFORMED[case]
    # When the malformed body is posted with a valid token
    status, (content_type, answer) = HOSTS[host](body, token)
    # Then the answer is a 400 GraphQL error in JSON with a stable code and reason
    assert status == 400
    assert content_type == "application/json"
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "details": {"reason": reason}}
    # And the log holds one structured line about it, no error and no stack trace
    assert logs.problems() == []
    [line] = logs.lines("graphql request refused")
    assert (line.levelno, line.reason, line.status) == (logging.INFO, reason, 400)  # type: ignore[attr-defined]


@pytest.mark.parametrize("host", list(HOSTS))
def test_a_body_over_the_limit_is_refused_before_authentication(
    host: str, verifier: TokenVerifier, monkeypatch: pytest.MonkeyPatch, logs: Records
) -> None:
    # Given a verifier that must not be asked
    def no_verification(*_args: Any) -> None:
        raise AssertionError("the token was verified")

    monkeypatch.setattr(verifier, "verify_header", no_verification)
    monkeypatch.setattr(verifier, "can_verify_offline", lambda *_args: True)
    body = json.dumps({"query": "{ me { sub } }", "variables": {"x": "a" * (7 * 1024 * 1024)}}).encode()
    # When a 7 MiB body arrives (over the 6 MiB limit)
    status, (content_type, answer) = HOSTS[host](body, "not-even-a-token")
    # Then it is refused with 413 and the limit
    assert (status, content_type) == (413, "application/json")
    assert answer["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "details": {"reason": "too_large", "limit": 6 * 1024 * 1024},
    }
    assert logs.problems() == []


def call_app(
    receive: Callable[[], Awaitable[dict[str, Any]]], *, content_length: int
) -> list[MutableMapping[str, Any]]:
    """Call the ASGI app with a JSON POST of the declared length; what it sent back."""
    sent: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(content_length).encode()),
        ],
        "query_string": b"",
    }
    asyncio.get_event_loop().run_until_complete(api.create_app()(scope, receive, send))
    return sent


def test_a_declared_length_over_the_limit_is_refused_without_reading_the_body() -> None:
    # Given a request whose Content-Length says 8 MB (over the 6 MiB limit),
    # and a body channel that must not be read
    async def receive() -> dict[str, Any]:
        raise AssertionError("the body was read")

    # When the app is called
    sent = call_app(receive, content_length=8_000_000)
    # Then it answered 413
    assert sent[0]["status"] == 413


def post_with_headers(
    host: str, body: bytes, authorization: str | None
) -> tuple[int, dict[str, str], dict[str, Any]]:
    """POST ``body`` to ``host`` with the Authorization header given as is (None: none at all)."""
    if host == "lambda":
        event = http_api_event("{ __typename }", token=None)
        event["headers"].pop("authorization", None)
        if authorization is not None:
            event["headers"]["authorization"] = authorization
        event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
        from argus.handlers.graphql import handler

        response = handler(event, LAMBDA_CONTEXT)
        headers = {k.lower(): v for k, v in response["headers"].items()}
        return response["statusCode"], headers, json.loads(response["body"])

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=build_app(LocalIssuer(ISSUER)))
        async with httpx.AsyncClient(transport=transport, base_url="http://argus.test") as client:
            sent = {"content-type": "application/json"}
            if authorization is not None:
                sent["authorization"] = authorization
            return await client.post("/graphql", content=body, headers=sent)

    answer = asyncio.get_event_loop().run_until_complete(post())
    return answer.status_code, {k.lower(): v for k, v in answer.headers.items()}, answer.json()


MISSING = 'Bearer realm="argus"'
GENERIC_ANSWER = {
    "data": None,
    "errors": [
        {
            "message": "Authentication required: the bearer token is missing or invalid.",
            "extensions": {"code": "UNAUTHENTICATED"},
        }
    ],
}


@pytest.mark.parametrize("host", list(HOSTS))
@pytest.mark.parametrize("authorization", [None, "Bearer", "Basic dXNlcjpwYXNz", "Token abc"])
def test_without_a_token_the_answer_is_401_with_a_bearer_challenge_and_the_body_is_not_decoded(
    host: str, authorization: str | None, verifier: TokenVerifier, stage: Callable[[str], None]
) -> None:
    # Given a production stage
    stage("prod")
    # When a body that is not even JSON comes without bearer credentials
    status, headers, answer = post_with_headers(host, b"\xff not json", authorization)
    # Then the answer is RFC 6750's (401, the realm, no error code) and the usual UNAUTHENTICATED body
    assert (status, headers["www-authenticate"]) == (401, MISSING)
    assert answer == GENERIC_ANSWER


# name → (token, reason)
BAD_TOKENS: dict[str, tuple[Callable[[], str], str]] = {
    "expired": (lambda: sign(KEY, claims(iat=1, nbf=1, exp=1000)), "expired"),
    "wrong-issuer": (lambda: sign(KEY, claims(iss="https://elsewhere.test")), "wrong_issuer"),
    "unknown-key": (lambda: sign(KEY, claims(), kid="not-in-the-jwks"), "unknown_key"),
    "wrong-audience": (lambda: sign(KEY, claims(aud="another-api")), "wrong_audience"),
    "not-yet-valid": (lambda: sign(KEY, claims(nbf=int(time.time()) + 3600)), "not_yet_valid"),
    "malformed": (lambda: "not.a.jwt", "malformed"),
    "no-organisation": (lambda: sign(KEY, claims(**{"custom:org": None})), "no_organisation"),
}


@pytest.mark.parametrize("host", list(HOSTS))
@pytest.mark.parametrize("case", list(BAD_TOKENS))
def test_a_bad_token_in_production_is_invalid_token_and_nothing_more(
    host: str, case: str, verifier: TokenVerifier, stage: Callable[[str], None]
) -> None:
    stage("prod")
    token, _ = BAD_TOKENS[case]
    status, headers, answer = post_with_headers(host, b'{"query": "{ __typename }"}', f"Bearer {token()}")
    assert status == 401
    assert headers["www-authenticate"] == (
        'Bearer realm="argus", error="invalid_token", error_description="The bearer token is invalid."'
    )
    assert answer == GENERIC_ANSWER


@pytest.mark.parametrize("host", list(HOSTS))
@pytest.mark.parametrize("case", list(BAD_TOKENS))
def test_the_local_stack_says_why_a_token_was_refused(
    host: str, case: str, verifier: TokenVerifier, stage: Callable[[str], None]
) -> None:
    stage("local")
    token, reason = BAD_TOKENS[case]
    status, headers, answer = post_with_headers(host, b'{"query": "{ __typename }"}', f"Bearer {token()}")
    assert status == 401
    assert headers["www-authenticate"].startswith(
        'Bearer realm="argus", error="invalid_token", error_description="'
    )
    [error] = answer["errors"]
    assert answer["data"] is None and error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["extensions"]["details"]["reason"] == reason
    assert error["extensions"]["details"]["description"] in headers["www-authenticate"]


@pytest.mark.parametrize("host", list(HOSTS))
@pytest.mark.parametrize(
    ("case", "body", "headers"),
    [
        ("unknown-operation-name", b'{"query": "query A { __typename }", "operationName": "B"}', {}),
        ("unsupported-content-type", b"query { __typename }", {"content-type": "text/plain"}),
        ("a-batch", b'[{"query": "{ __typename }"}]', {}),
    ],
)
def test_strawberrys_own_refusals_are_graphql_errors_too(
    host: str, case: str, body: bytes, headers: dict[str, str], token: str, logs: Records
) -> None:
    status, (content_type, answer) = HOSTS[host](body, token, headers=headers)
    assert (status, content_type) == (400, "application/json"), case
    assert answer["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "details": {"reason": "bad_request"},
    }
    assert logs.problems() == []


def test_a_client_that_goes_away_logs_no_error(logs: Records) -> None:
    # Given a client that disconnects before its body arrives
    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    # When the app is called
    sent = call_app(receive, content_length=100)
    # Then nothing is sent back, and the log holds one informational line, no error or stack trace
    assert sent == []
    assert logs.problems() == []
    [line] = logs.lines("graphql client went away before its request was read")
    assert line.levelno == logging.INFO


def test_a_slow_operation_does_not_hold_up_other_requests(
    token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a query whose (synchronous) service call takes 0.5 s
    def slow_profile(_principal: Any) -> None:
        time.sleep(0.5)

    monkeypatch.setattr(service, "my_profile", slow_profile)
    finished: list[str] = []

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=build_app(LocalIssuer(ISSUER)))
        async with httpx.AsyncClient(transport=transport, base_url="http://argus.test") as client:

            async def slow() -> None:
                headers = {"authorization": f"Bearer {token}"}
                response = await client.post("/graphql", json={"query": "{ me { sub } }"}, headers=headers)
                assert response.json() == {"data": {"me": {"sub": "resident-1"}}}
                finished.append("graphql")

            async def health() -> None:
                await asyncio.sleep(0.1)  # the slow operation is running by now
                assert (await client.get("/healthz")).status_code == 200
                finished.append("health")

            await asyncio.gather(slow(), health())

    # When a health check arrives while it runs
    asyncio.get_event_loop().run_until_complete(scenario())
    # Then the health check is answered first
    assert finished == ["health", "graphql"]


@pytest.mark.parametrize(("stage", "allowed"), [("prod", False), ("staging", False), ("dev", True)])
def test_introspection_through_the_lambda_only_in_dev(
    stage: str, allowed: bool, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from argus.platform.settings import reset_settings

    # Given the Lambda of a stage
    monkeypatch.setenv("ARGUS_STAGE", stage)
    reset_settings()
    try:
        # When GraphiQL's kind of query arrives
        status, (_, answer) = lambda_post(b'{"query": "{ __schema { queryType { name } } }"}', token)
    finally:
        monkeypatch.undo()
        reset_settings()
    # Then it is answered in dev only
    assert status == 200
    if allowed:
        assert answer == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    else:
        assert answer["data"] is None
        assert {e["extensions"]["details"]["reason"] for e in answer["errors"]} == {"introspection_disabled"}


@pytest.mark.parametrize("host", list(HOSTS))
def test_two_anonymous_operations_are_refused_over_http(host: str, token: str) -> None:
    status, (_, answer) = HOSTS[host](b'{"query": "{ __typename } { __typename }"}', token)
    assert status == 200 and answer["data"] is None
    assert {e["extensions"]["code"] for e in answer["errors"]} == {"BAD_USER_INPUT"}
