"""Turning client GeoJSON (RFC 7946) into a validated, normalised :class:`~argus.geo.area.Area`.

The checks run cheapest first, so hostile input is refused before any geometry is built: the object's
shape, then the vertex count (a 100k-vertex polygon is refused after counting rings, without looking at a
single position), then each position, then ring closure, and only then GEOS (via shapely) for validity.

Orientation (RFC 7946 §3.1.6, the right-hand rule): exterior rings counter-clockwise, holes clockwise. The
RFC tells parsers not to reject other orientations, but Argus stores and exports only right-hand-rule
geometry and will not silently rewrite a boundary someone drew, so the API refuses a wrong orientation
(reason ``wrong_orientation``) unless the client asks for it to be fixed with ``fixOrientation: true``
(``fix_orientation=True`` here), in which case the rings are reversed and ``Area.orientation_fixed`` says so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon

from argus.geo.area import Area, spherical_area_m2
from argus.geo.errors import Reason, geo_error

MAX_VERTICES = 10_000
"""Positions allowed in one area, all rings together (closing positions included)."""

MAX_AREA_M2 = 2_500_000_000.0
"""Largest watch group boundary: 2,500 km² (a large city district; anything bigger is a mistake)."""

COORDINATE_DECIMALS = 7
"""Stored precision: 1e-7 degrees is ~1.1 cm, far below anything drawn on a map."""

ACCEPTED_TYPES = ("Polygon", "MultiPolygon")

_Ring = list[list[float]]
_Rings = list[_Ring]
_LOCATION = re.compile(r"\[\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)")


def parse_area(
    geojson: Any, *, fix_orientation: bool = False, max_area_m2: float | None = MAX_AREA_M2
) -> Area:
    """Validate a GeoJSON Polygon or MultiPolygon (or a Feature wrapping one) and normalise it.

    Normalisation: positions become 2D ``[lon, lat]`` floats rounded to COORDINATE_DECIMALS (an altitude is
    dropped), consecutive duplicate positions are removed, foreign members and ``bbox`` are dropped (the
    Area carries its own bbox). ``max_area_m2=None`` lifts the size limit (the default is the watch group
    limit, MAX_AREA_M2).

    Raises BadUserInput with ``details["reason"]`` one of: not_geojson, wrong_type, empty, bad_bbox,
    too_many_vertices, too_few_positions, bad_position, coordinates_out_of_range, ring_not_closed,
    self_intersection, hole_outside_shell, invalid_geometry, wrong_orientation, too_large.
    """
    geometry, prefix = _unwrap(geojson)
    kind = geometry["type"]
    _check_bbox(geometry, prefix)
    polygons = _polygon_lists(geometry, prefix)
    vertex_count = sum(len(ring) for rings in polygons for ring in rings)
    if vertex_count > MAX_VERTICES:
        raise geo_error(
            Reason.TOO_MANY_VERTICES,
            f"The {kind} has {vertex_count} positions; at most {MAX_VERTICES} are allowed. Simplify it.",
            limit=MAX_VERTICES,
            actual=vertex_count,
        )
    rings_per_polygon = [
        [_normalised_ring(ring, _path(prefix, kind, p, r)) for r, ring in enumerate(rings)]
        for p, rings in enumerate(polygons)
    ]
    shape = _build(kind, rings_per_polygon)
    _check_valid(shape, kind)
    shape, fixed = _check_orientation(shape, kind, prefix, fix_orientation)
    area_m2 = spherical_area_m2(shape)
    if max_area_m2 is not None and area_m2 > max_area_m2:
        raise geo_error(
            Reason.TOO_LARGE,
            f"The area is {_readable(area_m2)}; at most {_readable(max_area_m2)} is allowed.",
            areaM2=round(area_m2),
            maxAreaM2=round(max_area_m2),
        )
    west, south, east, north = (float(v) for v in shape.bounds)
    return Area(
        geojson=_to_geojson(shape),
        geometry=shape,
        area_m2=area_m2,
        bbox=(west, south, east, north),
        vertex_count=sum(len(ring) for rings in rings_per_polygon for ring in rings),
        orientation_fixed=fixed,
    )


def _readable(m2: float) -> str:
    return f"{m2 / 1e6:,.1f} km²" if m2 >= 100_000 else f"{m2:,.0f} m²"


# --- the object's shape ------------------------------------------------------------------------------


def _unwrap(obj: Any) -> tuple[dict[str, Any], str]:
    """The geometry object and the path prefix to report positions with (``geometry.`` in a Feature)."""
    kind = _type_of(obj, "")
    if kind != "Feature":
        _check_geometry_type(kind, "type")
        return obj, ""
    if "id" in obj and (isinstance(obj["id"], bool) or not isinstance(obj["id"], (str, int, float))):
        raise geo_error(Reason.NOT_GEOJSON, "A Feature's id must be a string or a number.", path="id")
    if "properties" not in obj or not isinstance(obj["properties"], (dict, type(None))):
        raise geo_error(
            Reason.NOT_GEOJSON, "A Feature needs a properties member (an object or null).", path="properties"
        )
    if "geometry" not in obj:
        raise geo_error(Reason.NOT_GEOJSON, "A Feature needs a geometry member.", path="geometry")
    _check_bbox(obj, "")
    if obj["geometry"] is None:
        raise geo_error(Reason.EMPTY, "The Feature has no geometry (null).", path="geometry")
    _check_geometry_type(_type_of(obj["geometry"], "geometry."), "geometry.type")
    return obj["geometry"], "geometry."


def _type_of(obj: Any, prefix: str) -> str:
    if not isinstance(obj, dict):
        raise geo_error(Reason.NOT_GEOJSON, "Expected a GeoJSON object.", path=prefix.rstrip(".") or None)
    kind = obj.get("type")
    if not isinstance(kind, str):
        raise geo_error(
            Reason.NOT_GEOJSON, "A GeoJSON object needs a string type member.", path=f"{prefix}type"
        )
    return kind


def _check_geometry_type(kind: str, path: str) -> None:
    if kind not in ACCEPTED_TYPES:
        raise geo_error(
            Reason.WRONG_TYPE,
            f"Expected a Polygon or MultiPolygon (or a Feature with one), got {kind[:40]!r}.",
            path=path,
            expected=list(ACCEPTED_TYPES),
            actual=kind[:40],
        )


def _check_bbox(obj: dict[str, Any], prefix: str) -> None:
    if "bbox" not in obj:
        return
    box = obj["bbox"]
    numbers = [_finite(v) for v in box] if isinstance(box, list) and len(box) in (4, 6) else [None]
    ok = None not in numbers
    if ok:
        half = len(numbers) // 2
        west, south, east, north = (float(numbers[i] or 0.0) for i in (0, 1, half, half + 1))
        ok = _in_range(west, south) and _in_range(east, north) and south <= north
    if not ok:
        raise geo_error(
            Reason.BAD_BBOX,
            "bbox must be [west, south, east, north] (or with min/max altitude) in range.",
            path=f"{prefix}bbox",
        )


def _polygon_lists(geometry: dict[str, Any], prefix: str) -> list[list[list[Any]]]:
    """The coordinates as a list of polygons, each a list of rings (each a list, unchecked positions)."""
    kind = geometry["type"]
    coords = geometry.get("coordinates")
    if not isinstance(coords, list):
        raise geo_error(
            Reason.NOT_GEOJSON, f"A {kind} needs a coordinates array.", path=f"{prefix}coordinates"
        )
    if not coords:
        raise geo_error(Reason.EMPTY, f"The {kind} has no coordinates.", path=f"{prefix}coordinates")
    polygons = [coords] if kind == "Polygon" else coords
    for p, rings in enumerate(polygons):
        where = _path(prefix, kind, p)
        if not isinstance(rings, list):
            raise geo_error(Reason.NOT_GEOJSON, "Each polygon must be an array of rings.", path=where)
        if not rings:
            raise geo_error(Reason.EMPTY, "A polygon of the MultiPolygon has no rings.", path=where)
        for r, ring in enumerate(rings):
            if not isinstance(ring, list):
                raise geo_error(
                    Reason.NOT_GEOJSON,
                    "Each ring must be an array of positions.",
                    path=_path(prefix, kind, p, r),
                )
    return polygons


def _path(prefix: str, kind: str, polygon: int, *rest: int) -> str:
    indexes = rest if kind == "Polygon" else (polygon, *rest)
    return f"{prefix}coordinates" + "".join(f"[{i}]" for i in indexes)


# --- positions and rings -----------------------------------------------------------------------------


def _finite(value: Any) -> float | None:
    """The value as a finite float, or None (booleans, strings, NaN, infinities, overflowing ints)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _finite_position(position: Any) -> tuple[float, ...] | None:
    if not isinstance(position, list) or not 2 <= len(position) <= 3:
        return None
    numbers = tuple(_finite(v) for v in position)
    return None if None in numbers else numbers  # type: ignore[return-value]


def _in_range(lon: float, lat: float) -> bool:
    return -180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0


def _normalised_ring(ring: list[Any], path: str) -> _Ring:
    """Check a ring's positions and closure; return it rounded, 2D, without consecutive duplicates."""
    if len(ring) < 4:
        raise geo_error(
            Reason.TOO_FEW_POSITIONS,
            f"A ring needs at least 4 positions (the last repeating the first); {path} has {len(ring)}.",
            path=path,
        )
    values: list[tuple[float, ...]] = []
    for i, position in enumerate(ring):
        value = _finite_position(position)
        if value is None:
            raise geo_error(
                Reason.BAD_POSITION,
                f"Each position must be [longitude, latitude] or [longitude, latitude, altitude] "
                f"with finite numbers; {path}[{i}] is not.",
                path=f"{path}[{i}]",
            )
        if not _in_range(value[0], value[1]):
            raise geo_error(
                Reason.COORDINATES_OUT_OF_RANGE,
                f"Longitude must be in [-180, 180] and latitude in [-90, 90] (longitude first); "
                f"{path}[{i}] is out of range.",
                path=f"{path}[{i}]",
            )
        values.append(value)
    if values[0] != values[-1]:
        raise geo_error(
            Reason.RING_NOT_CLOSED,
            f"A ring's last position must repeat its first; {path} is not closed.",
            path=path,
        )
    rounded: _Ring = []
    for value in values:
        point = [round(value[0], COORDINATE_DECIMALS) + 0.0, round(value[1], COORDINATE_DECIMALS) + 0.0]
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if len(rounded) < 4:
        raise geo_error(
            Reason.INVALID_GEOMETRY,
            f"The ring at {path} collapses to fewer than 3 distinct corners.",
            path=path,
        )
    return rounded


# --- geometry ----------------------------------------------------------------------------------------


def _build(kind: str, rings_per_polygon: list[_Rings]) -> Polygon | MultiPolygon:
    polygons = [Polygon(rings[0], rings[1:]) for rings in rings_per_polygon]
    return polygons[0] if kind == "Polygon" else MultiPolygon(polygons)


def _check_valid(shape: Polygon | MultiPolygon, kind: str) -> None:
    explanation = str(shapely.is_valid_reason(shape))
    if explanation == "Valid Geometry":
        return
    found = _LOCATION.search(explanation)
    location = [float(found.group(1)), float(found.group(2))] if found else None
    if explanation.startswith(("Self-intersection", "Ring Self-intersection")):
        reason, what = Reason.SELF_INTERSECTION, f"The {kind} intersects itself"
    elif explanation.startswith("Hole lies outside shell"):
        reason, what = Reason.HOLE_OUTSIDE_SHELL, "A hole lies outside its polygon's exterior ring"
    else:
        reason, what = (
            Reason.INVALID_GEOMETRY,
            f"The {kind} is not a valid area ({explanation.split('[')[0]})",
        )
    at = f" at [{location[0]}, {location[1]}]" if location else ""
    raise geo_error(reason, f"{what}{at}.", location=location, explanation=explanation.split("[")[0])


def _check_orientation(
    shape: Polygon | MultiPolygon, kind: str, prefix: str, fix: bool
) -> tuple[Polygon | MultiPolygon, bool]:
    polygons: Sequence[Polygon] = shape.geoms if isinstance(shape, MultiPolygon) else (shape,)
    wrong: list[str] = []
    for p, polygon in enumerate(polygons):
        if not polygon.exterior.is_ccw:
            wrong.append(_path(prefix, kind, p, 0))
        wrong.extend(_path(prefix, kind, p, h + 1) for h, hole in enumerate(polygon.interiors) if hole.is_ccw)
    if not wrong:
        return shape, False
    if not fix:
        raise geo_error(
            Reason.WRONG_ORIENTATION,
            "Rings must follow the right-hand rule (RFC 7946 §3.1.6): exterior rings counter-clockwise, "
            f"holes clockwise; {', '.join(wrong[:3])} {'is' if len(wrong) == 1 else 'are'} not. "
            "Reverse them, or send fixOrientation: true to have them reversed.",
            path=wrong[0],
            rings=wrong[:20],
            fix="fixOrientation",
        )
    fixed = shapely.orient_polygons(shape, exterior_cw=False)
    return fixed, True


def _to_geojson(shape: Polygon | MultiPolygon) -> dict[str, Any]:
    def rings(polygon: Polygon) -> list[_Ring]:
        return [[[x, y] for x, y in ring.coords] for ring in (polygon.exterior, *polygon.interiors)]

    if isinstance(shape, MultiPolygon):
        return {"type": "MultiPolygon", "coordinates": [rings(p) for p in shape.geoms]}
    return {"type": "Polygon", "coordinates": rings(shape)}
