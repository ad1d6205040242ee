"""The event catalogue (events/): one schema and one sample per CloudEvent type, and the events the
code really emits validate against it and against the official CloudEvents JSON Schema."""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import argus
import pytest
from argus.consumers import LIVE_EVENT_TYPES
from argus.organisations import service
from argus.organisations.events import ORGANISATION_CREATED, ORGANISATION_UPDATED
from argus.organisations.model import (
    ContactChannel,
    ContactKind,
    Organisation,
    OrganisationChanges,
    PrivacyDefaults,
)
from argus.platform import clock
from argus.platform.cloudevents import SCHEMA_BASE, TYPE_PATTERN, camel_keys, parse_event
from argus.platform.ids import is_uuid7, uuid7_unix_ms
from jsonschema import Draft7Validator
from jsonschema.validators import validator_for
from pydantic.alias_generators import to_camel

from tests.contract.conftest import EVENTS_DIR, load_standard
from tests.factories.organisations import organisation_draft
from tests.factories.principals import admin
from tests.fakes.aws import ArgusAws

SCHEMA_SUFFIX = ".schema.json"
SAMPLE_SUFFIX = ".sample.json"


# --- the catalogue ------------------------------------------------------------------------------


def domain_event_types() -> set[str]:
    """Every event type constant declared in a domain's ``events`` module."""
    found: set[str] = set()
    for module_info in pkgutil.iter_modules(argus.__path__):
        if not module_info.ispkg:
            continue
        try:
            module = importlib.import_module(f"argus.{module_info.name}.events")
        except ModuleNotFoundError as exc:
            if exc.name == f"argus.{module_info.name}.events":
                continue
            raise
        found |= {
            value
            for name, value in vars(module).items()
            if name.isupper() and isinstance(value, str) and TYPE_PATTERN.match(value)
        }
    return found


def catalogue_types() -> list[str]:
    return sorted(p.name.removesuffix(SCHEMA_SUFFIX) for p in EVENTS_DIR.glob(f"*{SCHEMA_SUFFIX}"))


def schema_path(event_type: str) -> Path:
    return EVENTS_DIR / f"{event_type}{SCHEMA_SUFFIX}"


def sample_path(event_type: str) -> Path:
    return EVENTS_DIR / f"{event_type}{SAMPLE_SUFFIX}"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def catalogue_validator(event_type: str) -> Any:
    schema = load(schema_path(event_type))
    cls = validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validator_for_dataschema(dataschema: str) -> Any:
    """``urn:argus:events:<type>`` → the validator of ``events/<type>.schema.json``."""
    assert dataschema.startswith(SCHEMA_BASE), dataschema
    event_type = dataschema.removeprefix(SCHEMA_BASE)
    assert schema_path(event_type).is_file(), f"dataschema {dataschema} names no file in events/"
    return catalogue_validator(event_type)


@pytest.fixture(scope="module")
def cloudevents_schema() -> Draft7Validator:
    schema = load_standard("cloudevents-1.0", "spec", "cloudevents.json")
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def errors_of(validator: Any, document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator.iter_errors(document)
    ]


ALL_KNOWN_TYPES = sorted(domain_event_types() | set(LIVE_EVENT_TYPES))


def test_the_domains_declare_event_types() -> None:
    # Guards the discovery below: the organisation events must be found.
    assert {ORGANISATION_CREATED, ORGANISATION_UPDATED} <= domain_event_types()


@pytest.mark.parametrize("event_type", ALL_KNOWN_TYPES)
def test_every_event_type_has_a_schema_and_a_sample(event_type: str) -> None:
    # Given an event type the code can emit (a domain constant or a live event type)
    # Then the catalogue holds its schema and its sample
    missing = [p.name for p in (schema_path(event_type), sample_path(event_type)) if not p.is_file()]
    assert not missing, f"events/ lacks {', '.join(missing)} for {event_type} (see events/README.md)"


@pytest.mark.parametrize("event_type", catalogue_types())
def test_every_schema_is_a_valid_json_schema_named_after_its_type(event_type: str) -> None:
    schema = load(schema_path(event_type))
    # it is a valid JSON Schema of the dialect it declares
    validator_for(schema).check_schema(schema)
    # its $id, type constant and dataschema constant agree with the file name
    assert schema["$id"] == SCHEMA_BASE + event_type
    assert schema["properties"]["type"]["const"] == event_type
    assert schema["properties"]["dataschema"]["const"] == SCHEMA_BASE + event_type
    assert TYPE_PATTERN.match(event_type)
    # it describes the whole envelope, strictly
    assert {"specversion", "id", "source", "type", "time", "dataschema", "orgid", "data"} <= set(
        schema["required"]
    )
    assert schema["additionalProperties"] is False
    # and it belongs to a type the code knows
    assert event_type in ALL_KNOWN_TYPES, (
        f"events/{event_type}{SCHEMA_SUFFIX} describes no type the code emits"
    )


def test_the_catalogue_holds_only_schemas_samples_and_the_readme() -> None:
    stray = [
        p.name
        for p in EVENTS_DIR.iterdir()
        if p.name != "README.md"
        and not (p.name.endswith(SCHEMA_SUFFIX) and p.is_file())
        and not (p.name.endswith(SAMPLE_SUFFIX) and schema_path(p.name.removesuffix(SAMPLE_SUFFIX)).is_file())
    ]
    assert not stray, f"unexpected files in events/: {stray}"


# --- samples ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("event_type", catalogue_types())
def test_every_sample_validates_and_parses(event_type: str, cloudevents_schema: Draft7Validator) -> None:
    # Given the sample of a type
    sample = load(sample_path(event_type))
    # Then it is valid for its own schema and for CloudEvents
    assert errors_of(catalogue_validator(event_type), sample) == []
    assert errors_of(cloudevents_schema, sample) == []
    # And our parser reads it back intact
    event = parse_event(json.dumps(sample))
    assert (event.get_type(), event.get_id(), event.get_dataschema()) == (
        event_type,
        sample["id"],
        SCHEMA_BASE + event_type,
    )
    assert event.get_extension("orgid") == sample["orgid"]
    assert event.get_data() == sample["data"]
    # And its id is a UUIDv7 minted when the event happened (as make_event does), not at another time
    assert is_uuid7(sample["id"])
    moment = datetime.fromisoformat(sample["time"].replace("Z", "+00:00"))
    drift_ms = abs(uuid7_unix_ms(sample["id"]) - int(moment.timestamp() * 1000))
    assert drift_ms <= 60_000, f"the sample's id was minted {drift_ms} ms away from its time"
    # And the source names the sample's organisation
    assert sample["source"].startswith(f"/orgs/{sample['orgid']}/")


# --- the schemas are not vacuous ----------------------------------------------------------------


def _mutations(sample: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    def changed(path: list[Any], value: Any, delete: bool = False) -> dict[str, Any]:
        document = json.loads(json.dumps(sample))
        target = document
        for step in path[:-1]:
            target = target[step]
        if delete:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return document

    yield "v4 id", changed(["id"], "919108f7-52d1-4320-9bac-f847db4148a8")
    yield "upper-case id", changed(["id"], sample["id"].upper())
    yield "other type", changed(["type"], "org.argus.organisation.deleted.v1")
    yield "other source collection", changed(["source"], "/orgs/northshire/incidents")
    yield "absolute source", changed(["source"], "https://argus.example/orgs/northshire/organisations")
    yield "dataschema url", changed(["dataschema"], "https://argus.example/schemas/x.json")
    yield "non-utc time", changed(["time"], "2025-03-14T10:26:53.589+01:00")
    yield "garbage time", changed(["time"], "lunchtime")
    yield "xml content", changed(["datacontenttype"], "application/xml")
    yield "specversion 0.3", changed(["specversion"], "0.3")
    yield "bad orgid", changed(["orgid"], "North Shire")
    yield "unknown attribute", changed(["traceparent"], "00-abc")
    yield "no orgid", changed(["orgid"], None, delete=True)
    yield "no time", changed(["time"], None, delete=True)
    yield "no data", changed(["data"], None, delete=True)
    yield "no actor", changed(["data", "actor"], None, delete=True)
    yield "extra data field", changed(["data", "secret"], "x")
    yield "no organisation", changed(["data", "organisation"], None, delete=True)
    yield "organisation without version", changed(["data", "organisation", "version"], None, delete=True)
    yield "version zero", changed(["data", "organisation", "version"], 0)
    yield "empty name", changed(["data", "organisation", "name"], "")
    yield "bad slug", changed(["data", "organisation", "slug"], "North--Shire")
    yield "bad locale", changed(["data", "organisation", "locale"], "english")
    yield "min cell size zero", changed(["data", "organisation", "privacy", "minCellSize"], 0)
    yield (
        "the retired switch",
        changed(["data", "organisation", "privacy", "generalise_locations"], True),
    )
    yield "snake_case field", changed(["data", "organisation", "created_at"], sample["time"])
    yield "cells finer than 8", changed(["data", "organisation", "privacy", "locationResolution"], 9)
    yield (
        "no location level",
        changed(["data", "organisation", "privacy", "locationResolution"], None, delete=True),
    )
    yield "unknown contact kind", changed(["data", "organisation", "contacts", 0, "kind"], "pigeon")
    yield "extra organisation field", changed(["data", "organisation", "email"], "x@y.z")
    if "changed" in sample["data"]:
        yield "nothing changed", changed(["data", "changed"], [])
        yield "unknown changed field", changed(["data", "changed"], ["version"])
        yield "changed twice", changed(["data", "changed"], ["name", "name"])


ORGANISATION_TYPES = [ORGANISATION_CREATED, ORGANISATION_UPDATED]


@pytest.mark.parametrize("event_type", ORGANISATION_TYPES)
def test_the_organisation_schemas_reject_what_argus_never_emits(event_type: str) -> None:
    validator = catalogue_validator(event_type)
    sample = load(sample_path(event_type))
    accepted = [name for name, document in _mutations(sample) if validator.is_valid(document)]
    assert accepted == [], f"{event_type} schema accepts: {accepted}"


def test_the_organisation_definitions_are_the_same_in_every_schema() -> None:
    created = load(schema_path(ORGANISATION_CREATED))["$defs"]
    updated = load(schema_path(ORGANISATION_UPDATED))["$defs"]
    assert created == updated


def test_the_organisation_definitions_follow_the_domain_model() -> None:
    # Given the schema's definitions and the pydantic models the events are dumped from
    defs = load(schema_path(ORGANISATION_CREATED))["$defs"]
    # Then they name the same fields in camelCase and require all of them (the events write every field,
    # but the retired computed switch generalise_locations)
    for name, model in (
        ("organisation", Organisation),
        ("privacyDefaults", PrivacyDefaults),
        ("contactChannel", ContactChannel),
    ):
        dumped = {to_camel(f) for f in model.model_fields}
        assert set(defs[name]["properties"]) == dumped, name
        assert set(defs[name]["required"]) == dumped, name
    # and list the same contact kinds and changeable fields
    assert defs["contactChannel"]["properties"]["kind"]["enum"] == [k.value for k in ContactKind]
    changeable = set(OrganisationChanges.model_fields) - {"expected_version"}
    updated = load(schema_path(ORGANISATION_UPDATED))
    assert set(updated["properties"]["data"]["properties"]["changed"]["items"]["enum"]) == changeable


# --- events emitted by the real code path ---------------------------------------------------------


def outbox_events(aws: ArgusAws) -> list[dict[str, Any]]:
    """The CloudEvents the outbox holds, oldest first."""
    events = [json.loads(item["event"]["S"]) for item in aws.items_of_kind("outbox")]
    return sorted(events, key=lambda e: e["id"])


def assert_valid_emitted(document: dict[str, Any], cloudevents_schema: Draft7Validator) -> None:
    # valid CloudEvent per the official schema
    assert errors_of(cloudevents_schema, document) == []
    # valid against the catalogue entry its own dataschema names
    assert errors_of(validator_for_dataschema(document["dataschema"]), document) == []
    # readable by our parser, unchanged
    event = parse_event(json.dumps(document))
    assert (event.get_id(), event.get_type(), event.get_extension("orgid")) == (
        document["id"],
        document["type"],
        document["orgid"],
    )


def test_an_emitted_organisation_created_event_matches_the_catalogue(
    aws: ArgusAws, cloudevents_schema: Draft7Validator
) -> None:
    # Given an admin creating their organisation through the service, at a known time
    moment = datetime(2025, 3, 14, 9, 26, 53, 589_000, tzinfo=UTC)
    with clock.use_clock(clock.FixedClock(moment)):
        org = service.create_organisation(
            admin(),
            organisation_draft(
                contacts=[
                    {"kind": "email", "value": "watch@northshire.example"},
                    {"kind": "address", "value": "1 High Street\nNorthshire", "label": "Office"},
                ]
            ),
        )
    # When the outbox item is read back
    [document] = outbox_events(aws)
    # Then it is a valid CloudEvent and a valid catalogue event
    assert_valid_emitted(document, cloudevents_schema)
    # And it says what happened, to which organisation, when
    assert document["type"] == ORGANISATION_CREATED
    assert document["orgid"] == document["subject"] == org.id == "northshire"
    assert document["source"] == "/orgs/northshire/organisations"
    assert document["time"] == "2025-03-14T09:26:53.589000Z"
    assert document["data"]["organisation"] == camel_keys(
        org.model_dump(mode="json", exclude={"privacy": {"generalise_locations"}})
    )
    assert document["data"]["organisation"]["createdAt"] == "2025-03-14T09:26:53.589000Z"
    assert document["data"]["actor"] == "user-admin"


def test_emitted_organisation_updated_events_match_the_catalogue(
    aws: ArgusAws, cloudevents_schema: Draft7Validator
) -> None:
    # Given an organisation changed three times: a rename, privacy and contacts, then the slug
    service.create_organisation(admin(), organisation_draft())
    service.update_organisation(admin(), {"name": "Northshire Community Watch", "expected_version": 1})
    service.update_organisation(
        admin(), {"privacy": {"min_cell_size": 25, "publication_delay_days": 60}, "contacts": []}
    )
    final = service.update_organisation(
        admin(), {"slug": "northshire-watch", "timezone": "Europe/Dublin", "locale": "ga-IE"}
    )
    # When the outbox is read back
    documents = outbox_events(aws)
    # Then every event is valid, in order, each naming what changed
    for document in documents:
        assert_valid_emitted(document, cloudevents_schema)
    assert [d["type"] for d in documents] == [ORGANISATION_CREATED] + [ORGANISATION_UPDATED] * 3
    assert [d["data"].get("changed") for d in documents[1:]] == [
        ["name"],
        ["contacts", "privacy"],
        ["locale", "slug", "timezone"],
    ]
    assert [d["data"]["organisation"]["version"] for d in documents] == [1, 2, 3, 4]
    assert documents[-1]["data"]["organisation"] == camel_keys(
        final.model_dump(mode="json", exclude={"privacy": {"generalise_locations"}})
    )
    assert documents[2]["data"]["organisation"]["privacy"] == {
        "minCellSize": 25,
        "locationResolution": 8,
        "publicationDelayDays": 60,
    }
