"""The in-process AWS of the integration and contract suites: moto's ``mock_aws`` with the Argus
table created from the same spec CDK deploys, and the package's settings, clients and table binding
reset so that everything points at it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.models import MockAWS

REGION = "eu-west-2"
TABLE_NAME = "argus-test"
BUS_NAME = "argus-test"


@dataclass
class ArgusAws:
    dynamodb: Any
    table_name: str
    stream_arn: str

    def items(self) -> list[dict[str, Any]]:
        """Every item in the table (tests only: request paths never scan)."""
        found: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"TableName": self.table_name, "ConsistentRead": True}
        while True:
            page = self.dynamodb.scan(**kwargs)
            found += page["Items"]
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def items_of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [item for item in self.items() if item.get("kind", {}).get("S") == kind]

    def client(self, service: str) -> Any:
        return _client(service)


_clients: dict[str, Any] = {}


def _client(service: str) -> Any:
    """A boto3 client of the moto environment (cached for its lifetime: creating clients is slow)."""
    if service not in _clients:
        _clients[service] = boto3.client(service, region_name=REGION)  # type: ignore[call-overload]
    return _clients[service]


def _reset_package() -> None:
    from argus.platform.aws import reset_clients
    from argus.platform.models import bind_table
    from argus.platform.publisher import get_publisher
    from argus.platform.settings import reset_settings

    reset_settings()
    reset_clients()
    get_publisher.cache_clear()
    bind_table()


@contextmanager
def moto_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[MockAWS]:
    """moto in process, with the environment and the package's cached settings, clients and table
    binding pointing at it. Creating botocore clients is the slow part (~0.2 s each, service models
    are parsed per session), so one environment serves a whole module and ``fresh_table`` empties it
    between tests."""
    for name in ("ARGUS_AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    # DynamoDB Streams calls 404 in moto unless account-id endpoints are off (STACK-NOTES).
    monkeypatch.setenv("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")
    monkeypatch.setenv("ARGUS_REGION", REGION)
    monkeypatch.setenv("ARGUS_TABLE_NAME", TABLE_NAME)
    monkeypatch.setenv("ARGUS_EVENT_BUS_NAME", BUS_NAME)
    with mock_aws() as mock:
        _reset_package()
        try:
            yield mock
        finally:
            _clients.clear()
            monkeypatch.undo()
            _reset_package()


def fresh_table(mock: MockAWS) -> ArgusAws:
    """Forget every moto resource, then create the Argus table from its spec."""
    from argus.platform.table import create_table_request

    mock.reset()
    dynamodb = _client("dynamodb")
    created = dynamodb.create_table(**create_table_request(TABLE_NAME))
    return ArgusAws(dynamodb, TABLE_NAME, created["TableDescription"]["LatestStreamArn"])


@contextmanager
def argus_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArgusAws]:
    """A moto environment and a fresh table, for one use."""
    with moto_environment(monkeypatch) as mock:
        yield fresh_table(mock)
