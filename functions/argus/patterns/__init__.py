"""Crime-pattern detection: hotspots, emerging hot spots, near repeats and forecast quality."""
