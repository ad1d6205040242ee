"""Incident media on moto: presigned upload into quarantine, confirmation, the sanitiser consumer
(SQS event carrying the EventBridge envelope of the outbox's CloudEvent), presigned download.

moto 5 does not evaluate presigned POST policies (any Content-Type and size are stored), so the
policy document's conditions are checked here with a small evaluator of S3's rules, and the service's
own confirmation check (head_object) is shown to catch what the policy would have refused."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
import requests
from argus.handlers import incident_media
from argus.incidents.media import events as media_events
from argus.incidents.media import service
from argus.incidents.media.model import MediaStatus, UploadTicket
from argus.incidents.media.policy import media_key, quarantine_key
from argus.incidents.model import Incident
from argus.incidents.service import reports
from argus.platform.errors import BadUserInput, Forbidden, NotFound
from PIL import Image

from tests.factories.events import eventbridge_envelope, sqs_event
from tests.factories.principals import OTHER_ORG
from tests.fakes.aws import ArgusAws
from tests.integration.incidents.media_support import (
    MEDIA_BUCKET,
    QUARANTINE_BUCKET,
    post,
    provision_buckets,
)
from tests.integration.incidents.support import analyst, captain, in_block, indexed_group, member, officer
from tests.integration.incidents.support import report_input as incident_input
from tests.integration.watch.support import outbox_events
from tests.unit.incidents.test_sanitise_samples import (
    LOCATION,
    RED,
    heic_with_gps,
    jpeg_with_gps,
    mp4_with_location,
    png_with_text,
    two_tone,
)


@pytest.fixture
def s3(aws: ArgusAws) -> Any:
    """The buckets as the local stack provisions them from the catalogue CDK deploys."""
    return provision_buckets(aws)


@pytest.fixture
def incident(aws: ArgusAws, s3: Any) -> Incident:
    _, blocks = indexed_group(aws)
    return reports.report(member(), incident_input(*in_block(blocks[0])))


def policy(ticket: UploadTicket) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(base64.b64decode(ticket.fields["policy"]))
    return document


def s3_would_accept(ticket: UploadTicket, form: dict[str, str], size: int) -> bool:
    """S3's POST policy rules for the condition kinds Argus uses (exact match, content-length-range)."""
    fields = {k.lower(): v for k, v in form.items()}
    fields["bucket"] = QUARANTINE_BUCKET
    for condition in policy(ticket)["conditions"]:
        if isinstance(condition, dict):
            ((name, value),) = condition.items()
            if fields.get(name.lower()) != value:
                return False
        elif condition[0] == "content-length-range":
            if not condition[1] <= size <= condition[2]:
                return False
        elif condition[0] == "eq" and fields.get(condition[1].lstrip("$").lower()) != condition[2]:
            return False
    return True


def sanitise_from_outbox(aws: ArgusAws, media_id: str) -> dict[str, Any]:
    """Deliver the media-uploaded event of ``media_id`` to the consumer's Lambda handler."""
    (document,) = [
        d for d in outbox_events(aws, media_events.MEDIA_UPLOADED) if d["data"]["mediaId"] == media_id
    ]
    response: dict[str, Any] = incident_media.handler(
        sqs_event(json.dumps(eventbridge_envelope(document))), None
    )
    return response


def upload_and_sanitise(aws: ArgusAws, incident: Incident, data: bytes, content_type: str) -> str:
    ticket = service.request_upload(member(), incident.id, content_type, len(data))
    assert post(ticket, data).status_code == 204
    service.confirm_upload(member(), incident.id, ticket.media.id)
    assert sanitise_from_outbox(aws, ticket.media.id) == {"batchItemFailures": []}
    return ticket.media.id


def stored(s3: Any, incident: Incident, media_id: str) -> bytes:
    body: bytes = s3.get_object(Bucket=MEDIA_BUCKET, Key=media_key(incident.org_id, incident.id, media_id))[
        "Body"
    ].read()
    return body


def quarantined(s3: Any, incident: Incident, media_id: str) -> list[str]:
    prefix = quarantine_key(incident.org_id, incident.id, media_id)
    return [o["Key"] for o in s3.list_objects_v2(Bucket=QUARANTINE_BUCKET, Prefix=prefix).get("Contents", [])]


def assert_clean(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    assert len(image.getexif()) == 0 and not image.info.get("exif") and not image.info.get("xmp")
    assert not getattr(image, "text", None)
    return image


def test_a_jpeg_with_gps_goes_through_quarantine_and_comes_out_clean_and_upright(
    aws: ArgusAws, s3: Any, incident: Incident
) -> None:
    original = jpeg_with_gps(orientation=6)
    # Given an upload ticket for the reporter
    ticket = service.request_upload(member(), incident.id, "image/jpeg", len(original))
    conditions = policy(ticket)["conditions"]
    assert {"Content-Type": "image/jpeg"} in conditions and [
        "content-length-range",
        1,
        15 * 1024 * 1024,
    ] in conditions
    assert {"key": quarantine_key(incident.org_id, incident.id, ticket.media.id)} in conditions
    assert ticket.fields["Content-Type"] == "image/jpeg"
    assert (ticket.expires_at - ticket.media.created_at).total_seconds() == 600
    assert ticket.media.status == MediaStatus.PENDING
    assert [d["data"]["mediaId"] for d in outbox_events(aws, media_events.MEDIA_UPLOAD_REQUESTED)] == [
        ticket.media.id
    ]
    # When the client posts the file and confirms
    assert post(ticket, original).status_code == 204
    with pytest.raises(BadUserInput) as not_ready:
        service.download_url(member(), incident.id, ticket.media.id)
    assert not_ready.value.details["reason"] == "media_pending"
    confirmed = service.confirm_upload(member(), incident.id, ticket.media.id)
    assert confirmed.status == MediaStatus.UPLOADED
    with pytest.raises(BadUserInput):  # quarantined files never get a URL
        service.download_url(officer(), incident.id, ticket.media.id)
    # And the sanitiser consumes media-uploaded
    assert sanitise_from_outbox(aws, ticket.media.id) == {"batchItemFailures": []}
    # Then the stored image has no EXIF or GPS, shows upright, and the quarantine is empty
    clean = assert_clean(stored(s3, incident, ticket.media.id))
    assert clean.format == "JPEG" and clean.size == (32, 64)
    pixel = clean.getpixel((16, 5))
    assert isinstance(pixel, tuple) and all(abs(int(p) - c) <= 12 for p, c in zip(pixel, RED, strict=False))
    assert quarantined(s3, incident, ticket.media.id) == []
    media = service.get_media(officer(), incident.id, ticket.media.id)
    assert media.status == MediaStatus.READY and media.stored_bytes == len(
        stored(s3, incident, ticket.media.id)
    )
    (ready,) = outbox_events(aws, media_events.MEDIA_READY)
    assert ready["data"]["mediaId"] == ticket.media.id and ready["data"]["storedBytes"] == media.stored_bytes
    # And the reporter and staff (analysts included) get a 5-minute download URL of the clean file
    for caller in (member(), officer(), analyst()):
        url = service.download_url(caller, incident.id, ticket.media.id)
        assert "X-Amz-Expires=300" in url and "/media/" in url and "quarantine" not in url
        assert requests.get(url).content == stored(s3, incident, ticket.media.id)


def test_a_redelivered_event_changes_nothing(aws: ArgusAws, s3: Any, incident: Incident) -> None:
    media_id = upload_and_sanitise(aws, incident, jpeg_with_gps(), "image/jpeg")
    items_before, body_before = aws.items(), stored(s3, incident, media_id)
    assert sanitise_from_outbox(aws, media_id) == {"batchItemFailures": []}
    assert sorted(map(str, aws.items())) == sorted(map(str, items_before))
    assert stored(s3, incident, media_id) == body_before
    # Confirming again is harmless too
    assert service.confirm_upload(member(), incident.id, media_id).status == MediaStatus.READY
    assert len(outbox_events(aws, media_events.MEDIA_UPLOADED)) == 1


def test_a_png_loses_its_text_chunks(aws: ArgusAws, s3: Any, incident: Incident) -> None:
    media_id = upload_and_sanitise(aws, incident, png_with_text(), "image/png")
    clean = assert_clean(stored(s3, incident, media_id))
    assert clean.format == "PNG" and clean.convert("RGB").tobytes() == two_tone().tobytes()


def test_a_heic_loses_its_exif(aws: ArgusAws, s3: Any, incident: Incident) -> None:
    try:
        original = heic_with_gps()
    except (OSError, KeyError, ValueError) as exc:  # pragma: no cover - depends on the libheif build
        pytest.skip(f"pillow-heif cannot encode HEIC here: {exc}")
    media_id = upload_and_sanitise(aws, incident, original, "image/heic")
    assert assert_clean(stored(s3, incident, media_id)).size == (64, 32)


def test_an_mp4_loses_its_location(aws: ArgusAws, s3: Any, incident: Incident) -> None:
    original = mp4_with_location()
    media_id = upload_and_sanitise(aws, incident, original, "video/mp4")
    clean = stored(s3, incident, media_id)
    assert len(clean) == len(original) and LOCATION not in clean and b"\xa9xyz" not in clean


def test_a_file_that_is_not_what_it_claims_is_rejected_and_deleted(
    aws: ArgusAws, s3: Any, incident: Incident
) -> None:
    media_id = upload_and_sanitise(aws, incident, b"MZ\x90\x00 definitely not a png", "image/png")
    media = service.get_media(member(), incident.id, media_id)
    assert media.status == MediaStatus.REJECTED and media.reject_reason == "not_decodable"
    assert quarantined(s3, incident, media_id) == []
    assert "Contents" not in s3.list_objects_v2(Bucket=MEDIA_BUCKET, Prefix="media/")
    (rejected,) = outbox_events(aws, media_events.MEDIA_REJECTED)
    assert rejected["data"]["reason"] == "not_decodable"
    with pytest.raises(BadUserInput):
        service.download_url(officer(), incident.id, media_id)


def nothing_written(aws: ArgusAws, before: list[dict[str, Any]]) -> bool:
    return sorted(map(str, aws.items())) == sorted(map(str, before))


@pytest.mark.parametrize(
    ("content_type", "size", "reason"),
    [
        ("image/gif", 1000, "unsupported_type"),
        ("application/pdf", 1000, "unsupported_type"),
        ("image/jpeg", 15 * 1024 * 1024 + 1, "too_large"),
        ("video/mp4", 200 * 1024 * 1024 + 1, "too_large"),
        ("image/png", 0, "invalid"),
    ],
)
def test_wrong_types_and_sizes_are_refused_and_nothing_is_written(
    aws: ArgusAws, incident: Incident, content_type: str, size: int, reason: str
) -> None:
    before = aws.items()
    with pytest.raises(BadUserInput) as refused:
        service.request_upload(member(), incident.id, content_type, size)
    assert refused.value.details["reason"] == reason
    assert nothing_written(aws, before)


def test_only_the_reporter_and_staff_of_the_organisation_may_upload_or_download(
    aws: ArgusAws, s3: Any, incident: Incident
) -> None:
    media_id = upload_and_sanitise(aws, incident, png_with_text(), "image/png")
    before = aws.items()
    with pytest.raises(Forbidden):
        service.request_upload(member(sub="member-other"), incident.id, "image/png", 100)
    with pytest.raises(Forbidden):
        service.request_upload(captain(), incident.id, "image/png", 100)
    with pytest.raises(Forbidden):
        service.download_url(captain(), incident.id, media_id)
    # Another organisation does not know the incident exists
    for caller in (officer(org=OTHER_ORG), member(org=OTHER_ORG)):
        with pytest.raises(NotFound):
            service.download_url(caller, incident.id, media_id)
        with pytest.raises(NotFound):
            service.request_upload(caller, incident.id, "image/png", 100)
    with pytest.raises(NotFound):
        service.request_upload(member(), "01a1fd02-5c1e-7a3b-9f10-2b7c4d8e9a01", "image/png", 100)
    with pytest.raises(NotFound):
        service.download_url(member(), incident.id, "01a1fd02-5c1e-7a3b-9f10-2b7c4d8e9a01")
    assert nothing_written(aws, before)
    # Staff may attach media to an incident they did not report
    assert (
        service.request_upload(officer(), incident.id, "video/mp4", 1000).media.uploaded_by
        == "officer-okafor"
    )


def test_the_post_policy_pins_the_type_and_size_and_confirmation_checks_what_arrived(
    aws: ArgusAws, s3: Any, incident: Incident
) -> None:
    data = jpeg_with_gps()
    ticket = service.request_upload(member(), incident.id, "image/jpeg", len(data))
    # The policy S3 enforces refuses another Content-Type and a body over the limit
    assert s3_would_accept(ticket, ticket.fields, len(data))
    assert not s3_would_accept(ticket, {**ticket.fields, "Content-Type": "image/png"}, len(data))
    assert not s3_would_accept(ticket, ticket.fields, 15 * 1024 * 1024 + 1)
    assert not s3_would_accept(ticket, {**ticket.fields, "key": "media/northshire/x/y"}, len(data))
    # moto stores a POST regardless of the policy, so confirmation checks what arrived
    assert post(ticket, data, **{"Content-Type": "text/html"}).status_code == 204
    with pytest.raises(BadUserInput) as mismatch:
        service.confirm_upload(member(), incident.id, ticket.media.id)
    assert mismatch.value.details["reason"] == "type_mismatch"
    assert quarantined(s3, incident, ticket.media.id) == []
    assert post(ticket, data + b"trailing").status_code == 204
    with pytest.raises(BadUserInput) as too_big:
        service.confirm_upload(member(), incident.id, ticket.media.id)
    assert too_big.value.details["reason"] == "size_mismatch"
    # Nothing uploaded: nothing to confirm; the item is still pending and no event went out
    with pytest.raises(BadUserInput) as missing:
        service.confirm_upload(member(), incident.id, ticket.media.id)
    assert missing.value.details["reason"] == "not_uploaded"
    assert service.get_media(member(), incident.id, ticket.media.id).status == MediaStatus.PENDING
    assert outbox_events(aws, media_events.MEDIA_UPLOADED) == []
