"""Demo data of the watch domain: one real-looking programme in the demo organisation — a group over
Clerkenwell with 12 blocks, a captain for each, about 40 households per block, activities, a mentoring
pair and a few enrolments waiting for approval. Generated (deterministic), never read from files."""

from __future__ import annotations

import random
from datetime import timedelta

from argus.platform import clock
from argus.platform.auth.principal import Principal, Role
from argus.watch.model import ActivityKind, GroupStatus
from argus.watch.service import captains, groups, members, roster_import
from argus.watch.store import groups as group_store

DEMO_CAPTAINS = 12
HOUSEHOLDS_PER_BLOCK = 40
PENDING_PER_BLOCK = 2

_FIRST = (
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Efe",
    "Fatima",
    "George",
    "Hana",
    "Isaac",
    "Jade",
    "Kwame",
    "Leah",
    "Mo",
    "Nia",
    "Owen",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Vik",
    "Wen",
    "Yusuf",
    "Zara",
)
_LAST = (
    "Adeyemi",
    "Brown",
    "Campbell",
    "Das",
    "Evans",
    "Fernandes",
    "Green",
    "Hussain",
    "Ito",
    "Jones",
    "Khan",
    "Lewis",
    "Murphy",
    "Nowak",
    "O'Brien",
    "Patel",
    "Quinn",
    "Rossi",
    "Smith",
    "Taylor",
    "Walsh",
)


def captain_sub(index: int) -> str:
    return f"demo-captain-{index + 1:02d}"


def seed_watch_demo(org_id: str, officer_sub: str) -> str | None:
    """Create the demo programme unless the organisation already has a watch group. Returns its id."""
    from argus.geo import demo_neighbourhood

    officer = Principal(sub=officer_sub, org_id=org_id, roles=frozenset({Role.OFFICER}))
    if group_store.list_groups(org_id, 1, None).items:
        return None
    rng = random.Random(20261121)
    layout = demo_neighbourhood()
    resident = Principal(sub="demo-resident-founder", org_id=org_id, roles=frozenset({Role.RESIDENT}))
    group = groups.propose_group(
        resident,
        {
            "name": layout.name,
            "description": "Residents of the streets between Amwell Street and Farringdon Road looking "
            "out for each other, working with the Clerkenwell Safer Neighbourhood Team.",
            "boundary": layout.boundary.geojson,
        },
    )
    for k in range(30):
        voter = Principal(sub=f"demo-resident-{k:03d}", org_id=org_id, roles=frozenset({Role.RESIDENT}))
        groups.answer_survey(voter, group.id, interested=k % 5 != 0, willing_to_captain=k % 7 == 0)
    groups.change_status(
        officer,
        {
            "group_id": group.id,
            "status": "registered",
            "reason": "Boundary agreed with the Safer Neighbourhood Team",
        },
    )
    for index, named in enumerate(layout.blocks):
        block = groups.add_block(
            officer, {"group_id": group.id, "name": named.name, "area": named.area.geojson}
        )
        sub = captain_sub(index)
        captains.assign_captain(officer, group.id, block.id, sub)
        captain = Principal(sub=sub, org_id=org_id, roles=frozenset({Role.CAPTAIN}))
        street = named.name
        households = []
        for house in range(HOUSEHOLDS_PER_BLOCK):
            people = []
            for person in range(1 + (rng.random() < 0.35)):
                name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
                people.append(
                    {
                        "display_name": name,
                        "sub": f"demo-member-{index:02d}-{house:02d}-{person}",
                        "channels": [
                            {
                                "channel": "email",
                                "address": f"{name.split()[0].lower()}.{index}.{house}@demo.example",
                                "consent_wording": "I agree to receive watch alerts by email.",
                            }
                        ],
                    }
                )
            households.append(
                {"address": {"line1": f"{2 * house + 1} {street}", "postcode": "EC1R 4QX"}, "members": people}
            )
        roster_import.import_roster(
            captain, {"group_id": group.id, "block_id": block.id, "households": households}
        )
        for pending in range(PENDING_PER_BLOCK):
            applicant = Principal(
                sub=f"demo-applicant-{index:02d}-{pending}", org_id=org_id, roles=frozenset({Role.RESIDENT})
            )
            members.enrol(
                applicant,
                {
                    "group_id": group.id,
                    "block_id": block.id,
                    "display_name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
                    "address": {"line1": f"{200 + pending} {street}", "postcode": "EC1R 4QX"},
                },
            )
        for days_ago in (1, 3, 8):
            captains.log_activity(
                captain,
                {
                    "group_id": group.id,
                    "block_id": block.id,
                    "kind": rng.choice(
                        [ActivityKind.PATROL, ActivityKind.DOOR_KNOCK, ActivityKind.LEAFLETING]
                    ).value,
                    "hours": rng.choice([0.5, 1.0, 1.5, 2.0]),
                    "occurred_on": (clock.now() - timedelta(days=days_ago)).date().isoformat(),
                    "note": "Walked the block; nothing to report."
                    if days_ago > 1
                    else "Spoke to two new neighbours.",
                },
            )
    groups.record_first_meeting(officer, group.id)
    groups.change_status(
        officer,
        {
            "group_id": group.id,
            "status": GroupStatus.ACTIVE.value,
            "reason": "First meeting held at the Finsbury Library",
        },
    )
    captains.link_mentor(officer, group.id, captain_sub(0), captain_sub(DEMO_CAPTAINS - 1))
    return group.id
