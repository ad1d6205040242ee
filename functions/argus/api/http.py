"""The HTTP edge of the GraphQL app, the same on both hosts (uvicorn locally, Mangum on Lambda): the
body is read within its size limit before anything else (authentication included), decoded strictly
(UTF-8, JSON, an object), and every refusal is a GraphQL-over-HTTP error in JSON with a stable code and
reason, never a 5xx or a stack trace.

Refusals and clients that go away are expected: each logs one structured line (reason and status, no
request content, no client address), never an error.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from cross_web import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send

from argus.api.errors import unauthenticated_extensions, www_authenticate
from argus.platform.errors import ERROR_CODES, Unauthenticated
from argus.platform.observability import logger
from argus.platform.settings import get_settings


class RequestRefused(HTTPException):
    """The request is refused before GraphQL sees it: ``status`` and one error with ``code`` and, for
    BAD_USER_INPUT, ``details.reason`` (or the given ``extensions``). ``with_data`` answers
    ``"data": null`` as an operation refused by the schema would (kept for UNAUTHENTICATED, whose
    answer predates this edge); ``headers`` go with the response."""

    def __init__(
        self,
        status: int,
        message: str,
        reason: str,
        *,
        code: str = "BAD_USER_INPUT",
        with_data: bool = False,
        extensions: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        **details: object,
    ) -> None:
        super().__init__(status, message)
        self.message = message
        self.code = code
        self.details: dict[str, object] = {"reason": reason, **details}
        self.with_data = with_data
        self.extensions = extensions
        self.headers = headers or {}

    def response(self) -> Response:
        extensions: dict[str, object] = self.extensions or {"code": self.code}
        if self.extensions is None and self.code == "BAD_USER_INPUT":
            extensions["details"] = self.details
        body: dict[str, object] = {"errors": [{"message": self.message, "extensions": extensions}]}
        if self.with_data:
            body = {"data": None, **body}
        return JSONResponse(body, status_code=self.status_code, headers=self.headers)


def unauthenticated(error: Unauthenticated) -> RequestRefused:
    """401 with RFC 6750's ``WWW-Authenticate`` challenge; the body is the GraphQL error it always was
    (UNAUTHENTICATED, ``data: null``), with the reason only in the local stack."""
    return RequestRefused(
        401,
        error.message,
        error.reason,
        code="UNAUTHENTICATED",
        with_data=True,
        extensions=unauthenticated_extensions(error),
        headers={"WWW-Authenticate": www_authenticate(error)},
    )


def decode_body(body: str | bytes) -> dict[str, Any] | list[Any]:
    """The JSON body as an object (or a list, which GraphQL batching would take); raises
    RequestRefused (400) with reason ``not_utf8``, ``not_json``, ``too_deep`` or ``not_an_object``."""
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise RequestRefused(400, "The request body is not UTF-8 text.", "not_utf8") from None
    nested_too_deeply = False
    try:
        value = json.loads(body)
    except json.JSONDecodeError:
        raise RequestRefused(400, "The request body is not JSON.", "not_json") from None
    except RecursionError:
        # Refused outside the except block so that the recursion's frames are not kept alive.
        nested_too_deeply = True
    if nested_too_deeply:
        raise RequestRefused(400, "The request body is nested too deeply.", "too_deep")
    if not isinstance(value, (dict, list)):
        raise RequestRefused(
            400,
            'The request body must be a JSON object such as {"query": "...", "variables": {...}}.',
            "not_an_object",
        )
    return value


def decode_message(text: str | bytes) -> object:
    """A WebSocket message: JSON, where nesting too deep for the decoder counts as not JSON (the
    protocol handler closes the connection with 4400 for that)."""
    try:
        return json.loads(text)
    except RecursionError:
        pass
    raise json.JSONDecodeError("nested too deeply", text if isinstance(text, str) else "", 0)


class _BodyTooLarge(Exception):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refused (413) past ``limit`` bytes: by its Content-Length before reading any of
    it, else as soon as the chunks read exceed it. Raises ClientDisconnect when the client goes away."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive channel that hands the already-read body over once, then the client's own."""
    delivered = False

    async def replayed() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


async def serve(
    run: Callable[[Request], Awaitable[Response]], scope: Scope, receive: Receive, send: Send
) -> None:
    """Serve one HTTP request with ``run`` (the GraphQL view) behind the edge's checks."""
    limit = get_settings().graphql_max_body_bytes
    try:
        body = await read_body(Request(scope, receive), limit)
        response = await run(Request(scope, _replay(body, receive)))
    except _BodyTooLarge:
        too_large = RequestRefused(
            413, f"The request body is larger than {limit} bytes.", "too_large", limit=limit
        )
        _log_refusal(too_large)
        response = too_large.response()
    except ClientDisconnect:
        logger.info("graphql client went away before its request was read", extra={"status": 499})
        return
    except RequestRefused as refusal:
        if refusal.code != "UNAUTHENTICATED":  # the verifier has logged why already
            _log_refusal(refusal)
        response = refusal.response()
    except HTTPException as exc:
        # Strawberry's own refusals (unsupported content type, batching, an unknown operation name...):
        # its plain-text reason, in the same JSON shape as every other error.
        theirs = RequestRefused(exc.status_code, exc.reason, "bad_request")
        _log_refusal(theirs)
        response = theirs.response()
    await response(scope, receive, send)


def _log_refusal(refusal: RequestRefused) -> None:
    assert refusal.code in ERROR_CODES
    logger.info(
        "graphql request refused",
        extra={"status": refusal.status_code, "code": refusal.code, "reason": refusal.details["reason"]},
    )
