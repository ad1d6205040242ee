"""The pynamodb base model of the single table. Every entity is a subclass with its own
discriminator value in ``kind``; repositories return domain models, never these items."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from pynamodb.attributes import DiscriminatorAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from argus.platform.settings import get_settings
from argus.platform.table import TABLE


class GSI1(GlobalSecondaryIndex["ArgusItem"]):
    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class GSI2(GlobalSecondaryIndex["ArgusItem"]):
    class Meta:
        index_name = "GSI2"
        projection = AllProjection()

    GSI2PK = UnicodeAttribute(hash_key=True)
    GSI2SK = UnicodeAttribute(range_key=True)


class ArgusItem(Model):
    """Base of every item in the table."""

    class Meta:
        table_name = "argus"
        region = "eu-west-2"
        host: str | None = None

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute(attr_name=TABLE.discriminator)
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    GSI2PK = UnicodeAttribute(null=True)
    GSI2SK = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    gsi1 = GSI1()
    gsi2 = GSI2()


def _all_subclasses(cls: type[Model]) -> Iterator[type[Model]]:
    yield cls
    for sub in cls.__subclasses__():
        yield from _all_subclasses(sub)


def bind_table() -> None:
    """Point every item model at the table and endpoint of the current settings."""
    settings = get_settings()
    ArgusItem.Meta.table_name = settings.table_name
    ArgusItem.Meta.region = settings.region
    ArgusItem.Meta.host = settings.aws_endpoint_url
    for cls in _all_subclasses(ArgusItem):
        cls._connection = None
    get_connection.cache_clear()


@lru_cache(maxsize=1)
def get_connection() -> Connection:
    """One low-level connection for transactions, shared by the process."""
    settings = get_settings()
    return Connection(region=settings.region, host=settings.aws_endpoint_url, max_retry_attempts=3)


bind_table()
