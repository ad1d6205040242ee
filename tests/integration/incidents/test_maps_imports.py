"""Maps (published counts below staff, exact for staff) and imports of the shared police.uk and Chicago
samples (per-row report, idempotent re-import, wrong header, malformed rows)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argus.geo import cell_for_point, cells
from argus.incidents.service import imports, maps, reports
from argus.organisations import service as organisations
from argus.platform import clock
from argus.platform.errors import BadUserInput, Forbidden

from tests.factories.organisations import organisation_draft
from tests.factories.principals import admin
from tests.fakes.aws import ArgusAws
from tests.integration.incidents.support import (
    captain,
    in_block,
    indexed_group,
    kinds,
    member,
    officer,
    police_uk_csv,
    report_input,
)
from tests.integration.watch.support import snapshot

MARCH = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC))


def test_members_see_published_counts_and_officers_exact_incidents(
    aws: ArgusAws, fixed_clock: clock.FixedClock
) -> None:
    # Given an organisation that publishes every record (a minimum of 1, no delay) and a reported burglary
    organisations.create_organisation(
        admin(), organisation_draft(privacy={"min_cell_size": 1, "publication_delay_days": 0})
    )
    _, blocks = indexed_group(aws)
    lon, lat = in_block(blocks[0])
    incident = reports.report(member(), report_input(lon, lat))
    # When a captain asks for March's map once March is over
    fixed_clock.current = datetime(2026, 4, 1, tzinfo=UTC)
    [seen] = maps.incidents_geojson(captain(), *MARCH)["features"]
    # Then it is a count for the polygon of the point's resolution-8 cell and the month, no text or id
    cell = cell_for_point(lon, lat, 8)
    assert seen["geometry"] == cells.polygon(cell)
    assert seen["properties"] == {
        "cell": cell,
        "resolution": 8,
        "month": "2026-03",
        "category": "burglary",
        "categoryLabel": "Burglary",
        "policeUkCategory": "burglary",
        "count": 1,
    }
    assert "id" not in seen
    # And an officer sees the exact point, times and description
    [exact] = maps.incidents_geojson(officer(), *MARCH)["features"]
    assert exact["id"] == incident.id and exact["geometry"]["coordinates"] == [lon, lat]
    assert exact["properties"]["description"] == incident.description


def test_the_map_filters_by_time_and_area(aws: ArgusAws) -> None:
    _, blocks = indexed_group(aws)
    lon, lat = in_block(blocks[0])
    reports.report(member(), report_input(lon, lat))
    february = (datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 2, 28, tzinfo=UTC))
    assert maps.incidents_geojson(officer(), *february)["features"] == []
    assert maps.incidents_geojson(officer(), *MARCH, bbox=[0.0, 51.0, 1.0, 52.0])["features"] == []
    assert (
        len(
            maps.incidents_geojson(officer(), *MARCH, bbox=[lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01])[
                "features"
            ]
        )
        == 1
    )
    with pytest.raises(BadUserInput):
        maps.incidents_geojson(officer(), MARCH[1], MARCH[0])
    with pytest.raises(BadUserInput):
        maps.incidents_geojson(officer(), *MARCH, bbox=[0.0, 53.0, 1.0, 52.0])


@pytest.mark.parametrize("sample", ["crime_data_mozfest.json", "all-crime_1.json"])
def test_police_uk_sample_round_trips(aws: ArgusAws, shared_dir: Path, sample: str) -> None:
    # Given the police.uk sample in the data.police.uk CSV layout
    text = police_uk_csv(shared_dir / "datasets" / "police-uk-2014-08" / sample)
    rows = len(list(csv.reader(io.StringIO(text)))) - 1
    # When an officer imports it
    first = imports.import_csv(officer(), "police-uk", text)
    # Then every row is accounted for, in order; repeated Crime IDs in the file are duplicates
    assert [r.row for r in first.rows] == list(range(1, rows + 1))
    assert first.rejected == 0 and first.imported + first.duplicates == rows
    assert first.duplicates == 8  # the samples repeat 8 persistent ids
    counts = kinds(aws)
    assert counts["incident"] == first.imported and counts["incident-import-key"] == first.imported
    # And importing it again creates nothing
    again = imports.import_csv(officer(), "police-uk", text)
    assert again.imported == 0 and again.duplicates == rows
    assert kinds(aws) == counts
    # And the map of August 2014 shows them
    august = (datetime(2014, 8, 1, tzinfo=UTC), datetime(2014, 8, 31, 23, 59, tzinfo=UTC))
    assert len(maps.incidents_geojson(officer(), *august)["features"]) == first.imported


def test_chicago_sample_round_trips(aws: ArgusAws, shared_dir: Path) -> None:
    text = (shared_dir / "datasets" / "chicago-2016-extract" / "example.csv").read_text(encoding="utf-8")
    first = imports.import_csv(officer(), "chicago", text)
    assert (first.imported, first.duplicates, first.rejected) == (1000, 0, 0)
    counts = kinds(aws)
    again = imports.import_csv(officer(), "chicago", text)
    assert (again.imported, again.duplicates) == (0, 1000)
    assert kinds(aws) == counts


def test_a_wrong_header_is_refused_whole(aws: ArgusAws) -> None:
    before = snapshot(aws)
    for fmt, text in [
        ("police-uk", "Case Number,Date,Block,Primary Type,Latitude,Longitude\r\nX,1,2,3,4,5\r\n"),
        ("chicago", ",".join(imports.POLICE_UK_HEADER) + "\r\n"),
        ("chicago", "Case Number,Date,Primary Type,Latitude\r\n"),
    ]:
        with pytest.raises(BadUserInput) as refused:
            imports.import_csv(officer(), fmt, text)
        assert refused.value.details["reason"] == "wrong_header"
    assert snapshot(aws) == before


def test_malformed_rows_are_reported_one_by_one(aws: ArgusAws) -> None:
    header = "Case Number,Date,Block,Primary Type,Latitude,Longitude\r\n"
    rows = [
        'HZ1,04/27/2016 01:44:00 PM,"073XX S COTTAGE GROVE AVE, REAR",BATTERY,41.76,-87.60',  # quoted comma
        'HZ2,04/27/2016 01:44:00 PM,"line one\nline two",THEFT,41.76,-87.60',  # newline in quotes
        "HZ3,27/04/2016 13:44,073XX S X,THEFT,41.76,-87.60",  # not the US date format
        "HZ4,04/27/2016 01:44:00 PM,073XX S X,NON-CRIMINAL,41.76,-87.60",  # no category
        "HZ5,04/27/2016 01:44:00 PM,073XX S X,THEFT,,",  # no location
        "HZ6,04/27/2016 01:44:00 PM,073XX S X,THEFT,141.76,-87.60",  # out of range
        "HZ7,04/27/2016 01:44:00 PM,073XX S X,THEFT",  # too few columns
        "HZ8,04/27/2036 01:44:00 PM,073XX S X,THEFT,41.76,-87.60",  # in the future
    ]
    report = imports.import_csv(officer(), "chicago", header + "\r\n".join(rows) + "\r\n")
    assert [(r.row, r.outcome.value, r.reason) for r in report.rows] == [
        (1, "imported", None),
        (2, "imported", None),
        (3, "rejected", "invalid_date"),
        (4, "rejected", "unknown_category"),
        (5, "rejected", "missing_location"),
        (6, "rejected", "coordinates_out_of_range"),
        (7, "rejected", "wrong_column_count"),
        (8, "rejected", "future_time"),
    ]
    assert kinds(aws)["incident"] == 2


def test_identical_rows_without_crime_id_stay_distinct_and_idempotent(aws: ArgusAws) -> None:
    row = ",2014-08,Met,Met,-0.012859,51.499798,On or near Marsh Wall,,,Anti-social behaviour,,"
    text = ",".join(imports.POLICE_UK_HEADER) + "\r\n" + "\r\n".join([row, row]) + "\r\n"
    assert imports.import_csv(officer(), "police-uk", text).imported == 2
    assert imports.import_csv(officer(), "police-uk", text).duplicates == 2


def test_only_officers_import(aws: ArgusAws) -> None:
    with pytest.raises(Forbidden):
        imports.import_csv(captain(), "chicago", "Case Number,Date,Primary Type,Latitude,Longitude\r\n")
