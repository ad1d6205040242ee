"""`argus patterns evaluate`: PAI and PEI at 1% and 5% of the study area on a synthetic city with planted
hotspots and on the Chicago sample, emerging categories, random cubes and random maps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from argus.cli import main
from argus.patterns import evaluation
from argus.patterns.stats import box_geometry, study_cells


def test_planted_hotspots_are_forecast_far_better_than_chance() -> None:
    # Given a city whose planted hotspots recur week after week
    result = evaluation.synthetic(seed=3, n=30_000)
    # Then flagging 1% of the area from the training weeks catches many times its share of later incidents
    for method, scores in result.scores.items():
        at_1, at_5 = scores
        assert (at_1.coverage, at_5.coverage) == (0.01, 0.05)
        assert at_1.pai > 4, (method, at_1)
        assert at_1.pai >= at_5.pai > 1, (method, at_5)
        assert 0 < at_1.pei <= 1 and 0 < at_5.pei <= 1
    assert result.train_weeks + result.test_weeks == 52
    # A is the city's square: every whole cell, empty or not
    assert result.cells == 4090 and result.area_km2 == pytest.approx(385.19, abs=0.01)


def test_spatially_uniform_incidents_are_not_forecast_better_than_chance() -> None:
    # Given incidents spread uniformly (no hotspots), a forecast catches about its share of the area
    rng = np.random.default_rng(5)
    lat, lng = rng.uniform(51.45, 51.55, 30_000), rng.uniform(-0.2, -0.05, 30_000)
    day = rng.uniform(0, 7 * 52, 30_000)
    area = study_cells(box_geometry(51.45, -0.2, 51.55, -0.05), 9)
    result = evaluation.evaluate("uniform", lat, lng, day, area=area, area_name="the box")
    for scores in result.scores.values():
        for score in scores:
            assert score.pai < 2.5, score


def test_the_command_prints_both_evaluations(shared_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chicago = shared_dir / "datasets" / "chicago-2016-extract" / "example.csv"
    assert main(["patterns", "evaluate", "--chicago", str(chicago)]) == 0
    out = capsys.readouterr().out
    assert "synthetic city" in out and "Chicago sample (example.csv)" in out
    assert out.count(" 1% ") == 4 and out.count(" 5% ") == 4  # two rankings x two data sets
    assert "PAI" in out and "PEI" in out and "PEI*" not in out
    assert "the convex hull of the sample's incidents" in out
    assert "spatially random cubes" in out and "false discoveries on spatially random maps" in out
    for kind in evaluation.EXPECTED:
        assert f"  {kind} " in out
