"""`argus patterns evaluate`: PAI and PEI* at 1% and 5% of the area on a synthetic city with planted
hotspots and on the Chicago sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from argus.cli import main
from argus.patterns import evaluation


def test_planted_hotspots_are_forecast_far_better_than_chance() -> None:
    # Given a city whose planted hotspots recur week after week
    result = evaluation.synthetic(seed=3, n=30_000)
    # Then flagging 1% of the area from the training weeks catches many times its share of later incidents
    for method, scores in result.scores.items():
        at_1, at_5 = scores
        assert (at_1.coverage, at_5.coverage) == (0.01, 0.05)
        assert at_1.pai > 4, (method, at_1)
        assert at_1.pai >= at_5.pai > 1, (method, at_5)
        assert 0 < at_1.pei_star <= 1 and 0 < at_5.pei_star <= 1
    assert result.train_weeks + result.test_weeks == 52


def test_spatially_uniform_incidents_are_not_forecast_better_than_chance() -> None:
    # Given incidents spread uniformly (no hotspots), a forecast catches about its share of the area
    rng = np.random.default_rng(5)
    lat, lng = rng.uniform(51.45, 51.55, 30_000), rng.uniform(-0.2, -0.05, 30_000)
    day = rng.uniform(0, 7 * 52, 30_000)
    result = evaluation.evaluate("uniform", lat, lng, day)
    for scores in result.scores.values():
        for score in scores:
            assert score.pai < 2.5, score


def test_the_command_prints_both_evaluations(shared_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chicago = shared_dir / "datasets" / "chicago-2016-extract" / "example.csv"
    assert main(["patterns", "evaluate", "--chicago", str(chicago)]) == 0
    out = capsys.readouterr().out
    assert "synthetic city" in out and "Chicago sample (example.csv)" in out
    assert out.count(" 1% ") == 4 and out.count(" 5% ") == 4  # two rankings x two data sets
    assert "PAI" in out and "PEI*" in out
