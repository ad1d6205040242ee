"""The organisation's jurisdiction: the area it polices, a GeoJSON Polygon or MultiPolygon validated as
watch-group boundaries are (``argus.geo.parse_area``: at most 10,000 positions and 2,500 km²). Crime
pattern runs analyse it (docs/patterns.md, *The study area*); without one they analyse the union of the
organisation's watch groups. Everyone of the organisation may read it; only administrators set it."""

from __future__ import annotations

from typing import Any

from argus.organisations import events, store
from argus.organisations.model import Jurisdiction
from argus.platform import clock
from argus.platform.auth.principal import Principal, Role
from argus.platform.errors import Forbidden
from argus.platform.outbox import UnitOfWork

M2_PER_KM2 = 1_000_000.0


def set_jurisdiction(principal: Principal, boundary: Any | None) -> Jurisdiction | None:
    """Set (or, with None, clear) the caller's organisation's jurisdiction (administrators only, else
    FORBIDDEN; a boundary that is not a valid area is BAD_USER_INPUT with its reason). The change and
    ``org.argus.organisation.jurisdiction-changed.v1`` (its area and box, never the polygon) commit
    together."""
    if not principal.has_any_role(Role.ADMIN):
        raise Forbidden("Only administrators may set the organisation's jurisdiction.")
    uow = UnitOfWork()
    if boundary is None:
        store.remove_jurisdiction(uow, principal.org_id)
        uow.emit(events.jurisdiction_changed(principal.org_id, None, None, actor=principal.sub))
        uow.commit()
        return None
    from argus.geo import parse_area  # shapely: loaded by the first change, not with the API

    area = parse_area(boundary, fix_orientation=True)
    jurisdiction = Jurisdiction(
        boundary=area.geojson,
        area_km2=round(area.area_m2 / M2_PER_KM2, 3),
        bbox=area.bbox,
        updated_at=clock.now(),
        updated_by=principal.sub,
    )
    store.put_jurisdiction(uow, principal.org_id, jurisdiction)
    uow.emit(
        events.jurisdiction_changed(
            principal.org_id, jurisdiction.area_km2, jurisdiction.bbox, actor=principal.sub
        )
    )
    uow.commit()
    return jurisdiction


def jurisdiction_of(principal: Principal) -> Jurisdiction | None:
    """The caller's organisation's jurisdiction, if one is set (anyone of the organisation)."""
    return store.get_jurisdiction(principal.org_id)
