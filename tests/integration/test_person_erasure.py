"""A person's erasure reaches every copy Argus controls: an administrator's ``erasePerson`` deletes their
profile and emits the erasure event; the consumers then erase their watch memberships, delete every
version of the media they uploaded (media of an incident referred to the police is kept as evidence,
under a pseudonym) and pseudonymise the audit trail. What is kept is exactly what docs/retention.md
lists: the incidents they reported and their timelines (police records), and the outbox copy of events
until its TTL. Every consumer is idempotent and leaves nothing half-done when it fails part way."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from argus.api.context import ArgusContext
from argus.api.graphql import schema
from argus.audit import service as audit_service
from argus.handlers import audit as audit_handler
from argus.handlers import incident_media, incident_media_erasure, watch_erasure
from argus.incidents.media import erasure as media_erasure
from argus.incidents.media import service as media
from argus.incidents.media.policy import media_key, quarantine_key
from argus.incidents.service import reports
from argus.organisations import service as organisations
from argus.organisations.events import PERSON_ERASURE_REQUESTED
from argus.platform import keys
from argus.platform.auth.principal import Principal, Role
from argus.watch.service import members
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from tests.factories.events import eventbridge_envelope, sqs_event
from tests.factories.principals import admin, principal
from tests.fakes.aws import ArgusAws
from tests.integration.incidents.media_support import (
    MEDIA_BUCKET,
    QUARANTINE_BUCKET,
    every_version,
    post,
    provision_buckets,
)
from tests.integration.incidents.support import in_block, indexed_group, officer
from tests.integration.incidents.support import report_input as incident_input
from tests.integration.watch.support import CONSENT, enrolment, outbox_events
from tests.unit.incidents.test_sanitise_samples import jpeg_with_gps, png_with_text

PERSON = "5d0c1a77-2f4e-4b1a-9d3c-8e6f0a2b4c71"
ERASE = """
mutation($sub: ID!) { erasePerson(sub: $sub) { pseudonym requestedAt } }
"""
# What keeps the person's subject id after their erasure, and why (docs/retention.md): the incidents
# they reported and their timelines are police records; the outbox copy of each event expires (TTL).
KEPT_KINDS = {"incident", "incident-timeline", "outbox"}


@pytest.fixture(scope="module", autouse=True)
def moto_as_in_the_local_stack(moto_as_in_the_local_stack: None) -> None:
    """Watch, incidents and audit together write a lot: the local stack's moto (see conftest)."""


def person(role: Role = Role.MEMBER) -> Principal:
    return principal(role, sub=PERSON)


def deliver(aws: ArgusAws, handler: Any, *documents: dict[str, Any]) -> dict[str, Any]:
    """Hand events to a consumer's Lambda handler as SQS delivers EventBridge's envelopes."""
    bodies = [json.dumps(eventbridge_envelope(d)) for d in documents]
    response: dict[str, Any] = handler.handler(sqs_event(*bodies), None)
    return response


@dataclass
class World:
    """The person's footprint before erasure, and what must survive it."""

    mine: list[tuple[str, str]]  # (incident, media) the person uploaded to an unreferred incident
    evidence: tuple[str, str]  # (incident, media) the person uploaded to a referred incident
    officers: tuple[str, str]  # (incident, media) an officer uploaded to the person's incident
    pending: tuple[str, str]  # an upload posted but never confirmed


def upload(aws: ArgusAws, who: Principal, incident_id: str, data: bytes, content_type: str) -> str:
    ticket = media.request_upload(who, incident_id, content_type, len(data))
    assert post(ticket, data).status_code == 204
    media.confirm_upload(who, incident_id, ticket.media.id)
    (document,) = [
        d
        for d in outbox_events(aws, "org.argus.incident.media-uploaded.v1")
        if d["data"]["mediaId"] == ticket.media.id
    ]
    assert deliver(aws, incident_media, document) == {"batchItemFailures": []}
    return ticket.media.id


@pytest.fixture
def world(aws: ArgusAws) -> World:
    provision_buckets(aws)
    group, blocks = indexed_group(aws)
    # The person is a member of a block, with an email address they consented to
    members.add_member(
        officer(),
        enrolment(
            group,
            blocks[0],
            "Ama Mensah",
            12,
            channels=[{"channel": "email", "address": "ama@example.org", "consent_wording": CONSENT}],
        ),
        member_sub=PERSON,
    )
    # They reported two incidents and attached photos; one incident went to the police
    first = reports.report(person(), incident_input(*in_block(blocks[0])))
    second = reports.report(person(), incident_input(*in_block(blocks[1])))
    mine = [
        (first.id, upload(aws, person(), first.id, jpeg_with_gps(), "image/jpeg")),
        (first.id, upload(aws, person(), first.id, png_with_text(), "image/png")),
    ]
    evidence = (second.id, upload(aws, person(), second.id, jpeg_with_gps(), "image/jpeg"))
    reports.triage(officer(), second.id, "Forced entry confirmed")
    reports.refer(officer(), second.id, "NS/2026/04417", "Burglary dwelling")
    officers = (first.id, upload(aws, officer(), first.id, png_with_text(), "image/png"))
    ticket = media.request_upload(person(), first.id, "image/jpeg", len(jpeg_with_gps()))
    assert post(ticket, jpeg_with_gps()).status_code == 204
    # Everything so far is in the audit trail
    assert deliver(aws, audit_handler, *outbox_events(aws)) == {"batchItemFailures": []}
    return World(mine, evidence, officers, (first.id, ticket.media.id))


async def request_erasure(aws: ArgusAws, who: Principal, sub: str = PERSON) -> dict[str, Any]:
    result = await schema.execute(
        ERASE, variable_values={"sub": sub}, context_value=ArgusContext(principal=who)
    )
    return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}


def erasure_event(aws: ArgusAws) -> dict[str, Any]:
    (document,) = outbox_events(aws, PERSON_ERASURE_REQUESTED)
    return document


def items_naming(aws: ArgusAws, sub: str) -> list[dict[str, Any]]:
    return [item for item in aws.items() if sub in json.dumps(item)]


def audit_records(aws: ArgusAws) -> list[dict[str, Any]]:
    return aws.items_of_kind("audit")


def objects_of(s3: Any, org: str, incident_id: str, media_id: str) -> list[tuple[str, str]]:
    return every_version(s3, QUARANTINE_BUCKET, quarantine_key(org, incident_id, media_id)) + every_version(
        s3, MEDIA_BUCKET, media_key(org, incident_id, media_id)
    )


async def test_erasure_reaches_every_copy_and_keeps_only_what_is_documented(
    aws: ArgusAws, world: World
) -> None:
    s3 = aws.client("s3")
    org = officer().org_id
    # Given the person's records, memberships, media and audit trail
    by_person = [r for r in audit_records(aws) if r.get("actor", {}).get("S") == PERSON]
    assert len(by_person) >= 8 and all(objects_of(s3, org, *m) for m in world.mine)
    # When an administrator erases the person and each consumer receives the event
    answer = await request_erasure(aws, admin())
    assert answer["errors"] == []
    pseudonym = answer["data"]["erasePerson"]["pseudonym"]
    document = erasure_event(aws)
    assert document["data"] == {"person": PERSON, "pseudonym": pseudonym, "actor": admin().sub}
    for handler in (watch_erasure, incident_media_erasure, audit_handler):
        assert deliver(aws, handler, document) == {"batchItemFailures": []}
    # Then no media of theirs remains in any version, nor its item (the unconfirmed upload included)
    for incident_id, media_id in [*world.mine, world.pending]:
        assert objects_of(s3, org, incident_id, media_id) == []
    media_items = {i["media_id"]["S"]: i for i in aws.items_of_kind("incident-media")}
    assert set(media_items) == {world.evidence[1], world.officers[1]}
    # And the evidence of the referred incident is kept, naming the uploader by the pseudonym only
    assert media_items[world.evidence[1]]["uploaded_by"]["S"] == pseudonym
    assert "GSI1PK" not in media_items[world.evidence[1]]
    assert objects_of(s3, org, *world.evidence) == [(media_key(org, *world.evidence), "version")]
    assert objects_of(s3, org, *world.officers) == [(media_key(org, *world.officers), "version")]
    # And the audit trail names them by the pseudonym: the records are all still there
    records = audit_records(aws)
    assert [r for r in records if PERSON in json.dumps(r)] == []
    assert len([r for r in records if r.get("actor", {}).get("S") == pseudonym]) == len(by_person)
    [erasure_record] = [r for r in records if r["event_type"]["S"] == PERSON_ERASURE_REQUESTED]
    assert erasure_record["actor"]["S"] == admin().sub
    assert json.loads(erasure_record["data"]["S"])["person"] == pseudonym
    # And their membership is erased (name, contacts, account), the household address with it
    [member] = aws.items_of_kind("watch-member")
    assert member["display_name"]["S"] == members.ERASED_NAME and "sub" not in member
    assert "ama@example.org" not in json.dumps(aws.items())
    # And the only items that still carry their subject id are the documented ones
    assert {i["kind"]["S"] for i in items_naming(aws, PERSON)} == KEPT_KINDS
    assert not [i for i in aws.items() if i["PK"]["S"] == keys.person_refs_pk(org, PERSON)]


async def test_an_erased_staff_member_leaves_the_staff_list(aws: ArgusAws) -> None:
    # Given an officer registered with their name and email
    organisations.add_staff_member(
        admin(),
        {
            "sub": PERSON,
            "display_name": "PC Ama Mensah",
            "email": "a.mensah@example.org",
            "roles": ["officer"],
        },
    )
    assert [u.sub for u in organisations.list_staff(admin(), 10, None).items] == [PERSON]
    # When they are erased
    answer = await request_erasure(aws, admin())
    assert answer["errors"] == []
    # Then their profile is gone, with their name and email
    assert organisations.list_staff(admin(), 10, None).items == []
    assert organisations.my_profile(person(Role.OFFICER)) is None
    assert "a.mensah@example.org" not in json.dumps(aws.items())


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.OFFICER, Role.ANALYST, Role.MEMBER])
async def test_only_administrators_erase_and_a_refusal_writes_nothing(aws: ArgusAws, role: Role) -> None:
    before = sorted(map(str, aws.items()))
    # When anyone but an administrator asks, or an administrator names no valid subject id
    refused = await request_erasure(aws, principal(role, sub="someone-else"))
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    malformed = await request_erasure(aws, admin(), sub="two words")
    assert [e["extensions"]["code"] for e in malformed["errors"]] == ["BAD_USER_INPUT"]
    # Then nothing is written
    assert sorted(map(str, aws.items())) == before


async def _erase(aws: ArgusAws) -> dict[str, Any]:
    answer = await request_erasure(aws, admin())
    assert answer["errors"] == []
    return erasure_event(aws)


async def test_a_redelivered_erasure_changes_nothing(aws: ArgusAws, world: World) -> None:
    # Given an erasure every consumer has handled
    document = await _erase(aws)
    for handler in (watch_erasure, incident_media_erasure, audit_handler):
        assert deliver(aws, handler, document) == {"batchItemFailures": []}
    after = sorted(map(str, aws.items()))
    # When the event is delivered again, nothing changes
    for handler in (watch_erasure, incident_media_erasure, audit_handler):
        assert deliver(aws, handler, document) == {"batchItemFailures": []}
    assert sorted(map(str, aws.items())) == after


async def test_media_erasure_that_fails_part_way_leaves_each_item_whole_and_a_retry_finishes(
    aws: ArgusAws, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3 = aws.client("s3")
    org = officer().org_id
    document = await _erase(aws)
    real = media_erasure.delete_objects
    calls = []

    def dies_on_the_second(media_item: Any) -> None:
        calls.append(media_item.id)
        if len(calls) == 2:
            raise ConnectionError("S3 went away")
        real(media_item)

    # Given the eraser dies while deleting the second of the person's uploads
    monkeypatch.setattr(media_erasure, "delete_objects", dies_on_the_second)
    with pytest.raises(BatchProcessingError):  # a batch whose every record failed: Lambda retries it
        deliver(aws, incident_media_erasure, document)
    # Then the first is wholly gone and every other one wholly there (objects and item)
    items = {i["media_id"]["S"] for i in aws.items_of_kind("incident-media")}
    for incident_id, media_id in [*world.mine, world.pending]:
        gone = media_id == calls[0]
        assert (media_id not in items) == gone
        assert (objects_of(s3, org, incident_id, media_id) == []) == gone
    # When the event is delivered again
    monkeypatch.setattr(media_erasure, "delete_objects", real)
    assert deliver(aws, incident_media_erasure, document) == {"batchItemFailures": []}
    # Then everything of theirs is gone
    items = {i["media_id"]["S"] for i in aws.items_of_kind("incident-media")}
    assert items == {world.evidence[1], world.officers[1]}
    for incident_id, media_id in [*world.mine, world.pending]:
        assert objects_of(s3, org, incident_id, media_id) == []


async def test_audit_pseudonymisation_that_fails_part_way_leaves_each_record_whole_and_a_retry_finishes(
    aws: ArgusAws, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = officer().org_id
    document = await _erase(aws)
    monkeypatch.setattr(audit_service, "CHUNK", 2)
    real = audit_service.store.get_records
    calls = []

    def dies_on_the_third(org_id: str, sks: list[str]) -> Any:
        calls.append(sks)
        if len(calls) == 3:
            raise ConnectionError("DynamoDB went away")
        return real(org_id, sks)

    # Given the audit consumer dies on its third chunk of records
    monkeypatch.setattr(audit_service.store, "get_records", dies_on_the_third)
    with pytest.raises(BatchProcessingError):
        deliver(aws, audit_handler, document)
    # Then each record naming the person is either pseudonymised with its locator gone, or untouched
    # with its locator still there; the erasure itself is not yet recorded
    pseudonym = document["data"]["pseudonym"]
    refs = {i["record_sk"]["S"] for i in aws.items() if i["PK"]["S"] == keys.person_refs_pk(org, PERSON)}
    done = untouched = 0
    for record in audit_records(aws):
        actor = record.get("actor", {}).get("S")
        if actor == pseudonym:
            assert record["SK"]["S"] not in refs and PERSON not in json.dumps(record)
            done += 1
        elif actor == PERSON:
            assert record["SK"]["S"] in refs
            untouched += 1
    assert done == 4 and untouched > 0
    assert not [r for r in audit_records(aws) if r["event_type"]["S"] == PERSON_ERASURE_REQUESTED]
    # When the event is delivered again, the rest is done
    monkeypatch.setattr(audit_service.store, "get_records", real)
    assert deliver(aws, audit_handler, document) == {"batchItemFailures": []}
    assert [r for r in audit_records(aws) if PERSON in json.dumps(r)] == []
    assert not [i for i in aws.items() if i["PK"]["S"] == keys.person_refs_pk(org, PERSON)]
