"""Starts and stops the local stack:
moto server → provisioning → uvicorn (GraphQL, JWKS) → poller → demo data."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from argus.consumers import CONSUMERS
from argus.local.issuer import LocalIssuer
from argus.local.provision import Resources, provision
from argus.local.state import StackState, forget_state, write_state
from argus.platform.consumers import ConsumerSpec

REGION = "eu-west-2"
_SERVICES = ("dynamodb", "dynamodbstreams", "events", "sqs", "kms", "s3")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def _quiet_logs() -> None:
    for name in ("werkzeug", "moto", "botocore", "urllib3", "uvicorn.access"):
        logging.getLogger(name).setLevel(logging.WARNING)


@dataclass
class LocalStack:
    """The whole system on loopback. Use as a context manager or call start()/stop()."""

    host: str = "127.0.0.1"
    port: int = 8000
    moto_port: int = 0
    consumers: tuple[ConsumerSpec, ...] = CONSUMERS
    seed: bool = True
    table_name: str = "argus"
    bus_name: str = "argus"
    resources: Resources | None = field(default=None, init=False)
    issuer: LocalIssuer | None = field(default=None, init=False)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    @property
    def websocket_url(self) -> str:
        return f"ws://{self.host}:{self.port}/graphql"

    @property
    def moto_url(self) -> str:
        return f"http://{self.host}:{self.moto_port}"

    def start(self) -> LocalStack:
        _quiet_logs()
        if self.port == 0:
            self.port = free_port(self.host)
        if self.moto_port == 0:
            self.moto_port = free_port(self.host)
        self._configure_environment()
        self._start_moto()
        self.clients = self._clients()
        self.resources = provision(
            self.clients, table_name=self.table_name, bus_name=self.bus_name, consumers=self.consumers
        )
        # The buckets' names come from provisioning (their prefix may differ from the default).
        os.environ["ARGUS_MEDIA_BUCKET"] = self.resources.buckets["media"]
        os.environ["ARGUS_QUARANTINE_BUCKET"] = self.resources.buckets["quarantine"]
        reset_process_caches()
        self.issuer = LocalIssuer(self.base_url)
        # Before the server answers: `argus token` must never find the state of an earlier stack.
        write_state(self.state())
        self._start_server()
        self._start_poller()
        if self.seed:
            from argus.local.seed import seed_demo

            seed_demo()
        return self

    def stop(self) -> None:
        if getattr(self, "_poller", None):
            self._poller.stop()
        if getattr(self, "_server", None):
            self._server.should_exit = True
            self._server_thread.join(timeout=10)
        if getattr(self, "_moto", None):
            self._moto.stop()
        if self.issuer is not None:
            forget_state(self.state())

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def token(self, org: str, roles: list[str], **kwargs: Any) -> str:
        assert self.issuer is not None, "start the stack first"
        return self.issuer.token(org, roles, **kwargs)

    # -- steps ----------------------------------------------------------------------------------
    def _configure_environment(self) -> None:
        os.environ.update(
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_SESSION_TOKEN="testing",
            AWS_DEFAULT_REGION=REGION,
            AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
            ARGUS_STAGE="local",
            ARGUS_REGION=REGION,
            ARGUS_AWS_ENDPOINT_URL=self.moto_url,
            ARGUS_TABLE_NAME=self.table_name,
            ARGUS_EVENT_BUS_NAME=self.bus_name,
            ARGUS_JWT_ISSUER=self.base_url,
            ARGUS_JWT_AUDIENCE="argus",
        )
        os.environ.pop("ARGUS_JWKS_URL", None)
        reset_process_caches()

    def _start_moto(self) -> None:
        from moto.server import ThreadedMotoServer

        from argus.local import moto_patches

        moto_patches.install()
        self._moto = ThreadedMotoServer(ip_address=self.host, port=self.moto_port, verbose=False)
        self._moto.start()

    def _clients(self) -> dict[str, Any]:
        import boto3
        from botocore.config import Config

        session = boto3.session.Session(region_name=REGION)
        # The poller's threads (one per queue, each long polling) share these clients.
        config = Config(max_pool_connections=64)
        clients: dict[str, Any] = {
            s: session.client(s, endpoint_url=self.moto_url, config=config)  # type: ignore[call-overload]
            for s in _SERVICES
        }
        clients["region"] = REGION
        return clients

    def _start_server(self) -> None:
        import uvicorn

        from argus.local.app import build_app

        assert self.issuer is not None
        config = uvicorn.Config(
            build_app(self.issuer),
            host=self.host,
            port=self.port,
            log_level="warning",
            ws="websockets-sansio",
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._server_thread = threading.Thread(target=self._server.run, name="argus-uvicorn", daemon=True)
        self._server_thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._server_thread.is_alive():
                raise RuntimeError("the local GraphQL server did not start")
            time.sleep(0.02)

    def _start_poller(self) -> None:
        from argus.api.live import sqs_live_handler
        from argus.local.housekeeping import Housekeeping
        from argus.local.poller import Poller

        assert self.resources is not None
        self._poller = Poller(
            self.clients,
            self.resources,
            self.consumers,
            live_handler=sqs_live_handler,
            housekeeping=Housekeeping(self.resources.stream_arn),
        )
        self._poller.start()

    def state(self) -> StackState:
        assert self.issuer is not None, "start the stack first"
        return StackState(
            issuer=self.base_url, graphql=self.graphql_url, moto=self.moto_url, kid=self.issuer.kid
        )


def reset_process_caches() -> None:
    """Forget everything cached from an earlier environment (settings, clients, models, verifier)."""
    from argus.platform.auth.verifier import get_verifier
    from argus.platform.aws import reset_clients
    from argus.platform.models import bind_table
    from argus.platform.publisher import get_publisher
    from argus.platform.settings import reset_settings

    reset_settings()
    reset_clients()
    bind_table()
    get_verifier.cache_clear()
    get_publisher.cache_clear()
