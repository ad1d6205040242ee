"""The watch events the services really emit against the event catalogue (events/org.argus.watch.*):
every type, built through the real code path, is a valid CloudEvent and valid for its own schema;
each schema lists exactly the fields the code emits, and refuses what Argus never emits."""

from __future__ import annotations

import ast
import copy
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from argus.platform import clock
from argus.platform.cloudevents import SCHEMA_BASE, parse_event
from argus.platform.ids import is_uuid7
from argus.watch import events
from argus.watch.model import TRANSITIONS, ActivityKind, GroupStatus
from argus.watch.service import captains, groups, members
from jsonschema import Draft7Validator
from jsonschema.validators import validator_for

from tests.fakes.aws import ArgusAws
from tests.integration.watch.support import (
    CAPTAIN_SUB,
    OTHER_CAPTAIN_SUB,
    add_blocks,
    captain,
    enrolment,
    import_households,
    member,
    move,
    officer,
    outbox_events,
    propose,
    resident,
)

REPO = Path(__file__).resolve().parents[3]
EVENTS_DIR = REPO / "events"
SERVICE_DIR = REPO / "functions" / "argus" / "watch" / "service"
# Keyword arguments of watch_event that are not data fields, and the data field group_id becomes.
ENVELOPE_ARGUMENTS = {"org_id"}
RENAMED = {"group_id": "groupId"}


def schema_of(event_type: str) -> dict[str, Any]:
    return json.loads((EVENTS_DIR / f"{event_type}.schema.json").read_text(encoding="utf-8"))


def sample_of(event_type: str) -> dict[str, Any]:
    return json.loads((EVENTS_DIR / f"{event_type}.sample.json").read_text(encoding="utf-8"))


def validator(event_type: str) -> Any:
    schema = schema_of(event_type)
    cls = validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def errors(checker: Any, document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in checker.iter_errors(document)
    ]


@pytest.fixture(scope="module")
def cloudevents_schema(shared_dir: Path) -> Draft7Validator:
    path = shared_dir / "standards" / "cloudevents-1.0" / "spec" / "cloudevents.json"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return Draft7Validator(
        json.loads(path.read_text(encoding="utf-8")), format_checker=Draft7Validator.FORMAT_CHECKER
    )


def every_kind_of_watch_event() -> None:
    """One programme exercising every event type, and the variants of their optional fields."""
    group = propose()
    move(group, "registered")
    first, second = add_blocks(group, 2)
    groups.add_patrol_zone(officer(), {"group_id": group.id, "name": "Square gardens", "area": first.area})
    captains.assign_captain(officer(), group.id, first.id, OTHER_CAPTAIN_SUB)  # previousCaptain null
    captains.assign_captain(officer(), group.id, first.id, CAPTAIN_SUB)  # previousCaptain a sub
    import_households(group, first, 5, who=captain())  # enrolled, active
    applicant = members.enrol(resident("resident-priya"), enrolment(group, first, "Priya Patel", 41))
    members.approve(captain(), group.id, first.id, applicant.id)
    groups.record_first_meeting(officer(), group.id)
    move(group, "active")
    move(group, "dormant")
    yesterday = (clock.now() - timedelta(days=1)).date().isoformat()
    for block_id, kind in ((first.id, "patrol"), (None, "meeting")):
        captains.log_activity(
            captain(),
            {
                "group_id": group.id,
                "block_id": block_id,
                "kind": kind,
                "hours": 1.75,
                "occurred_on": yesterday,
            },
        )
    members.leave(member("resident-priya"), group.id)
    assert second.id


def test_every_emitted_watch_event_matches_the_catalogue(
    aws: ArgusAws, cloudevents_schema: Draft7Validator
) -> None:
    # Given a whole programme run through the services
    every_kind_of_watch_event()
    documents = outbox_events(aws)
    # Then every watch event type was emitted
    assert {d["type"] for d in documents} == set(events.ALL_TYPES)
    for document in documents:
        # and each is a valid CloudEvent, valid for the catalogue entry its dataschema names
        assert errors(cloudevents_schema, document) == []
        assert document["dataschema"] == SCHEMA_BASE + document["type"]
        assert errors(validator(document["type"]), document) == [], document
        # and it reads back intact
        event = parse_event(json.dumps(document))
        assert (event.get_id(), event.get_extension("orgid"), event.get_data()) == (
            document["id"],
            "northshire",
            document["data"],
        )
        # and it is about its group: subject and data agree
        assert document["subject"] == document["data"]["groupId"]
        assert is_uuid7(document["id"])
    # And the optional fields appear in both forms
    assigned = [d["data"]["previousCaptain"] for d in documents if d["type"] == events.CAPTAIN_ASSIGNED]
    assert assigned == [None, OTHER_CAPTAIN_SUB]
    logged = [d["data"]["blockId"] for d in documents if d["type"] == events.ACTIVITY_LOGGED]
    assert logged[1] is None and logged[0] is not None
    statuses = {d["data"]["status"] for d in documents if d["type"] == events.MEMBER_ENROLLED}
    assert statuses == {"pending", "active"}


def test_watch_events_carry_no_personal_data(aws: ArgusAws) -> None:
    every_kind_of_watch_event()
    text = json.dumps(outbox_events(aws))
    for personal in ("Priya", "Patel", "Myddelton Square", "EC1R", "Neighbour 1", "Square gardens", "@"):
        assert personal not in text


# --- the schemas against the code -------------------------------------------------------------------


def emitted_fields() -> dict[str, set[str]]:
    """Per event type, the data fields the service code passes to ``watch_event`` or ``member_event``
    (read from the source, so that a field added in the code without the catalogue fails here)."""
    found: dict[str, set[str]] = {}
    for path in sorted(SERVICE_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            builder = getattr(node.func, "attr", None) if isinstance(node, ast.Call) else None
            if builder not in ("watch_event", "member_event"):
                continue
            assert isinstance(node, ast.Call)
            [constant] = node.args
            assert isinstance(constant, ast.Attribute), ast.dump(constant)
            event_type = getattr(events, constant.attr)
            fields = {
                RENAMED.get(k.arg, k.arg) for k in node.keywords if k.arg and k.arg not in ENVELOPE_ARGUMENTS
            }
            if builder == "member_event":  # the member gives the group, the member and the block
                fields = (fields - {"member"}) | {"groupId", "memberId", "blockId"}
            assert found.setdefault(event_type, fields) == fields, (
                f"{event_type} emitted with different fields"
            )
    return found


def test_each_schema_lists_exactly_the_fields_the_code_emits() -> None:
    code = emitted_fields()
    assert set(code) == set(events.ALL_TYPES)
    for event_type, fields in code.items():
        data = schema_of(event_type)["properties"]["data"]
        assert {"groupId", "actor"} <= fields
        assert set(data["properties"]) == fields, event_type
        assert set(data["required"]) == fields, event_type
        assert data["additionalProperties"] is False


def test_the_status_schema_allows_exactly_the_lifecycle_moves() -> None:
    checker = validator(events.GROUP_STATUS_CHANGED)
    sample = sample_of(events.GROUP_STATUS_CHANGED)
    for source in GroupStatus:
        for target in GroupStatus:
            document = copy.deepcopy(sample)
            document["data"].update(fromStatus=source.value, toStatus=target.value)
            assert checker.is_valid(document) == (target in TRANSITIONS[source]), (source, target)


def test_the_activity_kinds_follow_the_model() -> None:
    kind = schema_of(events.ACTIVITY_LOGGED)["properties"]["data"]["properties"]["kind"]
    assert kind["enum"] == [k.value for k in ActivityKind]


def test_the_shared_definitions_agree_across_the_catalogue() -> None:
    watch = [schema_of(t)["$defs"] for t in events.ALL_TYPES]
    assert all(defs == watch[0] for defs in watch)
    organisation = schema_of("org.argus.organisation.created.v2")["$defs"]
    for name in ("orgId", "timestamp", "actor"):
        assert watch[0][name] == organisation[name], name


def test_the_samples_are_about_their_group() -> None:
    for event_type in events.ALL_TYPES:
        sample = sample_of(event_type)
        assert errors(validator(event_type), sample) == []
        assert sample["subject"] == sample["data"]["groupId"]
        assert sample["source"] == f"/orgs/{sample['orgid']}/watch-groups"


def mutations(sample: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    def changed(path: list[Any], value: Any = None, *, delete: bool = False) -> dict[str, Any]:
        document = copy.deepcopy(sample)
        target = document
        for step in path[:-1]:
            target = target[step]
        if delete:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return document

    data = sample["data"]
    yield "v4 id", changed(["id"], "919108f7-52d1-4320-9bac-f847db4148a8")
    yield "other type", changed(["type"], "org.argus.watch.group.deleted.v1")
    yield "other collection", changed(["source"], "/orgs/northshire/organisations")
    yield "subject not an id", changed(["subject"], "Clerkenwell Watch")
    yield "non-utc time", changed(["time"], "2026-03-02T19:30:00+01:00")
    yield "unknown attribute", changed(["traceparent"], "00-abc")
    yield "no orgid", changed(["orgid"], delete=True)
    yield "no data", changed(["data"], delete=True)
    yield "no actor", changed(["data", "actor"], delete=True)
    yield "empty actor", changed(["data", "actor"], "")
    yield "no group", changed(["data", "groupId"], delete=True)
    yield "group not an id", changed(["data", "groupId"], "clerkenwell")
    yield "a name", changed(["data", "displayName"], "Priya Patel")
    yield "an address", changed(["data", "address"], {"line1": "41 Myddelton Square"})
    yield "a contact", changed(["data", "email"], "priya@example.org")
    for field in data:
        if field not in ("groupId", "actor"):
            yield f"no {field}", changed(["data", field], delete=True)
            yield f"{field} as a list", changed(["data", field], [data[field]])
    if "memberId" in data:
        yield "member not an id", changed(["data", "memberId"], "Priya Patel")
    if "status" in data:
        yield "unknown status", changed(["data", "status"], "left" if "memberId" in data else "active")
    if "hours" in data:
        yield "25 hours", changed(["data", "hours"], 25)
        yield "no hours", changed(["data", "hours"], 0)
        yield "unknown kind", changed(["data", "kind"], "vigilante_chase")
    if "areaKm2" in data:
        yield "a county", changed(["data", "areaKm2"], 2500)
    if "captain" in data:
        yield "captain as a number", changed(["data", "previousCaptain"], 7)
        yield "null captain", changed(["data", "captain"], None)
    if "toStatus" in data:
        yield "closed reopened", changed(["data", "fromStatus"], "closed")


@pytest.mark.parametrize("event_type", events.ALL_TYPES)
def test_the_schemas_reject_what_argus_never_emits(event_type: str) -> None:
    checker = validator(event_type)
    accepted = [name for name, document in mutations(sample_of(event_type)) if checker.is_valid(document)]
    assert accepted == [], f"{event_type} schema accepts: {accepted}"
