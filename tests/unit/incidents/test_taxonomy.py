"""The category taxonomy covers every data.police.uk category and maps imports' types to it."""

from __future__ import annotations

from argus.incidents.taxonomy import CATEGORIES, CHICAGO, Category, from_chicago, from_police_uk

POLICE_UK_SLUGS = {
    "anti-social-behaviour", "bicycle-theft", "burglary", "criminal-damage-arson", "drugs", "other-theft",
    "possession-of-weapons", "public-order", "robbery", "shoplifting", "theft-from-the-person",
    "vehicle-crime", "violent-crime", "other-crime",
}  # fmt: skip


def test_every_police_uk_category_has_exactly_one_of_ours() -> None:
    assert {c.police_uk for c in CATEGORIES.values()} == POLICE_UK_SLUGS
    assert set(CATEGORIES) == set(Category)
    for info in CATEGORIES.values():
        assert from_police_uk(info.police_uk) == info.id
        assert from_police_uk(info.police_uk_label.upper()) == info.id


def test_imports_map_labels_and_types() -> None:
    assert from_police_uk("Violence and sexual offences") == Category.VIOLENCE
    assert from_police_uk(" Anti-social  behaviour ") == Category.ANTI_SOCIAL_BEHAVIOUR
    assert from_police_uk("Jaywalking") is None
    assert from_chicago("motor vehicle theft") == Category.VEHICLE_CRIME
    assert from_chicago("NON-CRIMINAL") is None
    assert set(CHICAGO.values()) <= set(Category)
