"""RFC 7946 FeatureCollection export (maps of watch groups, blocks, patrol zones, incident points).

Only the standard library: the export path needs no shapely. Output opens in standard mapping tools:
longitude/latitude order (as stored), no ``crs`` member (RFC 7946 §4), numbers as JSON numbers — Decimals
from DynamoDB become ints/floats here, so ``json.dumps`` works on the result.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

FeatureInput = tuple[Mapping[str, Any] | None, Mapping[str, Any] | None, str | int | float | Decimal | None]
"""(geometry dict or None, properties dict or None, feature id or None)."""


def feature_collection(features: Iterable[FeatureInput], *, bbox: bool = False) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of ``(geometry, properties, id)`` triples.

    ``geometry`` is a GeoJSON geometry dict (e.g. an ``Area.geojson``) or None; ``properties`` a JSON object
    or None; ``id`` a string or number, or None to leave it out. With ``bbox=True`` each feature with a
    geometry and the collection get ``bbox`` [west, south, east, north].

    Raises ValueError when a geometry has no type or a coordinate is not a finite number, when an id is not a
    string or number, or when properties are not an object — these are programming errors, not user input.
    """
    out: list[dict[str, Any]] = []
    for geometry, properties, feature_id in features:
        feature: dict[str, Any] = {"type": "Feature"}
        if feature_id is not None:
            if isinstance(feature_id, bool) or not isinstance(feature_id, (str, int, float, Decimal)):
                raise ValueError(
                    f"a feature id must be a string or a number, not {type(feature_id).__name__}"
                )
            feature["id"] = _number(feature_id) if not isinstance(feature_id, str) else feature_id
        feature["geometry"] = None if geometry is None else _geometry(geometry)
        if properties is not None and not isinstance(properties, Mapping):
            raise ValueError("feature properties must be an object or None")
        feature["properties"] = None if properties is None else _json(properties)
        if bbox and feature["geometry"] is not None:
            box = _bbox([feature["geometry"]])
            if box is not None:
                feature["bbox"] = box
        out.append(feature)
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": out}
    if bbox:
        box = _bbox([f["geometry"] for f in out if f["geometry"] is not None])
        if box is not None:
            collection["bbox"] = box
    return collection


def _geometry(geometry: Mapping[str, Any]) -> dict[str, Any]:
    kind = geometry.get("type")
    if not isinstance(kind, str):
        raise ValueError("a geometry needs a type")
    if kind == "GeometryCollection":
        return {"type": kind, "geometries": [_geometry(g) for g in geometry.get("geometries", [])]}
    return {"type": kind, "coordinates": _coordinates(geometry.get("coordinates"))}


def _coordinates(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        if value and not isinstance(value[0], (list, tuple)):
            if len(value) < 2:
                raise ValueError("a position needs at least longitude and latitude")
            return [_number(v) for v in value]
        return [_coordinates(v) for v in value]
    raise ValueError("coordinates must be nested arrays of numbers")


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError(f"expected a number, got {type(value).__name__}")
    if isinstance(value, int):
        return value
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("coordinates must be finite")
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return number


def _json(value: Any) -> Any:
    """Properties made JSON-ready: Decimals to numbers, tuples to lists, keys to strings."""
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, Decimal):
        return _number(value)
    return value


def _bbox(geometries: list[dict[str, Any]]) -> list[float] | None:
    xs: list[float] = []
    ys: list[float] = []

    def walk(geometry: dict[str, Any]) -> None:
        if geometry["type"] == "GeometryCollection":
            for g in geometry["geometries"]:
                walk(g)
            return
        stack = [geometry["coordinates"]]
        while stack:
            item = stack.pop()
            if item and not isinstance(item[0], list):
                xs.append(float(item[0]))
                ys.append(float(item[1]))
            else:
                stack.extend(item)

    for geometry in geometries:
        walk(geometry)
    if not xs:
        return None
    return [min(xs), min(ys), max(xs), max(ys)]
