"""One scenario per row of the access matrix: the relations it can give the caller, and how to build
the case (GraphQL document, variables, caller) on fresh objects. Documents select little: a case is
about being let in, and a case that is let in must succeed without any error."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from argus.incidents.service import reports
from argus.incidents.service.imports import POLICE_UK_HEADER
from argus.platform.auth.principal import Principal
from argus.platform.cloudevents import make_event
from argus.watch import events as watch_events

from tests.factories.principals import ORG
from tests.integration.access_cases import (
    APPROVED_MEMBER,
    BLOCK_CAPTAIN,
    CASE_BOUNDARY,
    CASE_STRIPS,
    GROUP_CAPTAIN,
    REPORTER,
    SELF,
    Arrange,
    Case,
    outbox_event,
)
from tests.integration.watch.support import officer

GROUP_RELATIONS = frozenset({APPROVED_MEMBER, GROUP_CAPTAIN, BLOCK_CAPTAIN})
INCIDENT_RELATIONS = frozenset({REPORTER})
ADDRESS = {"line1": "9 Myddelton Square", "postcode": "EC1R 1XP"}


@dataclass(frozen=True)
class Scenario:
    relations: frozenset[str]
    build: Callable[[Arrange], Case]


SCENARIOS: dict[str, Scenario] = {}


def scenario(operation: str, relations: frozenset[str] = frozenset()) -> Callable:
    def register(build: Callable[[Arrange], Case]) -> Callable[[Arrange], Case]:
        SCENARIOS[operation] = Scenario(relations, build)
        return build

    return register


def plain(document: str) -> Callable[[Arrange], Case]:
    """A case that needs no object (nor relation)."""
    return lambda a: Case(document, {}, a.who)


for _operation, _document in {
    "Query.organisation": "query { organisation { id } }",
    "Query.me": "query { me { sub } }",
    "Query.staff": "query { staff(first: 1) { nodes { sub } } }",
    "Query.auditTrail": "query { auditTrail(first: 1) { nodes { eventId } } }",
    "Query.watchGroups": "query { watchGroups(first: 1) { nodes { id } } }",
    "Query.captainHub": "query { captainHub { captainSub } }",
    "Query.myMemberships": "query { myMemberships { id } }",
    "Query.incidentCategories": "query { incidentCategories { id } }",
    "Query.patternRuns": "query { patternRuns(first: 1) { nodes { id } } }",
    "Mutation.requestPatternRun": "mutation { requestPatternRun(weeks: 4) { id } }",
    "Query.incidentsGeoJson": 'query { incidentsGeoJson(from: "2026-02-01T00:00:00Z", '
    'to: "2026-03-03T00:00:00Z") }',
}.items():
    scenario(_operation)(plain(_document))


# --- organisations --------------------------------------------------------------------------------------


@scenario("Mutation.createOrganisation")
def _create(a: Arrange) -> Case:
    who = a.who
    fresh = Principal(sub=who.sub, org_id=f"force-{a.n}", roles=who.roles)
    document = "mutation($i: CreateOrganisationInput!) { createOrganisation(input: $i) { id } }"
    return Case(document, {"i": {"name": f"Force {a.n}", "slug": f"force-{a.n}"}}, fresh)


@scenario("Mutation.updateOrganisation")
def _update(a: Arrange) -> Case:
    document = "mutation($n: String!) { updateOrganisation(input: { name: $n }) { id } }"
    return Case(document, {"n": f"Northshire Police {a.n}"}, a.who)


@scenario("Mutation.addStaffMember")
def _add_staff(a: Arrange) -> Case:
    document = "mutation($i: AddStaffMemberInput!) { addStaffMember(input: $i) { sub } }"
    staff = {"sub": f"staff-{a.n}", "displayName": "Staff Person", "roles": ["OFFICER"]}
    return Case(document, {"i": staff}, a.who)


@scenario("Mutation.erasePerson")
def _erase_person(a: Arrange) -> Case:
    document = "mutation($s: ID!) { erasePerson(sub: $s) { pseudonym } }"
    return Case(document, {"s": f"person-{a.n}"}, a.who)


@scenario("Mutation.setJurisdiction")
def _set_jurisdiction(a: Arrange) -> Case:
    document = "mutation($b: JSON) { setJurisdiction(boundary: $b) { areaKm2 } }"
    ring = [[-0.13, 51.51], [-0.08, 51.51], [-0.08, 51.54], [-0.13, 51.54], [-0.13, 51.51]]
    return Case(document, {"b": {"type": "Polygon", "coordinates": [ring]}}, a.who)


@scenario("Subscription.organisationEvents")
def _organisation_events(a: Arrange) -> Case:
    def event() -> object:
        return make_event(
            "org.argus.organisation.updated.v2",
            org_id=ORG,
            collection="organisations",
            subject=ORG,
            data={"actor": "user-admin", "changed": ["name"]},
        )

    return Case("subscription { organisationEvents { type } }", {}, a.who, event)  # type: ignore[arg-type]


# --- watch groups ---------------------------------------------------------------------------------------


def _on_group(document: str) -> Callable[[Arrange], Case]:
    """A case on a fresh group (variable ``g``), with the caller's relations to it."""

    def build(a: Arrange) -> Case:
        group = a.group().group
        return Case(document, {"g": group.id}, a.who)

    return build


def _reading_group(document: str) -> Callable[[Arrange], Case]:
    """A case that changes nothing, on a group shared by the cases of the same role and relations."""

    def build(a: Arrange) -> Case:
        group = a.shared_group().group
        return Case(document, {"g": group.id}, a.who)

    return build


for _operation, _document in {
    "WatchGroup.counts": "query($g: ID!) { watchGroup(id: $g) { counts { members } } }",
    "WatchGroup.statusHistory": "query($g: ID!) { watchGroup(id: $g) { statusHistory { toStatus } } }",
    "Query.groupActivity": "query($g: ID!) { groupActivity(groupId: $g) { nodes { kind } } }",
    "Query.captainPerformance": "query($g: ID!) { captainPerformance(groupId: $g) { captainSub } }",
}.items():
    scenario(_operation, GROUP_RELATIONS)(_reading_group(_document))


scenario("Query.watchGroup")(
    lambda a: Case(
        "query($g: ID!) { watchGroup(id: $g) { id blocks { id } } }", {"g": a.world.group.id}, a.who
    )
)
scenario("Query.coverage")(
    lambda a: Case(
        "query($x: Float!, $y: Float!) { coverage(longitude: $x, latitude: $y) { group { id } } }",
        {"x": a.world.point[0], "y": a.world.point[1]},
        a.who,
    )
)
for _operation, _document in {
    "Mutation.recordFirstMeeting": "mutation($g: ID!) { recordFirstMeeting(groupId: $g) { id } }",
    "Mutation.answerInterestSurvey": "mutation($g: ID!) { "
    "answerInterestSurvey(groupId: $g, interested: true) { id } }",
    "Mutation.changeWatchGroupStatus": """mutation($g: ID!) {
      changeWatchGroupStatus(input: { groupId: $g, status: CLOSED, reason: "Merged" }) { id } }""",
    "Mutation.updateMyContactPreferences": "mutation($g: ID!) { "
    "updateMyContactPreferences(groupId: $g, channels: []) { id } }",
    "Mutation.leaveWatchGroup": "mutation($g: ID!) { leaveWatchGroup(groupId: $g) { id } }",
    "Mutation.logActivity": """mutation($g: ID!) {
      logActivity(input: { groupId: $g, kind: PATROL, hours: 1, occurredOn: "2026-03-01" }) { id } }""",
}.items():
    _relations = (
        frozenset({SELF}) if "leave" in _document or "ContactPreferences" in _document else GROUP_RELATIONS
    )
    scenario(_operation, _relations)(_on_group(_document))


@scenario("Subscription.watchGroupActivity", GROUP_RELATIONS)
def _watch_live(a: Arrange) -> Case:
    group = a.shared_group().group

    def event() -> object:
        return watch_events.watch_event(
            watch_events.ACTIVITY_LOGGED, org_id=ORG, group_id=group.id, actor="captain"
        )

    document = "subscription($g: ID!) { watchGroupActivity(groupId: $g) { type } }"
    return Case(document, {"g": group.id}, a.who, event)  # type: ignore[arg-type]


@scenario("Mutation.proposeWatchGroup")
def _propose(a: Arrange) -> Case:
    document = "mutation($i: ProposeWatchGroupInput!) { proposeWatchGroup(input: $i) { id } }"
    return Case(document, {"i": {"name": f"Watch {a.n}", "boundary": CASE_BOUNDARY}}, a.who)


@scenario("Mutation.enrol")
def _enrol(a: Arrange) -> Case:
    t = a.group()
    group, block = t.group, t.block
    document = "mutation($i: EnrolmentInput!) { enrol(input: $i) { id } }"
    enrolment = {"groupId": group.id, "blockId": block.id, "displayName": "Applicant", "address": ADDRESS}
    return Case(document, {"i": enrolment}, a.who)


@scenario("Mutation.addBlock", GROUP_RELATIONS)
def _add_block(a: Arrange) -> Case:
    group = a.group().group
    document = "mutation($i: AreaInput!) { addBlock(input: $i) { id } }"
    return Case(document, {"i": {"groupId": group.id, "name": "Strip 2", "area": CASE_STRIPS[2]}}, a.who)


@scenario("Mutation.addPatrolZone", GROUP_RELATIONS)
def _add_zone(a: Arrange) -> Case:
    group = a.group().group
    document = "mutation($i: AreaInput!) { addPatrolZone(input: $i) { id } }"
    zone = {"groupId": group.id, "name": "Square loop", "area": CASE_STRIPS[0]}
    return Case(document, {"i": zone}, a.who)


@scenario("Mutation.assignCaptain", GROUP_RELATIONS)
def _assign(a: Arrange) -> Case:
    t = a.group()
    group, other = t.group, t.other
    document = (
        "mutation($g: ID!, $b: ID!, $c: String!) { "
        "assignCaptain(groupId: $g, blockId: $b, captainSub: $c) { blockId } }"
    )
    return Case(document, {"g": group.id, "b": other.id, "c": f"captain-new-{a.n}"}, a.who)


@scenario("Mutation.linkMentor", GROUP_RELATIONS)
def _link(a: Arrange) -> Case:
    t = a.group()
    document = (
        "mutation($g: ID!, $m: String!, $e: String!) { "
        "linkMentor(groupId: $g, mentorSub: $m, menteeSub: $e) { since } }"
    )
    return Case(document, {"g": t.group.id, "m": t.block_captain, "e": t.other_captain}, a.who)


@scenario("Query.blockRoster", GROUP_RELATIONS)
def _roster(a: Arrange) -> Case:
    t = a.shared_group()
    group, block = t.group, t.block
    document = "query($g: ID!, $b: ID!) { blockRoster(groupId: $g, blockId: $b) { nodes { id } } }"
    return Case(document, {"g": group.id, "b": block.id}, a.who)


@scenario("Mutation.addMember", GROUP_RELATIONS)
def _add_member(a: Arrange) -> Case:
    t = a.group()
    group, block = t.group, t.block
    document = "mutation($i: EnrolmentInput!) { addMember(input: $i) { id } }"
    person = {"groupId": group.id, "blockId": block.id, "displayName": "Neighbour", "address": ADDRESS}
    return Case(document, {"i": person}, a.who)


@scenario("Mutation.importBlockRoster", GROUP_RELATIONS)
def _import_roster(a: Arrange) -> Case:
    t = a.group()
    group, block = t.group, t.block
    document = "mutation($i: ImportBlockRosterInput!) { importBlockRoster(input: $i) { members } }"
    households = [{"address": ADDRESS, "members": [{"displayName": "Neighbour"}]}]
    return Case(document, {"i": {"groupId": group.id, "blockId": block.id, "households": households}}, a.who)


@scenario("Mutation.approveEnrolment", GROUP_RELATIONS)
def _approve(a: Arrange) -> Case:
    t = a.group()
    group, block = t.group, t.block
    pending = a.pending_member(group, block)
    document = (
        "mutation($g: ID!, $b: ID!, $m: ID!) { "
        "approveEnrolment(groupId: $g, blockId: $b, memberId: $m) { id } }"
    )
    return Case(document, {"g": group.id, "b": block.id, "m": pending}, a.who)


@scenario("Mutation.removeMember", GROUP_RELATIONS)
def _remove(a: Arrange) -> Case:
    t = a.group()
    group, block = t.group, t.block
    member = a.active_member(group, block)
    document = (
        "mutation($g: ID!, $b: ID!, $m: ID!) { removeMember(groupId: $g, blockId: $b, memberId: $m) { id } }"
    )
    return Case(document, {"g": group.id, "b": block.id, "m": member}, a.who)


# --- incidents ------------------------------------------------------------------------------------------


def _on_incident(document: str) -> Callable[[Arrange], Case]:
    """A case on a fresh incident (variable ``i``), reported by the caller when they are its reporter."""
    return lambda a: Case(document, {"i": a.incident().id}, a.who)


for _operation, _document in {
    "Query.incident": "query($i: ID!) { incident(id: $i) { id } }",
    "Query.incidentTimeline": "query($i: ID!) { incidentTimeline(incidentId: $i) { nodes { kind } } }",
    "Mutation.triageIncident": 'mutation($i: ID!) { triageIncident(id: $i, reason: "Checked") { id } }',
    "Mutation.closeIncident": 'mutation($i: ID!) { closeIncident(id: $i, reason: "No crime") { id } }',
    "Mutation.addIncidentNote": 'mutation($i: ID!) { addIncidentNote(id: $i, text: "Called back") { at } }',
    "Mutation.requestIncidentMediaUpload": """mutation($i: ID!) {
      requestIncidentMediaUpload(incidentId: $i, contentType: "image/png", sizeBytes: 100) { url } }""",
}.items():
    scenario(_operation, INCIDENT_RELATIONS)(_on_incident(_document))


@scenario("Mutation.referIncident", INCIDENT_RELATIONS)
def _refer(a: Arrange) -> Case:
    incident = a.incident()
    reports.triage(officer(), incident.id, "Checked")
    document = 'mutation($i: ID!) { referIncident(id: $i, rmsReference: "CR/1/26", reason: "Crime") { id } }'
    return Case(document, {"i": incident.id}, a.who)


@scenario("Mutation.confirmIncidentMediaUpload", INCIDENT_RELATIONS)
def _confirm(a: Arrange) -> Case:
    incident = a.incident()
    media_id = a.uploaded_media(incident)
    document = "mutation($i: ID!, $m: ID!) { confirmIncidentMediaUpload(incidentId: $i, mediaId: $m) { id } }"
    return Case(document, {"i": incident.id, "m": media_id}, a.who)


@scenario("Query.incidentMediaUrl", INCIDENT_RELATIONS)
def _media_url(a: Arrange) -> Case:
    incident = a.incident()
    media_id = a.ready_media(incident)
    document = "query($i: ID!, $m: ID!) { incidentMediaUrl(incidentId: $i, mediaId: $m) }"
    return Case(document, {"i": incident.id, "m": media_id}, a.who)


@scenario("Subscription.incidentTimeline", INCIDENT_RELATIONS)
def _timeline_live(a: Arrange) -> Case:
    incident = a.incident()

    def event() -> object:
        return outbox_event(reports.add_note(officer(), incident.id, "Called back").event_id)

    document = "subscription($i: ID!) { incidentTimeline(incidentId: $i) { kind } }"
    return Case(document, {"i": incident.id}, a.who, event)  # type: ignore[arg-type]


@scenario("Mutation.reportIncident")
def _report(a: Arrange) -> Case:
    lon, lat = a.world.point
    document = "mutation($i: ReportIncidentInput!) { reportIncident(input: $i) { id } }"
    report = {
        "category": "BURGLARY",
        "occurredFrom": "2026-03-01T22:00:00Z",
        "location": {"longitude": lon, "latitude": lat},
        "description": "Shed forced",
    }
    return Case(document, {"i": report}, a.who)


@scenario("Mutation.importIncidents")
def _import(a: Arrange) -> Case:
    lon, lat = a.world.point
    row = [
        f"crime-{a.n}",
        "2026-02",
        "Met",
        "Met",
        str(lon),
        str(lat),
        "On Amwell Street",
        "",
        "",
        "Burglary",
        "",
        "",
    ]
    csv = ",".join(POLICE_UK_HEADER) + "\r\n" + ",".join(row) + "\r\n"
    document = "mutation($c: String!) { importIncidents(format: POLICE_UK, csv: $c) { imported } }"
    return Case(document, {"c": csv}, a.who)


# --- patterns -------------------------------------------------------------------------------------------

scenario("Query.patternRun")(
    lambda a: Case("query($r: ID!) { patternRun(id: $r) { id } }", {"r": a.world.run_id}, a.who)
)
scenario("Query.patternHotspotsGeoJson")(
    lambda a: Case("query($r: ID!) { patternHotspotsGeoJson(runId: $r) }", {"r": a.world.run_id}, a.who)
)
