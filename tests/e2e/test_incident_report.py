"""An incident on the running stack: reported with a photo (presigned POST to the quarantine bucket, the
sanitiser consumer strips its GPS EXIF before anyone can fetch it), its timeline seen live over
WebSocket, and the uploader's erasure reaching the photo in every version and the audit trail."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from argus.api.live import get_broker
from argus.local.stack import LocalStack
from PIL import Image

from .support import (
    GraphQLClient,
    GraphQLWebSocket,
    audit_trail,
    bearer_params,
    create_org,
    unique,
    wait_for_audit,
    wait_until,
)

pytestmark = pytest.mark.e2e

REPORT = """
mutation($input: ReportIncidentInput!) { reportIncident(input: $input) { id status } }
"""
UPLOAD = """
mutation($id: ID!, $type: String!, $size: Int!) {
  requestIncidentMediaUpload(incidentId: $id, contentType: $type, sizeBytes: $size) {
    media { id status } url fields expiresAt
  }
}
"""
CONFIRM = """
mutation($id: ID!, $media: ID!) { confirmIncidentMediaUpload(incidentId: $id, mediaId: $media) { id status } }
"""
DOWNLOAD = "query($id: ID!, $media: ID!) { incidentMediaUrl(incidentId: $id, mediaId: $media) }"
TRIAGE = 'mutation($id: ID!) { triageIncident(id: $id, reason: "Forced entry confirmed") { status } }'
ERASE = "mutation($sub: ID!) { erasePerson(sub: $sub) { pseudonym } }"
TIMELINE = "subscription($id: ID!) { incidentTimeline(incidentId: $id) { kind by toStatus reason } }"


def photo_with_gps() -> bytes:
    image = Image.new("RGB", (48, 32), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 31.0, 45.12)  # GPSLatitudeRef, GPSLatitude
    gps[3], gps[4] = "W", (0.0, 6.0, 19.8)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825), "the test photo carries GPS"
    return data


@pytest.fixture(scope="module")
def incident(stack: LocalStack, gql: GraphQLClient) -> tuple[str, str]:
    org = create_org(gql, stack, "incidents")
    officer = stack.token(org.id, ["officer"], sub=unique("officer"))
    report = {
        "category": "BURGLARY",
        "occurredFrom": "2026-11-20T22:00:00Z",
        "location": {"longitude": -0.1055, "latitude": 51.5292},
        "description": "Shed door forced overnight",
    }
    created = gql.execute(REPORT, {"input": report}, token=officer).ok()["reportIncident"]
    assert created["status"] == "REPORTED"
    return created["id"], officer


def test_a_photo_is_stripped_of_its_gps_before_anyone_can_fetch_it(
    gql: GraphQLClient, incident: tuple[str, str]
) -> None:
    incident_id, officer = incident
    data = photo_with_gps()
    # Given an upload ticket for a JPEG of that size
    ticket = gql.execute(
        UPLOAD, {"id": incident_id, "type": "image/jpeg", "size": len(data)}, token=officer
    ).ok()["requestIncidentMediaUpload"]
    media_id = ticket["media"]["id"]
    # When the client POSTs the file with the ticket's form fields and confirms
    posted = httpx.post(
        ticket["url"], data=ticket["fields"], files={"file": ("shed.jpg", data, "image/jpeg")}, timeout=10
    )
    assert posted.status_code in (200, 201, 204), posted.text
    confirmed = gql.execute(CONFIRM, {"id": incident_id, "media": media_id}, token=officer).ok()
    assert confirmed["confirmIncidentMediaUpload"]["id"] == media_id

    # Then until the sanitiser has run there is no download URL; afterwards there is one
    def ready() -> str | None:
        response = gql.execute(DOWNLOAD, {"id": incident_id, "media": media_id}, token=officer)
        if response.errors:
            assert response.codes == ["BAD_USER_INPUT"], response.errors
            return None
        url: str = response.data["incidentMediaUrl"]
        return url

    url = wait_until(ready, timeout=30, interval=0.2, what="the sanitised photo")
    fetched = httpx.get(url, timeout=10)
    assert fetched.status_code == 200
    image = Image.open(io.BytesIO(fetched.content))
    # And the file served has no EXIF at all (no GPS, no camera) but is the same picture
    assert not image.getexif() and "exif" not in image.info
    assert image.size == (48, 32)
    red, green, blue = image.convert("RGB").getpixel((24, 16))  # type: ignore[misc]
    assert red > 150 and green < 80 and blue < 80


def test_the_timeline_is_seen_live(stack: LocalStack, gql: GraphQLClient, incident: tuple[str, str]) -> None:
    incident_id, officer = incident
    broker = get_broker()
    already = broker.subscriber_count
    with GraphQLWebSocket(stack.websocket_url) as ws:
        answer = ws.init(bearer_params(officer))
        assert answer is not None and answer["type"] == "connection_ack", answer
        ws.subscribe("timeline", TIMELINE, {"id": incident_id})
        # Once the subscription is registered, change the incident over HTTP
        wait_until(lambda: broker.subscriber_count > already, timeout=10, what="the subscription")
        gql.execute(TRIAGE, {"id": incident_id}, token=officer).ok()
        entry: dict[str, Any] | None = None
        while entry is None:
            payload = ws.next_event("timeline", timeout=15)
            assert payload is not None, "the triage was not delivered live"
            candidate = payload["data"]["incidentTimeline"]
            if candidate["kind"] == "TRIAGED":
                entry = candidate
        assert entry["toStatus"] == "TRIAGED" and entry["reason"] == "Forced entry confirmed"


def upload_photo(gql: GraphQLClient, incident_id: str, token: str) -> str:
    """Upload, confirm and wait for the sanitised photo; returns the media id."""
    data = photo_with_gps()
    ticket = gql.execute(
        UPLOAD, {"id": incident_id, "type": "image/jpeg", "size": len(data)}, token=token
    ).ok()["requestIncidentMediaUpload"]
    posted = httpx.post(
        ticket["url"], data=ticket["fields"], files={"file": ("shed.jpg", data, "image/jpeg")}, timeout=10
    )
    assert posted.status_code in (200, 201, 204), posted.text
    media_id: str = ticket["media"]["id"]
    gql.execute(CONFIRM, {"id": incident_id, "media": media_id}, token=token).ok()

    def ready() -> bool:
        return not gql.execute(DOWNLOAD, {"id": incident_id, "media": media_id}, token=token).errors

    wait_until(ready, timeout=30, interval=0.2, what="the sanitised photo")
    return media_id


def versions(stack: LocalStack, bucket: str, prefix: str) -> list[str]:
    s3 = stack.clients["s3"]
    listing = s3.list_object_versions(Bucket=bucket, Prefix=prefix)
    return [v["Key"] for v in listing.get("Versions", []) + listing.get("DeleteMarkers", [])]


def test_an_erased_uploader_leaves_no_photo_and_a_pseudonymised_audit_trail(
    stack: LocalStack, gql: GraphQLClient
) -> None:
    assert stack.resources is not None
    org = create_org(gql, stack, "erasure")
    sub = unique("officer")
    officer = stack.token(org.id, ["officer"], sub=sub)
    report = {
        "category": "BURGLARY",
        "occurredFrom": "2026-11-20T22:00:00Z",
        "location": {"longitude": -0.1055, "latitude": 51.5292},
        "description": "Shed door forced overnight",
    }
    # Given an officer who reported an incident and attached a photo, all in the audit trail
    incident_id = gql.execute(REPORT, {"input": report}, token=officer).ok()["reportIncident"]["id"]
    media_id = upload_photo(gql, incident_id, officer)
    wait_for_audit(
        gql,
        org.admin_token,
        lambda trail: (
            any(e["eventType"].endswith("media-ready.v1") for e in trail)
            and sum(e["actor"] == sub for e in trail) >= 3
        ),
        what="the officer's actions in the audit trail",
    )
    media_bucket, quarantine = stack.resources.buckets["media"], stack.resources.buckets["quarantine"]
    assert versions(stack, media_bucket, f"media/{org.id}/") != []
    # When an administrator erases the officer
    pseudonym = gql.execute(ERASE, {"sub": sub}, token=org.admin_token).ok()["erasePerson"]["pseudonym"]

    # Then the photo is gone: no item, and no version of it or of the upload in any bucket
    def photo_gone() -> bool:
        answer = gql.execute(DOWNLOAD, {"id": incident_id, "media": media_id}, token=org.admin_token)
        return answer.codes == ["NOT_FOUND"]

    wait_until(photo_gone, timeout=30, interval=0.2, what="the photo's erasure")
    assert versions(stack, media_bucket, f"media/{org.id}/") == []
    assert versions(stack, quarantine, f"quarantine/{org.id}/") == []
    # And the audit trail names the officer by the pseudonym only, the erasure itself by its admin
    trail = wait_for_audit(
        gql,
        org.admin_token,
        lambda trail: any(e["eventType"].endswith("person-erasure-requested.v1") for e in trail),
        what="the erasure in the audit trail",
    )
    assert [e for e in audit_trail(gql, org.admin_token) if sub in str(e)] == []
    assert sum(e["actor"] == pseudonym for e in trail) >= 3
    [erasure] = [e for e in trail if e["eventType"].endswith("person-erasure-requested.v1")]
    assert erasure["actor"] == org.admin_sub
