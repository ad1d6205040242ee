"""Geography: validated GeoJSON areas, containment, the H3 point index, GeoJSON export, synthetic cities.

Import what you need from here; names load lazily so that ``argus.geo.export`` (standard library only)
does not pull in shapely, h3 or numpy, and nothing in the GraphQL cold path pays for them until a geo
feature is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from argus.geo.area import (
        CONTAINMENT_TOLERANCE_DEG,
        Area,
        ensure_disjoint,
        ensure_within,
        spherical_area_m2,
    )
    from argus.geo.errors import Reason
    from argus.geo.export import feature_collection
    from argus.geo.geojson import COORDINATE_DECIMALS, MAX_AREA_M2, MAX_VERTICES, parse_area
    from argus.geo.index import (
        INDEX_RESOLUTION,
        AreaIndex,
        candidates_for_point,
        cell_for_point,
        cells_for,
    )
    from argus.geo.placement import Placement, WatchAreaIndex
    from argus.geo.synthetic import GroupLayout, NamedArea, SyntheticCity, demo_neighbourhood, synthetic_city

_EXPORTS = {
    "Area": "area",
    "CONTAINMENT_TOLERANCE_DEG": "area",
    "ensure_within": "area",
    "ensure_disjoint": "area",
    "spherical_area_m2": "area",
    "Reason": "errors",
    "feature_collection": "export",
    "COORDINATE_DECIMALS": "geojson",
    "MAX_AREA_M2": "geojson",
    "MAX_VERTICES": "geojson",
    "parse_area": "geojson",
    "INDEX_RESOLUTION": "index",
    "AreaIndex": "index",
    "candidates_for_point": "index",
    "cell_for_point": "index",
    "cells_for": "index",
    "Placement": "placement",
    "WatchAreaIndex": "placement",
    "GroupLayout": "synthetic",
    "NamedArea": "synthetic",
    "SyntheticCity": "synthetic",
    "demo_neighbourhood": "synthetic",
    "synthetic_city": "synthetic",
}

__all__ = [
    "CONTAINMENT_TOLERANCE_DEG",
    "COORDINATE_DECIMALS",
    "INDEX_RESOLUTION",
    "MAX_AREA_M2",
    "MAX_VERTICES",
    "Area",
    "AreaIndex",
    "GroupLayout",
    "NamedArea",
    "Placement",
    "Reason",
    "SyntheticCity",
    "WatchAreaIndex",
    "candidates_for_point",
    "cell_for_point",
    "cells_for",
    "demo_neighbourhood",
    "ensure_disjoint",
    "ensure_within",
    "feature_collection",
    "parse_area",
    "spherical_area_m2",
    "synthetic_city",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'argus.geo' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"argus.geo.{module}"), name)
    globals()[name] = value
    return value
