"""Watch groups and block captains: formation, boundaries and blocks, rosters, captain hub, live activity."""
