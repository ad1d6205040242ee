"""The transactional outbox: a state change and the CloudEvents describing it commit in one
DynamoDB ``TransactWriteItems``. The table stream carries the outbox items to the relay
(``argus.handlers.outbox_relay``), which puts them on EventBridge."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from argus.platform import clock, keys
from argus.platform.cloudevents import CloudEvent, to_json
from argus.platform.errors import ArgusError, Conflict, Internal
from argus.platform.models import ArgusItem, get_connection
from argus.platform.observability import logger
from argus.platform.table import TABLE

# Outbox items only need to live until the stream has carried them (24 h retention on AWS).
OUTBOX_RETENTION = timedelta(days=7)
MAX_TRANSACTION_ITEMS = 100
_CONDITION_CHECK, _DELETE, _PUT, _UPDATE = range(4)


class OutboxItem(ArgusItem, discriminator=TABLE.outbox_kind):
    """One CloudEvent waiting in the table for the relay."""

    event_type = UnicodeAttribute()
    org_id = UnicodeAttribute()
    event = UnicodeAttribute()  # the structured-mode JSON of the CloudEvent

    @classmethod
    def for_event(cls, event: CloudEvent) -> OutboxItem:
        org_id = event.get_extension("orgid")
        return cls(
            PK=keys.outbox_pk(org_id, event.get_id()),
            SK=keys.OUTBOX_SK,
            event_type=event.get_type(),
            org_id=org_id,
            event=to_json(event),
            expires_at=clock.now() + OUTBOX_RETENTION,
        )


@dataclass
class _Operation:
    apply: Callable[[TransactWrite], None]
    on_condition_failed: ArgusError | None
    # pynamodb sends condition checks, then deletes, puts and updates; DynamoDB's cancellation
    # reasons follow that order, so operations are matched to reasons after a stable sort on it.
    order: int


@dataclass
class UnitOfWork:
    """Collects writes and events, then commits them all or nothing.

    Each conditional write may name the error to raise when its condition is what cancelled the
    transaction (a duplicate slug is a CONFLICT, a stale version another)."""

    _operations: list[_Operation] = field(default_factory=list)
    events: list[CloudEvent] = field(default_factory=list)

    def put(
        self,
        item: ArgusItem,
        *,
        condition: Condition | None = None,
        on_condition_failed: ArgusError | None = None,
    ) -> None:
        self._operations.append(
            _Operation(lambda tx: tx.save(item, condition=condition), on_condition_failed, _PUT)
        )

    def update(
        self,
        item: ArgusItem,
        actions: list[Any],
        *,
        condition: Condition | None = None,
        on_condition_failed: ArgusError | None = None,
    ) -> None:
        self._operations.append(
            _Operation(lambda tx: tx.update(item, actions, condition=condition), on_condition_failed, _UPDATE)
        )

    def delete(
        self,
        item: ArgusItem,
        *,
        condition: Condition | None = None,
        on_condition_failed: ArgusError | None = None,
    ) -> None:
        self._operations.append(
            _Operation(lambda tx: tx.delete(item, condition=condition), on_condition_failed, _DELETE)
        )

    def condition_check(
        self,
        model: type[ArgusItem],
        hash_key: str,
        range_key: str,
        condition: Condition,
        on_condition_failed: ArgusError,
    ) -> None:
        self._operations.append(
            _Operation(
                lambda tx: tx.condition_check(model, hash_key, range_key, condition=condition),
                on_condition_failed,
                _CONDITION_CHECK,
            )
        )

    def emit(self, event: CloudEvent) -> None:
        """Publish ``event`` if, and only if, the rest of this unit of work commits."""
        self.events.append(event)
        self._operations.append(
            _Operation(
                lambda tx: tx.save(OutboxItem.for_event(event), condition=OutboxItem.PK.does_not_exist()),
                None,
                _PUT,
            )
        )

    def commit(self) -> None:
        """Write everything in one transaction. Raises the registered error of the first failed
        condition, Conflict for a concurrent transaction, Internal for anything else."""
        if not self._operations:
            return
        if len(self._operations) > MAX_TRANSACTION_ITEMS:
            raise Internal("Too many writes for one transaction.")
        operations = sorted(self._operations, key=lambda op: op.order)
        try:
            with TransactWrite(connection=get_connection()) as tx:
                for op in operations:
                    op.apply(tx)
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons or []
            for op, reason in zip(operations, reasons, strict=False):
                if reason is not None and reason.code == "ConditionalCheckFailed":
                    raise op.on_condition_failed or Conflict(
                        "The change conflicts with existing data."
                    ) from None
            if any(r is not None and r.code == "TransactionConflict" for r in reasons):
                raise Conflict("Another change to the same data is in progress; try again.") from None
            logger.exception("transaction failed")
            raise Internal("The change could not be saved.") from None
