"""Incident media through the GraphQL schema: who may start and confirm uploads. Reading (download URLs)
is for the incident's reporter and staff; adding photos and video is for its reporter and the staff who
change incidents (officers, supervisors, admins). Analysts read everything and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from argus.api.context import ArgusContext
from argus.api.graphql import schema
from argus.incidents.media import service
from argus.incidents.model import Incident
from argus.incidents.service import reports
from argus.platform.auth.principal import Principal, Role

from tests.factories.principals import principal
from tests.fakes.aws import ArgusAws
from tests.integration.incidents.media_support import post, provision_buckets
from tests.integration.incidents.support import analyst, in_block, indexed_group, member
from tests.integration.incidents.support import report_input as incident_input
from tests.unit.incidents.test_sanitise_samples import png_with_text

UPLOAD = """
mutation($id: ID!, $type: String!, $size: Int!) {
  requestIncidentMediaUpload(incidentId: $id, contentType: $type, sizeBytes: $size) { media { id status } }
}"""
CONFIRM = """
mutation($id: ID!, $media: ID!) { confirmIncidentMediaUpload(incidentId: $id, mediaId: $media) { id status } }
"""


async def execute(query: str, who: Principal, variables: dict[str, Any]) -> dict[str, Any]:
    result = await schema.execute(query, variable_values=variables, context_value=ArgusContext(principal=who))
    return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}


@pytest.fixture
def incident(aws: ArgusAws) -> Incident:
    provision_buckets(aws)
    _, blocks = indexed_group(aws)
    return reports.report(member(), incident_input(*in_block(blocks[0])))


def _media_items(aws: ArgusAws) -> list[dict[str, Any]]:
    return aws.items_of_kind("incident-media")


async def test_an_analyst_may_neither_start_nor_confirm_an_upload(aws: ArgusAws, incident: Incident) -> None:
    size = len(png_with_text())
    # Given an incident reported by a member
    before = sorted(map(str, aws.items()))
    # When an analyst asks to upload a photo to it
    refused = await execute(UPLOAD, analyst(), {"id": incident.id, "type": "image/png", "size": size})
    # Then it is FORBIDDEN and nothing is written
    assert refused["data"] is None
    [error] = refused["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN", error
    assert sorted(map(str, aws.items())) == before
    # And an analyst may not confirm the reporter's upload either
    ticket = service.request_upload(member(), incident.id, "image/png", size)
    assert post(ticket, png_with_text()).status_code == 204
    confirm = await execute(CONFIRM, analyst(), {"id": incident.id, "media": ticket.media.id})
    assert [e["extensions"]["code"] for e in confirm["errors"]] == ["FORBIDDEN"]
    assert [i["status"]["S"] for i in _media_items(aws)] == ["pending"]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.ADMIN])
async def test_staff_who_change_incidents_may_upload_and_confirm(
    aws: ArgusAws, incident: Incident, role: Role
) -> None:
    data = png_with_text()
    who = principal(role, sub=f"{role.value}-staff")
    # When staff who may change incidents start an upload on an incident they did not report
    started = await execute(UPLOAD, who, {"id": incident.id, "type": "image/png", "size": len(data)})
    assert started["errors"] == []
    [item] = _media_items(aws)
    assert item["uploaded_by"]["S"] == who.sub
    # And, once the file is posted, confirm it
    ticket = service.request_upload(who, incident.id, "image/png", len(data))
    assert post(ticket, data).status_code == 204
    confirmed = await execute(CONFIRM, who, {"id": incident.id, "media": ticket.media.id})
    assert confirmed["errors"] == []
    assert confirmed["data"]["confirmIncidentMediaUpload"]["status"] == "uploaded"


async def test_the_reporter_uploads_and_confirms_and_other_members_may_not(
    aws: ArgusAws, incident: Incident
) -> None:
    data = png_with_text()
    # Given the reporter starts an upload and posts the file
    started = await execute(UPLOAD, member(), {"id": incident.id, "type": "image/png", "size": len(data)})
    assert started["errors"] == []
    media_id = started["data"]["requestIncidentMediaUpload"]["media"]["id"]
    # When another member tries to upload or confirm
    other = member(sub="member-other")
    upload = await execute(UPLOAD, other, {"id": incident.id, "type": "image/png", "size": len(data)})
    confirm = await execute(CONFIRM, other, {"id": incident.id, "media": media_id})
    # Then both are FORBIDDEN
    assert [e["extensions"]["code"] for e in upload["errors"] + confirm["errors"]] == ["FORBIDDEN"] * 2
    assert len(_media_items(aws)) == 1
