"""Shared pieces of the benchmarks: an RSA key and its JWKS served on 127.0.0.1, bearer tokens,
a moto server in its own process, API Gateway HTTP API v2 events and small statistics helpers.

Nothing here imports ``argus``: the runner sets the environment first, then imports the package.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mangum.types import LambdaCognitoIdentity, LambdaMobileClientContext

REPO_ROOT = Path(__file__).resolve().parent.parent
ISSUER = "https://auth.bench.argus.invalid"
AUDIENCE = "argus-bench"
ORG_ID = "bench-org"
TABLE_NAME = "argus-bench"
REGION = "eu-west-2"
KID = "bench-key-1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def paired_ratio(ours: Sequence[float], baseline: Sequence[float]) -> float:
    """Median of the per-round ratios (each round ran both back to back): less sensitive than the
    ratio of medians to other processes slowing down part of the run."""
    return statistics.median(o / b for o, b in zip(ours, baseline, strict=True))


def spread(values: Sequence[float]) -> tuple[float, float]:
    """(min, max), reported next to medians so noisy runs are visible."""
    return min(values), max(values)


# --- identity: an RSA key, its JWKS over HTTP, and tokens signed with it ---------------------------


@dataclass(frozen=True)
class SigningKey:
    private_pem: bytes
    jwks: dict[str, Any]


def make_signing_key() -> SigningKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwk.update({"kid": KID, "alg": "RS256", "use": "sig"})
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return SigningKey(private_pem=pem, jwks={"keys": [jwk]})


def mint_token(
    key: SigningKey, *, sub: str, roles: Sequence[str], org_id: str = ORG_ID, lifetime: int = 3600
) -> str:
    import jwt

    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": sub,
        "iat": now,
        "nbf": now - 5,
        "exp": now + lifetime,
        "custom:org": org_id,
        "custom:roles": " ".join(roles),
        "email": f"{sub}@bench.argus.invalid",
    }
    return jwt.encode(claims, key.private_pem, algorithm="RS256", headers={"kid": KID})


class JwksServer:
    """Serves ``{"keys": [...]}`` at /.well-known/jwks.json on 127.0.0.1 from a daemon thread."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        body = json.dumps(jwks).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/.well-known/jwks.json"
        self._thread = threading.Thread(target=self._server.serve_forever, name="jwks", daemon=True)

    def __enter__(self) -> JwksServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


# --- moto server in its own process ---------------------------------------------------------------


@contextmanager
def moto_server() -> Iterator[str]:
    """Start ``moto.server`` on 127.0.0.1 on a free port in a separate process; yield its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/moto-api/", timeout=1):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the moto server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def bench_environment(*, endpoint_url: str, jwks_url: str) -> dict[str, str]:
    """The environment of the Lambda under test (settings are read from ``ARGUS_*``)."""
    return {
        "ARGUS_STAGE": "bench",
        "ARGUS_REGION": REGION,
        "ARGUS_TABLE_NAME": TABLE_NAME,
        "ARGUS_AWS_ENDPOINT_URL": endpoint_url,
        "ARGUS_JWT_ISSUER": ISSUER,
        "ARGUS_JWT_AUDIENCE": AUDIENCE,
        "ARGUS_JWKS_URL": jwks_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        # Hermetic: no shared config or credential files of whoever runs the benchmark.
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


@dataclass
class FakeLambdaContext:
    """What Lambda passes as ``context`` (Mangum only puts it in the ASGI scope)."""

    function_name: str = "argus-graphql"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:eu-west-2:123456789012:function:argus-graphql"
    memory_limit_in_mb: int = 1024
    aws_request_id: str = "bench-request"
    log_group_name: str = "/aws/lambda/argus-graphql"
    log_stream_name: str = "bench"
    identity: LambdaCognitoIdentity | None = None
    client_context: LambdaMobileClientContext | None = None

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


LAMBDA_CONTEXT = FakeLambdaContext()


# --- API Gateway HTTP API v2 -------------------------------------------------------------------------


def http_api_event(
    query: str, *, token: str | None, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload format 2.0) event for ``POST /graphql``."""
    headers = {
        "content-type": "application/json",
        "host": "api.bench.argus.invalid",
        "user-agent": "argus-bench",
    }
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    return {
        "version": "2.0",
        "routeKey": "POST /graphql",
        "rawPath": "/graphql",
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "bench",
            "domainName": "api.bench.argus.invalid",
            "domainPrefix": "api",
            "http": {
                "method": "POST",
                "path": "/graphql",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "argus-bench",
            },
            "requestId": "bench-request",
            "routeKey": "POST /graphql",
            "stage": "$default",
            "time": "01/Jan/2026:00:00:00 +0000",
            "timeEpoch": 1767225600000,
        },
        "body": json.dumps({"query": query, "variables": variables or {}}),
        "isBase64Encoded": False,
    }
