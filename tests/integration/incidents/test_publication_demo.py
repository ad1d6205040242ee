"""The demo organisation's incidents (as `make dev` loads them) on a resident's map: nothing of the last
30 days, no group under 10, and most records still shown."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from argus.incidents.service import maps
from argus.local import seed_incidents as demo
from argus.local.seed import DEMO_ORG
from argus.platform import clock
from argus.platform.auth.principal import Principal, Role

from tests.fakes.aws import ArgusAws
from tests.integration.test_seed_incidents import seeded_programme


def test_the_demo_map_below_staff_follows_the_demo_privacy_settings(
    aws: ArgusAws, fixed_clock: clock.FixedClock
) -> None:
    # Given the demo programme and its twelve weeks of incidents, with the demo's 10 / 8 / 30 days
    officer, _ = seeded_programme(aws)
    demo.seed_incidents_demo(DEMO_ORG, officer.sub, now=fixed_clock.current)
    now, start = fixed_clock.current, fixed_clock.current - timedelta(weeks=demo.WEEKS)
    staff = maps.incidents_geojson(officer, start, now)["features"]
    # When a resident asks for the same weeks
    resident = Principal(sub="resident-rowe", org_id=DEMO_ORG, roles=frozenset({Role.RESIDENT}))
    seen = maps.incidents_geojson(resident, start, now)
    applied = seen["publication"]
    # Then nothing known in the last 30 days is counted, and every group counts at least 10
    published_before = applied["publishedBefore"]
    assert published_before <= clock.iso(now - timedelta(days=30))
    assert all(f["properties"]["month"] < published_before[:7] for f in seen["features"])
    assert min(f["properties"]["count"] for f in seen["features"]) >= 10
    # And most of what is old enough is still shown, in cells of resolution 8 where it can be
    eligible = sum(1 for f in staff if f["properties"]["occurredFrom"] < published_before)
    assert applied["records"] == sum(f["properties"]["count"] for f in seen["features"])
    assert applied["records"] >= 0.8 * eligible, (applied, eligible)
    assert Counter(f["properties"]["resolution"] for f in seen["features"]).most_common(1)[0][0] == 8
