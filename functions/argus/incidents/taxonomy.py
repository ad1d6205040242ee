"""The incident categories: our own ids and labels, each mapped to one data.police.uk street-crime
category, with the mappings used to import police.uk and City of Chicago records.

police.uk publishes every crime under one of 14 categories (the ``crimes-street`` API slug, and a label
in the CSV downloads); our categories are those 14, so a report can be published the way police.uk
publishes crimes and imported records line up with reports."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    ANTI_SOCIAL_BEHAVIOUR = "anti_social_behaviour"
    BICYCLE_THEFT = "bicycle_theft"
    BURGLARY = "burglary"
    CRIMINAL_DAMAGE_ARSON = "criminal_damage_arson"
    DRUGS = "drugs"
    OTHER_THEFT = "other_theft"
    POSSESSION_OF_WEAPONS = "possession_of_weapons"
    PUBLIC_ORDER = "public_order"
    ROBBERY = "robbery"
    SHOPLIFTING = "shoplifting"
    THEFT_FROM_THE_PERSON = "theft_from_the_person"
    VEHICLE_CRIME = "vehicle_crime"
    VIOLENCE = "violence"
    OTHER_CRIME = "other_crime"


@dataclass(frozen=True)
class CategoryInfo:
    id: Category
    label: str
    police_uk: str  # the data.police.uk API slug
    police_uk_label: str  # the "Crime type" of the data.police.uk CSV downloads


_C = Category
CATEGORIES: dict[Category, CategoryInfo] = {
    info.id: info
    for info in (
        CategoryInfo(
            _C.ANTI_SOCIAL_BEHAVIOUR,
            "Anti-social behaviour",
            "anti-social-behaviour",
            "Anti-social behaviour",
        ),
        CategoryInfo(_C.BICYCLE_THEFT, "Bicycle theft", "bicycle-theft", "Bicycle theft"),
        CategoryInfo(_C.BURGLARY, "Burglary", "burglary", "Burglary"),
        CategoryInfo(
            _C.CRIMINAL_DAMAGE_ARSON,
            "Criminal damage and arson",
            "criminal-damage-arson",
            "Criminal damage and arson",
        ),
        CategoryInfo(_C.DRUGS, "Drugs", "drugs", "Drugs"),
        CategoryInfo(_C.OTHER_THEFT, "Other theft", "other-theft", "Other theft"),
        CategoryInfo(
            _C.POSSESSION_OF_WEAPONS,
            "Possession of weapons",
            "possession-of-weapons",
            "Possession of weapons",
        ),
        CategoryInfo(_C.PUBLIC_ORDER, "Public order", "public-order", "Public order"),
        CategoryInfo(_C.ROBBERY, "Robbery", "robbery", "Robbery"),
        CategoryInfo(_C.SHOPLIFTING, "Shoplifting", "shoplifting", "Shoplifting"),
        CategoryInfo(
            _C.THEFT_FROM_THE_PERSON,
            "Theft from the person",
            "theft-from-the-person",
            "Theft from the person",
        ),
        CategoryInfo(_C.VEHICLE_CRIME, "Vehicle crime", "vehicle-crime", "Vehicle crime"),
        CategoryInfo(
            _C.VIOLENCE, "Violence and sexual offences", "violent-crime", "Violence and sexual offences"
        ),
        CategoryInfo(_C.OTHER_CRIME, "Other crime", "other-crime", "Other crime"),
    )
}

# police.uk "Crime type" values as published over the years (labels and API slugs), case-folded.
_POLICE_UK: dict[str, Category] = {}
for _info in CATEGORIES.values():
    _POLICE_UK[_info.police_uk] = _info.id
    _POLICE_UK[_info.police_uk_label.casefold()] = _info.id
_POLICE_UK.update(
    {
        "violent crime": _C.VIOLENCE,  # before May 2013
        "violence-and-sexual-offences": _C.VIOLENCE,
        "public disorder and weapons": _C.PUBLIC_ORDER,  # before May 2013
        "public-disorder-weapons": _C.PUBLIC_ORDER,
    }
)

# City of Chicago "Primary Type" (IUCR primary descriptions) → our category. Types without a
# police.uk counterpart that are still crimes go to other_crime; NON-CRIMINAL records are refused.
CHICAGO: dict[str, Category] = {
    "ARSON": _C.CRIMINAL_DAMAGE_ARSON,
    "ASSAULT": _C.VIOLENCE,
    "BATTERY": _C.VIOLENCE,
    "BURGLARY": _C.BURGLARY,
    "CONCEALED CARRY LICENSE VIOLATION": _C.POSSESSION_OF_WEAPONS,
    "CRIM SEXUAL ASSAULT": _C.VIOLENCE,
    "CRIMINAL SEXUAL ASSAULT": _C.VIOLENCE,
    "CRIMINAL DAMAGE": _C.CRIMINAL_DAMAGE_ARSON,
    "CRIMINAL TRESPASS": _C.OTHER_CRIME,
    "DECEPTIVE PRACTICE": _C.OTHER_CRIME,
    "GAMBLING": _C.OTHER_CRIME,
    "HOMICIDE": _C.VIOLENCE,
    "HUMAN TRAFFICKING": _C.OTHER_CRIME,
    "INTERFERENCE WITH PUBLIC OFFICER": _C.OTHER_CRIME,
    "INTIMIDATION": _C.PUBLIC_ORDER,
    "KIDNAPPING": _C.VIOLENCE,
    "LIQUOR LAW VIOLATION": _C.OTHER_CRIME,
    "MOTOR VEHICLE THEFT": _C.VEHICLE_CRIME,
    "NARCOTICS": _C.DRUGS,
    "OTHER NARCOTIC VIOLATION": _C.DRUGS,
    "OBSCENITY": _C.PUBLIC_ORDER,
    "OFFENSE INVOLVING CHILDREN": _C.VIOLENCE,
    "OTHER OFFENSE": _C.OTHER_CRIME,
    "PROSTITUTION": _C.OTHER_CRIME,
    "PUBLIC INDECENCY": _C.PUBLIC_ORDER,
    "PUBLIC PEACE VIOLATION": _C.PUBLIC_ORDER,
    "ROBBERY": _C.ROBBERY,
    "SEX OFFENSE": _C.VIOLENCE,
    "STALKING": _C.VIOLENCE,
    "THEFT": _C.OTHER_THEFT,
    "WEAPONS VIOLATION": _C.POSSESSION_OF_WEAPONS,
}


def from_police_uk(value: str) -> Category | None:
    """Our category of a police.uk "Crime type" (CSV label or API slug), or None when unknown."""
    return _POLICE_UK.get(" ".join(value.split()).casefold())


def from_chicago(primary_type: str) -> Category | None:
    """Our category of a City of Chicago "Primary Type", or None when unknown or non-criminal."""
    return CHICAGO.get(" ".join(primary_type.split()).upper())
