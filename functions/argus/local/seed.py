"""Demo data for the local stack: the organisation ``demo`` with an admin and an officer, and its
jurisdiction (the area of the demo incidents, where pattern runs look)."""

from __future__ import annotations

from dataclasses import dataclass

from argus.organisations import jurisdiction, service, store
from argus.platform.auth.principal import Principal, Role

DEMO_ORG = "demo"
DEMO_ADMIN_SUB = "demo-admin"
DEMO_OFFICER_SUB = "demo-officer"
# (west, south, east, north): from King's Cross to Old Street, from Barnsbury to Farringdon (about 10 km²),
# the area of the demo incidents (argus.local.seed_incidents.AREA).
DEMO_JURISDICTION = (-0.1290, 51.5180, -0.0830, 51.5400)


@dataclass(frozen=True)
class DemoPeople:
    admin_sub: str
    officer_sub: str


def seed_demo() -> DemoPeople:
    """Create the demo organisation and its people unless they exist (safe to run again)."""
    admin = Principal(sub=DEMO_ADMIN_SUB, org_id=DEMO_ORG, roles=frozenset({Role.ADMIN}))
    if store.get_organisation(DEMO_ORG) is None:
        service.create_organisation(
            admin,
            {
                "name": "Demo Constabulary",
                "slug": "demo-constabulary",
                "timezone": "Europe/London",
                "locale": "en-GB",
                "privacy": {"min_cell_size": 10, "generalise_locations": True, "publication_delay_days": 30},
                "contacts": [
                    {"kind": "email", "value": "neighbourhood@demo.example", "label": "Neighbourhood team"},
                    {"kind": "phone", "value": "101", "label": "Non-emergency"},
                ],
            },
        )
    for sub, name, email, roles in (
        (DEMO_ADMIN_SUB, "Alex Admin", "alex.admin@demo.example", ["admin"]),
        (DEMO_OFFICER_SUB, "Olu Officer", "olu.officer@demo.example", ["officer"]),
    ):
        if store.get_user(DEMO_ORG, sub) is None:
            service.add_staff_member(
                admin, {"sub": sub, "display_name": name, "email": email, "roles": roles}
            )
    if store.get_jurisdiction(DEMO_ORG) is None:
        west, south, east, north = DEMO_JURISDICTION
        ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
        jurisdiction.set_jurisdiction(admin, {"type": "Polygon", "coordinates": [ring]})
    return DemoPeople(DEMO_ADMIN_SUB, DEMO_OFFICER_SUB)
