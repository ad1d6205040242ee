"""Pattern events against the standards: every event a run emits (requested, detected, completed, failed on
the pattern job's last attempt, and the nightly schedule's requests) validates against its catalogue schema
and the CloudEvents schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argus.consumers import PATTERN_JOB
from argus.handlers import pattern_job, pattern_schedule
from argus.local import moto_patches
from argus.organisations import service as organisations
from argus.patterns import events, job, service
from argus.platform import clock
from argus.platform.auth.principal import Role
from argus.platform.cloudevents import parse_event
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from tests.contract.conftest import EVENTS_DIR, load_standard
from tests.contract.test_incidents_contract import _errors
from tests.factories.events import sqs_event
from tests.factories.organisations import organisation_draft
from tests.factories.patterns import planted_city, save_items
from tests.factories.principals import ORG, admin, principal
from tests.fakes.aws import ArgusAws

AS_OF = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)


class QueryError(Exception):
    pass


def _read_fails(*args: object, **kwargs: object) -> object:
    raise QueryError("the incidents could not be read")


@pytest.fixture
def moto_as_in_the_local_stack() -> Iterator[None]:
    with moto_patches.installed():
        yield


def test_every_emitted_pattern_event_validates(
    aws: ArgusAws, shared_dir: Path, monkeypatch: pytest.MonkeyPatch, moto_as_in_the_local_stack: None
) -> None:
    cloudevents_schema = load_standard("cloudevents-1.0", "spec", "cloudevents.json")
    with clock.use_clock(clock.FixedClock(AS_OF)):
        organisations.create_organisation(admin(org=ORG), organisation_draft(slug=ORG, name="Org"))
        save_items(planted_city(AS_OF, n=2000), ORG)
        run = service.request_run(principal(Role.ANALYST, sub="analyst-1"), 12)
        job.perform(ORG, run.id)
        (nightly,) = pattern_schedule.handler({"scheduledTime": "2026-03-03T02:00:00Z"}, None)["requested"]
        # the nightly run fails on the pattern job's last attempt
        (request,) = [
            json.loads(item["event"]["S"])
            for item in aws.items_of_kind("outbox")
            if json.loads(item["event"]["S"])["subject"] == nightly
        ]
        monkeypatch.setattr(job, "read_points", _read_fails)
        last = sqs_event(json.dumps({"detail": request}), receive_count=PATTERN_JOB.max_receive_count)
        with pytest.raises(BatchProcessingError):
            pattern_job.handler(last, None)
    documents = [
        json.loads(item["event"]["S"])
        for item in aws.items_of_kind("outbox")
        if json.loads(item["event"]["S"])["type"] in events.ALL_TYPES
    ]
    assert {d["type"] for d in documents} == set(events.ALL_TYPES)
    assert len([d for d in documents if d["type"] == events.PATTERN_RUN_REQUESTED]) == 2
    for document in documents:
        schema = json.loads((EVENTS_DIR / f"{document['type']}.schema.json").read_text(encoding="utf-8"))
        assert _errors(document, schema) == [], document["type"]
        assert _errors(document, cloudevents_schema) == [], document["type"]
        parse_event(document)
