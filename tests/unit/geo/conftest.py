"""Shared fixtures for the geo unit tests."""

from __future__ import annotations

import pytest
from argus.geo import SyntheticCity, synthetic_city


@pytest.fixture(scope="session")
def small_city() -> SyntheticCity:
    """30 watch groups of 12 blocks each around Charing Cross."""
    return synthetic_city(11, groups=30)
