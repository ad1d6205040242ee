"""Event consumers: each runs once per event id, and the audit consumer records events from SQS with
partial batch failures."""

from __future__ import annotations

import json
from typing import Any

import pytest
from argus.audit import service as audit_service
from argus.handlers.audit import handler as audit_handler
from argus.organisations.store import SlugItem
from argus.platform import keys
from argus.platform.cloudevents import CloudEvent, to_dict
from argus.platform.consumers import event_from_sqs_body, handle_once
from argus.platform.outbox import UnitOfWork

from tests.factories.events import cloudevent, sqs_body, sqs_event
from tests.factories.principals import admin
from tests.fakes.aws import ArgusAws


class CountingHandler:
    """A consumer handler that writes one item per event through the unit of work."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, event: CloudEvent, uow: UnitOfWork) -> None:
        self.calls.append(event.get_id())
        uow.put(SlugItem(PK=f"PROBE#{event.get_id()}", SK="PROBE", org_id=event.get_extension("orgid")))


def probes(aws: ArgusAws) -> list[dict[str, Any]]:
    return [i for i in aws.items() if i["PK"]["S"].startswith("PROBE#")]


def test_a_redelivered_event_changes_nothing(aws: ArgusAws) -> None:
    # Given a consumer handler and an event
    handler = CountingHandler()
    event = cloudevent()
    # When the event is delivered twice
    first = handle_once("probe", event, handler)
    second = handle_once("probe", event, handler)
    # Then the first delivery ran and the second was skipped: the writes exist once
    assert (first, second) == (True, False)
    assert len(probes(aws)) == 1
    [marker] = [i for i in aws.items() if i["kind"]["S"] == "processed-event"]
    assert marker["PK"]["S"] == keys.processed_pk("northshire", "probe")
    assert marker["SK"]["S"] == keys.processed_sk(event.get_id())
    assert marker["event_type"]["S"] == event.get_type()
    assert "expires_at" in marker


def test_each_event_id_and_each_consumer_runs_once(aws: ArgusAws) -> None:
    handler = CountingHandler()
    one, two = cloudevent(), cloudevent()
    assert [handle_once("probe", e, handler) for e in (one, two, one, two)] == [True, True, False, False]
    # another consumer of the same event has its own marker
    assert handle_once("other-consumer", one, CountingHandler()) is True
    assert len([i for i in aws.items() if i["kind"]["S"] == "processed-event"]) == 3


def test_a_redelivered_event_does_not_call_the_handler_again(aws: ArgusAws) -> None:
    handler = CountingHandler()
    event = cloudevent()
    handle_once("probe", event, handler)
    handle_once("probe", event, handler)
    assert handler.calls == [event.get_id()]


def test_a_redelivered_event_is_skipped_even_when_its_handler_deletes(aws: ArgusAws) -> None:
    # Given a handler that removes an item (as a consumer cleaning up a projection would)
    def deleting_handler(event: CloudEvent, uow: UnitOfWork) -> None:
        uow.delete(SlugItem(PK="PROBE#projection", SK="PROBE", org_id="northshire"))

    event = cloudevent()
    assert handle_once("cleaner", event, deleting_handler) is True
    # When the same event comes again, Then it is recognised as a duplicate
    assert handle_once("cleaner", event, deleting_handler) is False


def test_handler_writes_and_marker_fail_together(aws: ArgusAws) -> None:
    # Given a handler whose own write cannot be saved (it writes the same key twice)
    def broken(event: CloudEvent, uow: UnitOfWork) -> None:
        item = SlugItem(PK="PROBE#twice", SK="PROBE", org_id="northshire")
        uow.put(item)
        uow.put(item)

    # When it handles an event, Then it fails and not even the processed marker is written,
    # so a retry will run it again
    with pytest.raises(Exception):  # noqa: B017 - the outbox raises Internal
        handle_once("broken", cloudevent(), broken)
    assert aws.items() == []


def test_the_cloudevent_is_read_from_the_eventbridge_envelope() -> None:
    event = cloudevent()
    parsed = event_from_sqs_body(sqs_body(event))
    assert to_dict(parsed) == to_dict(event)


# --- the audit consumer -------------------------------------------------------------------------------


def test_the_audit_consumer_records_each_event_and_reports_no_failures(aws: ArgusAws) -> None:
    # Given two events of northshire delivered by SQS in EventBridge envelopes
    created = cloudevent(
        "org.argus.organisation.created.v2", data={"actor": "user-admin", "organisation": {}}
    )
    updated = cloudevent(data={"actor": "user-7", "changed": ["name"]})
    # When the audit Lambda handles the batch
    response = audit_handler(sqs_event(sqs_body(created), sqs_body(updated)), None)
    # Then nothing failed and both are in the organisation's audit trail, newest first
    assert response == {"batchItemFailures": []}
    trail = audit_service.audit_trail(admin(), 10, None)
    assert [(r.event_id, r.event_type, r.actor) for r in trail.items] == [
        (updated.get_id(), updated.get_type(), "user-7"),
        (created.get_id(), created.get_type(), "user-admin"),
    ]
    assert trail.items[0].data == {"actor": "user-7", "changed": ["name"]}
    assert trail.items[0].subject == "northshire"
    assert all(i["PK"]["S"] == keys.audit_pk("northshire") for i in aws.items_of_kind("audit"))


def test_a_redelivered_message_is_recorded_once(aws: ArgusAws) -> None:
    event = cloudevent()
    body = sqs_body(event)
    assert audit_handler(sqs_event(body), None) == {"batchItemFailures": []}
    assert audit_handler(sqs_event(body), None) == {"batchItemFailures": []}
    assert len(aws.items_of_kind("audit")) == 1


def test_malformed_records_are_reported_and_the_good_ones_recorded(aws: ArgusAws) -> None:
    # Given a batch mixing good events with a non-JSON body, an envelope without detail,
    # an invalid CloudEvent and an event without an organisation
    good_one, good_two = cloudevent(), cloudevent()
    no_org = to_dict(cloudevent())
    del no_org["orgid"]
    invalid = {**to_dict(cloudevent()), "specversion": "0.3"}
    batch = sqs_event(
        sqs_body(good_one),
        "this is not json",
        json.dumps({"version": "0", "detail-type": "x", "source": "argus.organisation"}),
        sqs_body(invalid),
        sqs_body(no_org),
        sqs_body(good_two),
    )
    # When the audit Lambda handles it
    response = audit_handler(batch, None)
    # Then exactly the bad messages are reported for retry, by message id
    assert response == {"batchItemFailures": [{"itemIdentifier": f"message-{n}"} for n in (1, 2, 3, 4)]}
    # And the good events are recorded
    recorded = {i["event_id"]["S"] for i in aws.items_of_kind("audit")}
    assert recorded == {good_one.get_id(), good_two.get_id()}


def test_audit_records_stay_in_their_organisation(aws: ArgusAws) -> None:
    audit_handler(sqs_event(sqs_body(cloudevent(org="southvale"))), None)
    assert list(audit_service.audit_trail(admin(), 10, None).items) == []
    assert len(audit_service.audit_trail(admin(org="southvale"), 10, None).items) == 1


def test_every_declared_consumer_is_served_by_its_handler() -> None:
    import importlib

    from argus.consumers import CONSUMERS

    for spec in CONSUMERS:
        module = importlib.import_module(spec.handler_module)
        handler = getattr(module, spec.handler_function)
        assert handler.consumer is spec, spec.name
