"""CloudEvents 1.0 in structured JSON mode, built and read with the cloudevents SDK (``cloudevents.core``).

``make_event`` builds Argus events as DESIGN.md §4 describes; ``parse_event`` reads any structured
CloudEvent and rejects everything the specification forbids, including what the SDK alone lets through
(RFC 3339 times, RFC 2046 media types, extension names and value types, empty optional attributes,
``data`` together with ``data_base64``)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, cast

from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from pydantic.alias_generators import to_camel

from argus.platform import clock
from argus.platform.ids import new_id

__all__ = [
    "CloudEvent",
    "InvalidEvent",
    "event_domain",
    "make_event",
    "parse_event",
    "to_dict",
    "to_json",
    "with_extension",
]

CONTENT_TYPE = JSONFormat.CONTENT_TYPE
TYPE_PATTERN = re.compile(r"^org\.argus\.(?P<domain>[a-z][a-z-]*)\.[a-z][a-z-]*(?:\.[a-z][a-z-]*)*\.v\d+$")
SCHEMA_BASE = "urn:argus:events:"
_FORMAT = JSONFormat()

_RFC3339 = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?"
    r"([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)
# RFC 2046 / RFC 6838 media type: type "/" subtype, optional parameters.
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE = re.compile(rf"^{_TOKEN}/{_TOKEN}(\s*;\s*{_TOKEN}=({_TOKEN}|\"([^\"\\]|\\.)*\"))*$")
_EXTENSION_NAME = re.compile(r"^[a-z0-9]{1,20}$")
_CORE = {"specversion", "id", "source", "type", "datacontenttype", "dataschema", "subject", "time"}


class _ReceivedEvent(CloudEvent):
    """A CloudEvent as received: unlike the SDK's constructor, an absent ``time`` stays absent
    (the SDK would stamp the receiver's clock, which would then pass for when it happened)."""

    def __init__(self, attributes: dict[str, Any], data: Any = None) -> None:
        had_time = "time" in attributes
        super().__init__(attributes, data)
        if not had_time:
            self._attributes.pop("time", None)


class InvalidEvent(ValueError):
    """The input is not a valid CloudEvents 1.0 structured JSON event."""


def event_domain(event_type: str) -> str:
    """``org.argus.organisation.created.v2`` → ``organisation``."""
    match = TYPE_PATTERN.match(event_type)
    if not match:
        raise ValueError(f"Not an Argus event type: {event_type!r}")
    return match.group("domain")


def camel_keys(value: Any) -> Any:
    """``value`` with every dictionary key in camelCase (``min_cell_size`` → ``minCellSize``), as event
    data names fields: the way the GraphQL API names them. Values are left as they are."""
    if isinstance(value, dict):
        return {to_camel(str(key)): camel_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [camel_keys(item) for item in value]
    return value


def make_event(
    event_type: str,
    *,
    org_id: str,
    collection: str,
    subject: str,
    data: dict[str, Any],
    event_id: str | None = None,
) -> CloudEvent:
    """An Argus CloudEvent: UUIDv7 id, ``source`` ``/orgs/<org>/<collection>``, UTC time, ``orgid``
    extension, and ``dataschema`` naming the catalogue entry in ``events/``."""
    event_domain(event_type)
    return CloudEvent(
        {
            "specversion": "1.0",
            "id": event_id or new_id(),
            "type": event_type,
            "source": f"/orgs/{org_id}/{collection}",
            "subject": subject,
            "time": clock.now(),
            "datacontenttype": "application/json",
            "dataschema": SCHEMA_BASE + event_type,
            "orgid": org_id,
        },
        data,
    )


def with_extension(structured: str, name: str, value: str) -> str:
    """One structured-mode CloudEvent (JSON text) with one more extension attribute, a string; every
    other attribute keeps its text. Raises ValueError for a name the specification does not allow
    (1-20 lowercase letters or digits) or one the event already has."""
    document = json.loads(structured)
    if not _EXTENSION_NAME.match(name) or name in _CORE or name == "data" or name in document:
        raise ValueError(f"{name!r} cannot be added as an extension attribute")
    document[name] = value
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def to_json(event: CloudEvent) -> str:
    return _FORMAT.write(event).decode("utf-8")


def to_dict(event: CloudEvent) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(to_json(event))
    return result


def parse_event(payload: str | bytes | dict[str, Any]) -> CloudEvent:
    """Read one structured-mode CloudEvent; raise InvalidEvent for anything the spec forbids."""
    if isinstance(payload, dict):
        document: Any = payload
    else:
        try:
            document = json.loads(payload)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidEvent(f"not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise InvalidEvent("a structured CloudEvent is a JSON object")
    _check_document(document)
    cleaned = {k: v for k, v in document.items() if not (k in _CORE and v is None)}
    try:
        return cast(CloudEvent, _FORMAT.read(_ReceivedEvent, json.dumps(cleaned)))
    except (BaseCloudEventException, ValueError, TypeError, KeyError) as exc:
        raise InvalidEvent(str(exc)) from None


def parse_batch(payload: str | bytes | list[Any]) -> list[CloudEvent]:
    """Read a JSON batch (``application/cloudevents-batch+json``)."""
    try:
        document = json.loads(payload) if isinstance(payload, (str, bytes)) else payload
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidEvent(f"not JSON: {exc}") from None
    if not isinstance(document, list):
        raise InvalidEvent("a batch is a JSON array")
    return [parse_event(item) if isinstance(item, dict) else _not_object() for item in document]


def _not_object() -> CloudEvent:
    raise InvalidEvent("every member of a batch is a JSON object")


def _check_document(doc: dict[str, Any]) -> None:
    if doc.get("specversion") != "1.0":
        raise InvalidEvent("specversion must be '1.0'")
    for name in ("id", "source", "type"):
        if not isinstance(doc.get(name), str) or not doc[name]:
            raise InvalidEvent(f"{name} must be a non-empty string")
    for name in ("subject", "dataschema", "datacontenttype", "time"):
        value = doc.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or not value:
            raise InvalidEvent(f"{name} must be a non-empty string when present")
    if doc.get("time") is not None:
        if not _RFC3339.match(doc["time"]):
            raise InvalidEvent("time must be an RFC 3339 timestamp")
        try:
            datetime.fromisoformat(doc["time"].replace("z", "Z"))
        except ValueError:
            raise InvalidEvent("time must be an RFC 3339 timestamp") from None
    if doc.get("datacontenttype") is not None and not _MEDIA_TYPE.match(doc["datacontenttype"]):
        raise InvalidEvent("datacontenttype must be an RFC 2046 media type")
    if "data" in doc and "data_base64" in doc:
        raise InvalidEvent("data and data_base64 are mutually exclusive")
    if "data_base64" in doc and not isinstance(doc["data_base64"], str):
        raise InvalidEvent("data_base64 must be a string")
    for name, value in doc.items():
        if name in _CORE or name in ("data", "data_base64"):
            continue
        if not _EXTENSION_NAME.match(name):
            raise InvalidEvent(f"extension attribute name {name!r} must be 1-20 lowercase letters or digits")
        if isinstance(value, bool) or value is None or isinstance(value, str):
            continue
        if isinstance(value, int) and -(2**31) <= value < 2**31:
            continue
        raise InvalidEvent(f"extension attribute {name!r} must be a boolean, integer or string")
