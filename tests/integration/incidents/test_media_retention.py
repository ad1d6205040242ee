"""Media that is deleted is really gone: on the buckets as the local stack provisions them (the media
bucket versioned, as CDK deploys it), no original upload survives sanitising or rejection in any
version, and no delete marker is left behind a deletion."""

from __future__ import annotations

import json
from typing import Any

import pytest
from argus.buckets import BUCKETS, lifecycle_configuration
from argus.handlers import incident_media
from argus.incidents.media import events as media_events
from argus.incidents.media import service
from argus.incidents.media import store as media_store
from argus.incidents.media.model import MediaStatus
from argus.incidents.media.policy import media_key
from argus.incidents.model import Incident
from argus.incidents.service import reports
from argus.platform.errors import BadUserInput
from argus.platform.outbox import UnitOfWork

from tests.factories.events import eventbridge_envelope, sqs_event
from tests.fakes.aws import ArgusAws
from tests.integration.incidents.media_support import (
    MEDIA_BUCKET,
    QUARANTINE_BUCKET,
    every_version,
    post,
    provision_buckets,
)
from tests.integration.incidents.support import in_block, indexed_group, member
from tests.integration.incidents.support import report_input as incident_input
from tests.integration.watch.support import outbox_events
from tests.unit.incidents.test_sanitise_samples import jpeg_with_gps

# The camera maker in the sample's EXIF: the bytes appear as they are in the original, never in a clean file.
EXIF_MARKER = b"PhoneMaker"


@pytest.fixture(params=["as deployed", "quarantine versioned by hand"])
def s3(aws: ArgusAws, request: pytest.FixtureRequest) -> Any:
    """The buckets from the catalogue; the second case turns versioning on for quarantine too, to show
    that the code deletes every version whatever the bucket's setting."""
    client = provision_buckets(aws)
    if request.param != "as deployed":
        client.put_bucket_versioning(Bucket=QUARANTINE_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return client


@pytest.fixture
def incident(aws: ArgusAws, s3: Any) -> Incident:
    _, blocks = indexed_group(aws)
    return reports.report(member(), incident_input(*in_block(blocks[0])))


def sanitise(aws: ArgusAws, media_id: str) -> None:
    (document,) = [
        d for d in outbox_events(aws, media_events.MEDIA_UPLOADED) if d["data"]["mediaId"] == media_id
    ]
    response = incident_media.handler(sqs_event(json.dumps(eventbridge_envelope(document))), None)
    assert response == {"batchItemFailures": []}


def test_the_local_buckets_are_those_of_the_catalogue(aws: ArgusAws) -> None:
    # Given the buckets as the local stack provisions them
    s3 = provision_buckets(aws)
    for spec in BUCKETS:
        name = f"argus-local-{spec.name}"
        # Then each has the catalogue's versioning and lifecycle rules
        status = s3.get_bucket_versioning(Bucket=name).get("Status")
        assert status == ("Enabled" if spec.versioned else None), spec.name
        rules = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
        assert rules == lifecycle_configuration(spec)["Rules"], spec.name
    assert s3.get_bucket_versioning(Bucket=MEDIA_BUCKET)["Status"] == "Enabled"


def test_after_sanitising_no_version_of_the_original_remains(
    aws: ArgusAws, s3: Any, incident: Incident
) -> None:
    original = jpeg_with_gps()
    assert EXIF_MARKER in original
    # Given a photo with GPS uploaded, confirmed and sanitised
    ticket = service.request_upload(member(), incident.id, "image/jpeg", len(original))
    assert post(ticket, original).status_code == 204
    service.confirm_upload(member(), incident.id, ticket.media.id)
    sanitise(aws, ticket.media.id)
    # Then quarantine holds nothing at all: no current or noncurrent version, no delete marker
    assert every_version(s3, QUARANTINE_BUCKET) == []
    # And the media bucket holds one version of one key: the clean file
    key = media_key(incident.org_id, incident.id, ticket.media.id)
    assert every_version(s3, MEDIA_BUCKET) == [(key, "version")]
    clean = s3.get_object(Bucket=MEDIA_BUCKET, Key=key)["Body"].read()
    assert EXIF_MARKER not in clean and clean != original


@pytest.mark.parametrize(
    ("overrides", "extra", "reason"),
    [({"Content-Type": "text/html"}, b"", "type_mismatch"), ({}, b"trailing", "size_mismatch")],
)
def test_an_upload_refused_at_confirmation_leaves_no_version(
    aws: ArgusAws, s3: Any, incident: Incident, overrides: dict[str, str], extra: bytes, reason: str
) -> None:
    data = jpeg_with_gps()
    ticket = service.request_upload(member(), incident.id, "image/jpeg", len(data))
    # Given a file that is not what was declared (S3's policy would refuse it; moto stores it)
    assert post(ticket, data + extra, **overrides).status_code == 204
    # When the client confirms
    with pytest.raises(BadUserInput) as refused:
        service.confirm_upload(member(), incident.id, ticket.media.id)
    # Then it is refused and nothing of the upload remains in any version
    assert refused.value.details["reason"] == reason
    assert every_version(s3, QUARANTINE_BUCKET) == []
    assert every_version(s3, MEDIA_BUCKET) == []


def test_a_file_the_sanitiser_rejects_leaves_no_version(aws: ArgusAws, s3: Any, incident: Incident) -> None:
    data = b"MZ\x90\x00 not a jpeg at all"
    # Given an upload that claims to be a JPEG but is not one
    ticket = service.request_upload(member(), incident.id, "image/jpeg", len(data))
    assert post(ticket, data).status_code == 204
    service.confirm_upload(member(), incident.id, ticket.media.id)
    # When the sanitiser rejects it
    sanitise(aws, ticket.media.id)
    assert service.get_media(member(), incident.id, ticket.media.id).status == MediaStatus.REJECTED
    # Then no version of it remains anywhere
    assert every_version(s3, QUARANTINE_BUCKET) == []
    assert every_version(s3, MEDIA_BUCKET) == []


def test_a_second_post_to_the_same_ticket_leaves_no_version_either(
    aws: ArgusAws, s3: Any, incident: Incident
) -> None:
    original = jpeg_with_gps()
    ticket = service.request_upload(member(), incident.id, "image/jpeg", len(original))
    # Given the client posted the file twice (a retry) before confirming
    assert post(ticket, original).status_code == 204
    assert post(ticket, original).status_code == 204
    service.confirm_upload(member(), incident.id, ticket.media.id)
    # When it is sanitised
    sanitise(aws, ticket.media.id)
    # Then neither post left a version behind
    assert every_version(s3, QUARANTINE_BUCKET) == []


def test_media_erased_while_the_sanitiser_ran_leaves_no_object(
    aws: ArgusAws, s3: Any, incident: Incident
) -> None:
    original = jpeg_with_gps()
    ticket = service.request_upload(member(), incident.id, "image/jpeg", len(original))
    assert post(ticket, original).status_code == 204
    service.confirm_upload(member(), incident.id, ticket.media.id)
    # Given the media item was erased after an attempt stored the clean file but before it committed
    s3.put_object(
        Bucket=MEDIA_BUCKET, Key=media_key(incident.org_id, incident.id, ticket.media.id), Body=b"x"
    )
    uow = UnitOfWork()
    media_store.delete_media(uow, service.get_media(member(), incident.id, ticket.media.id))
    uow.commit()
    # When the event is delivered again
    sanitise(aws, ticket.media.id)
    # Then nothing of the media remains in either bucket
    assert every_version(s3, QUARANTINE_BUCKET) == []
    assert every_version(s3, MEDIA_BUCKET) == []
