"""The single table's specification: the one source used by CDK (infra/) and the local stack."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IndexSpec:
    name: str
    partition_key: str
    sort_key: str


@dataclass(frozen=True)
class TableSpec:
    partition_key: str = "PK"
    sort_key: str = "SK"
    indexes: tuple[IndexSpec, ...] = field(default_factory=tuple)
    ttl_attribute: str = "expires_at"
    stream_view: str = "NEW_IMAGE"
    # Items with this discriminator value are the outbox: the only ones the relay reads from the stream.
    discriminator: str = "kind"
    outbox_kind: str = "outbox"

    @property
    def attribute_names(self) -> list[str]:
        names = [self.partition_key, self.sort_key]
        for index in self.indexes:
            names += [index.partition_key, index.sort_key]
        return list(dict.fromkeys(names))


TABLE = TableSpec(
    indexes=(
        IndexSpec("GSI1", "GSI1PK", "GSI1SK"),
        IndexSpec("GSI2", "GSI2PK", "GSI2SK"),
    )
)


def create_table_request(table_name: str, spec: TableSpec = TABLE) -> dict[str, object]:
    """The DynamoDB ``CreateTable`` request for ``spec`` (used by the local stack and tests;
    CDK builds the same table from the same spec)."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in spec.attribute_names],
        "KeySchema": [
            {"AttributeName": spec.partition_key, "KeyType": "HASH"},
            {"AttributeName": spec.sort_key, "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition_key, "KeyType": "HASH"},
                    {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in spec.indexes
        ],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": spec.stream_view},
        "SSESpecification": {"Enabled": True, "SSEType": "KMS"},
    }
