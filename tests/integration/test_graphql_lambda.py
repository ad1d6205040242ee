"""The GraphQL Lambda handler as API Gateway calls it: an HTTP API (payload 2.0) event through Mangum,
the bearer token verified against the JWKS, the organisation read from DynamoDB (moto). The event and
context are the ones the benchmarks send, so this also checks that the benchmarks measure a real call."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import anyio.to_thread
import pytest
from argus.api import graphql as api
from argus.handlers.graphql import handler
from argus.organisations import service
from argus.platform.auth.verifier import TokenVerifier
from mangum import Mangum

from benchmarks.common import LAMBDA_CONTEXT, http_api_event
from tests.factories.organisations import organisation_draft
from tests.factories.principals import admin
from tests.fakes.aws import ArgusAws
from tests.fakes.jwks import AUDIENCE, ISSUER, InMemoryJWKSClient, SigningKey, claims, sign

KEY = SigningKey(kid="argus-lambda-test")
QUERY = "{ organisation { id name } }"


@pytest.fixture(autouse=True)
def event_loop_of_the_thread() -> Iterator[None]:
    """Mangum runs each event on the thread's current event loop, as in a Lambda process; earlier
    asynchronous tests leave this thread without one."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield
    asyncio.set_event_loop(None)
    loop.close()


@pytest.fixture
def jwks(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemoryJWKSClient]:
    """A verifier whose JWKS cache starts empty, as in a new Lambda environment."""
    client = InMemoryJWKSClient([KEY])
    verifier = TokenVerifier(client, issuer=ISSUER, audience=AUDIENCE)
    monkeypatch.setattr(api, "get_verifier", lambda: verifier)
    yield client


@pytest.fixture
def thread_hops(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    hops: list[Any] = []
    real = anyio.to_thread.run_sync

    async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(fn)
        return await real(fn, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    return hops


def test_the_lambda_answers_an_api_gateway_event(
    aws: ArgusAws, jwks: InMemoryJWKSClient, thread_hops: list[Any]
) -> None:
    service.create_organisation(admin(), organisation_draft())
    token = sign(KEY, claims(**{"custom:roles": "officer"}))
    response = handler(http_api_event(QUERY, token=token), LAMBDA_CONTEXT)
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {
        "data": {"organisation": {"id": "northshire", "name": "Northshire Neighbourhood Watch"}}
    }
    # The JWKS was fetched in place: Lambda serves one event at a time, so no worker thread
    assert jwks.fetches == 1
    assert thread_hops == []


def test_the_lambda_refuses_a_request_without_a_token(aws: ArgusAws, jwks: InMemoryJWKSClient) -> None:
    response = handler(http_api_event(QUERY, token=None), LAMBDA_CONTEXT)
    body = json.loads(response["body"])
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


def test_a_concurrent_server_fetches_the_jwks_off_the_event_loop(
    aws: ArgusAws, jwks: InMemoryJWKSClient, thread_hops: list[Any]
) -> None:
    service.create_organisation(admin(), organisation_draft())
    served = Mangum(api.create_app(graphql_ide=None), lifespan="off", api_gateway_base_path="/")
    token = sign(KEY, claims())
    first = served(http_api_event(QUERY, token=token), LAMBDA_CONTEXT)
    second = served(http_api_event(QUERY, token=token), LAMBDA_CONTEXT)
    assert json.loads(first["body"]) == json.loads(second["body"])
    assert json.loads(first["body"])["data"]["organisation"]["id"] == "northshire"
    # Only the first request's token, whose signing key was not cached yet, was verified on a worker thread
    verifications = [hop for hop in thread_hops if getattr(hop, "__name__", "") == "verify_header"]
    assert len(verifications) == 1
    # And each operation ran on a worker thread, off the server's event loop
    assert len(thread_hops) - len(verifications) == 2
