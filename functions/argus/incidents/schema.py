"""GraphQL types, queries, mutations and the live timeline subscription of the incidents domain."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from argus.api.context import principal_of
from argus.api.cost import cost
from argus.api.inputs import plain
from argus.api.live import follow
from argus.api.permissions import requires
from argus.api.relay import Connection, connection
from argus.incidents import events, model, taxonomy
from argus.incidents.media import service as media
from argus.incidents.media.model import Media as MediaModel
from argus.incidents.service import access, imports, maps, reports, timeline

strawberry.enum(model.IncidentStatus, name="IncidentStatus")
strawberry.enum(model.EntryKind, name="IncidentTimelineKind")
strawberry.enum(model.Source, name="IncidentSource")
strawberry.enum(taxonomy.Category, name="IncidentCategory")
strawberry.enum(imports.ImportFormat, name="IncidentImportFormat")
strawberry.enum(imports.Outcome, name="IncidentImportOutcome")


@strawberry.type(description="An incident category and its data.police.uk counterpart.")
class IncidentCategoryInfo:
    id: taxonomy.Category
    label: str
    police_uk: str
    police_uk_label: str


@strawberry.type
class Incident:
    id: strawberry.ID
    category: taxonomy.Category
    status: model.IncidentStatus
    occurred_from: datetime
    occurred_to: datetime
    location: JSON
    group_id: strawberry.ID | None
    block_id: strawberry.ID | None
    description: str | None
    suspect: str | None
    vehicle: str | None
    source: model.Source
    reported_by: str
    reported_at: datetime
    rms_reference: str | None
    updated_at: datetime

    @classmethod
    def of(cls, i: model.Incident) -> Incident:
        return cls(
            id=strawberry.ID(i.id),
            category=i.category,
            status=i.status,
            occurred_from=i.occurred_from,
            occurred_to=i.occurred_to,
            location=cast(JSON, i.location.geojson()),
            group_id=strawberry.ID(i.group_id) if i.group_id else None,
            block_id=strawberry.ID(i.block_id) if i.block_id else None,
            description=i.description,
            suspect=i.suspect,
            vehicle=i.vehicle,
            source=i.source,
            reported_by=i.reported_by,
            reported_at=i.reported_at,
            rms_reference=i.rms_reference,
            updated_at=i.updated_at,
        )


@strawberry.type(description="One change of an incident: who, when, what and why.")
class IncidentTimelineEntry:
    event_id: strawberry.ID
    incident_id: strawberry.ID
    kind: model.EntryKind
    at: datetime
    by: str
    from_status: model.IncidentStatus | None
    to_status: model.IncidentStatus | None
    reason: str | None
    rms_reference: str | None

    @classmethod
    def of(cls, e: model.TimelineEntry) -> IncidentTimelineEntry:
        return cls(
            event_id=strawberry.ID(e.event_id),
            incident_id=strawberry.ID(e.incident_id),
            kind=e.kind,
            at=e.at,
            by=e.by,
            from_status=e.from_status,
            to_status=e.to_status,
            reason=e.reason,
            rms_reference=e.rms_reference,
        )


@strawberry.input
class PointInput:
    longitude: float
    latitude: float


@strawberry.input
class ReportIncidentInput:
    category: taxonomy.Category
    occurred_from: datetime
    occurred_to: datetime | None = None
    location: PointInput
    description: str
    suspect: str | None = None
    vehicle: str | None = None


@strawberry.type
class IncidentImportRow:
    row: int
    outcome: imports.Outcome
    incident_id: strawberry.ID | None
    source_key: str | None
    reason: str | None


@strawberry.type
class IncidentImportReport:
    imported: int
    duplicates: int
    rejected: int
    rows: list[IncidentImportRow]


@strawberry.type(description="A photo or video attached to an incident.")
class IncidentMedia:
    id: strawberry.ID
    incident_id: strawberry.ID
    content_type: str
    size_bytes: int
    status: str
    created_at: datetime

    @classmethod
    def of(cls, m: MediaModel) -> IncidentMedia:
        return cls(
            id=strawberry.ID(m.id),
            incident_id=strawberry.ID(m.incident_id),
            content_type=m.content_type,
            size_bytes=m.size_bytes,
            status=m.status.value,
            created_at=m.created_at,
        )


@strawberry.type(description="Where and how to upload: POST the file with these form fields before expiry.")
class MediaUpload:
    media: IncidentMedia
    url: str
    fields: JSON
    expires_at: datetime


@strawberry.type
class Query:
    @strawberry.field(extensions=requires(), description="The incident categories (police.uk mapping).")
    def incident_categories(self) -> list[IncidentCategoryInfo]:
        return [
            IncidentCategoryInfo(
                id=c.id, label=c.label, police_uk=c.police_uk, police_uk_label=c.police_uk_label
            )
            for c in taxonomy.CATEGORIES.values()
        ]

    @strawberry.field(extensions=requires(), description="An incident, for its reporter and staff.")
    def incident(self, info: Info, id: strawberry.ID) -> Incident:
        return Incident.of(reports.get_incident(principal_of(info), str(id)))

    @strawberry.field(
        extensions=[*requires(), cost(1, paged_by="first", maximum=timeline.MAX_TIMELINE_PAGE)],
        description="An incident's changes, oldest first (up to 200 a page).",
    )
    def incident_timeline(
        self, info: Info, incident_id: strawberry.ID, first: int | None = None, after: str | None = None
    ) -> Connection[IncidentTimelineEntry]:
        page = timeline.timeline(principal_of(info), str(incident_id), first, after)
        return connection(page, IncidentTimelineEntry.of)

    @strawberry.field(
        extensions=[*requires(), cost(100)],
        description="RFC 7946 FeatureCollection of incidents that began in the range (bbox: west, south, "
        "east, north). Staff: every incident's exact point. Everyone else: counts per H3 cell polygon, "
        "whole month and category under the organisation's privacy settings (delay, minimum group size, "
        "resolution), named in the foreign member `publication`.",
    )
    def incidents_geo_json(
        self,
        info: Info,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        bbox: list[float] | None = None,
    ) -> JSON:
        return cast(JSON, maps.incidents_geojson(principal_of(info), from_, to, bbox))

    @strawberry.field(extensions=requires(), description="A 5-minute download URL of sanitised media.")
    def incident_media_url(self, info: Info, incident_id: strawberry.ID, media_id: strawberry.ID) -> str:
        return media.download_url(principal_of(info), str(incident_id), str(media_id))


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=requires(*access.REPORTERS))
    def report_incident(self, info: Info, input: ReportIncidentInput) -> Incident:
        data = plain(input)
        point = data.pop("location")
        data["location"] = {"type": "Point", "coordinates": [point["longitude"], point["latitude"]]}
        return Incident.of(reports.report(principal_of(info), data))

    @strawberry.mutation(extensions=requires(*access.MANAGERS))
    def triage_incident(self, info: Info, id: strawberry.ID, reason: str) -> Incident:
        return Incident.of(reports.triage(principal_of(info), str(id), reason))

    @strawberry.mutation(extensions=requires(*access.MANAGERS))
    def refer_incident(self, info: Info, id: strawberry.ID, rms_reference: str, reason: str) -> Incident:
        return Incident.of(reports.refer(principal_of(info), str(id), rms_reference, reason))

    @strawberry.mutation(extensions=requires(*access.MANAGERS))
    def close_incident(self, info: Info, id: strawberry.ID, reason: str) -> Incident:
        return Incident.of(reports.close(principal_of(info), str(id), reason))

    @strawberry.mutation(extensions=requires(*access.MANAGERS))
    def add_incident_note(self, info: Info, id: strawberry.ID, text: str) -> IncidentTimelineEntry:
        return IncidentTimelineEntry.of(reports.add_note(principal_of(info), str(id), text))

    @strawberry.mutation(
        extensions=[*requires(*access.MANAGERS), cost(100)],
        description="Import police records from CSV text (data.police.uk or City of Chicago layout).",
    )
    def import_incidents(self, info: Info, format: imports.ImportFormat, csv: str) -> IncidentImportReport:
        result = imports.import_csv(principal_of(info), format.value, csv)
        return IncidentImportReport(
            imported=result.imported,
            duplicates=result.duplicates,
            rejected=result.rejected,
            rows=[
                IncidentImportRow(
                    row=r.row,
                    outcome=r.outcome,
                    incident_id=strawberry.ID(r.incident_id) if r.incident_id else None,
                    source_key=r.source_key,
                    reason=r.reason,
                )
                for r in result.rows
            ],
        )

    @strawberry.mutation(
        extensions=requires(), description="Start a photo or video upload (JPEG, PNG, HEIC, MP4)."
    )
    def request_incident_media_upload(
        self, info: Info, incident_id: strawberry.ID, content_type: str, size_bytes: int
    ) -> MediaUpload:
        ticket = media.request_upload(principal_of(info), str(incident_id), content_type, size_bytes)
        return MediaUpload(
            media=IncidentMedia.of(ticket.media),
            url=ticket.url,
            fields=cast(JSON, ticket.fields),
            expires_at=ticket.expires_at,
        )

    @strawberry.mutation(extensions=requires(), description="Say the upload is done; it is then sanitised.")
    def confirm_incident_media_upload(
        self, info: Info, incident_id: strawberry.ID, media_id: strawberry.ID
    ) -> IncidentMedia:
        return IncidentMedia.of(media.confirm_upload(principal_of(info), str(incident_id), str(media_id)))


@strawberry.type
class Subscription:
    @strawberry.subscription(
        extensions=requires(),
        description="New timeline entries of an incident, live (its reporter and staff); ends when the "
        "token expires.",
    )
    async def incident_timeline(
        self, info: Info, incident_id: strawberry.ID
    ) -> AsyncGenerator[IncidentTimelineEntry, None]:
        principal = principal_of(info)
        wanted = str(incident_id)
        access.require_follower(principal, wanted)  # NOT_FOUND / FORBIDDEN before subscribing
        stream = follow(
            principal,
            lambda e: (
                e.get_extension("orgid") == principal.org_id
                and e.get_type() in events.LIVE_TYPES
                and e.get_subject() == wanted
            ),
            lambda: access.may_follow_incident(principal, wanted),
        )
        async for event in stream:
            entry = timeline.entry_of_event(event)
            if entry is not None:
                yield IncidentTimelineEntry.of(entry)
