"""Domain types of organisations and their people."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from importlib.resources import files
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, computed_field, field_validator, model_validator

from argus.platform.auth.principal import Role
from argus.platform.validation import DomainModel

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# BCP 47 language tag, the common shapes: language[-Script][-REGION|-UN M.49]
LOCALE_PATTERN = re.compile(r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|\d{3}))?$")


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    """The IANA zone names, as the tzdata package lists them. ``zoneinfo.available_timezones()`` also
    lists every file of the host's zone directory, such as ``localtime``, which names no zone."""
    return frozenset(files("tzdata").joinpath("zones").read_text(encoding="utf-8").split())


class ContactKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    WEB = "web"
    ADDRESS = "address"
    SOCIAL = "social"


class ContactChannel(DomainModel):
    model_config = ConfigDict(frozen=True)

    kind: ContactKind
    value: str = Field(min_length=1, max_length=320)
    label: str | None = Field(default=None, max_length=80)

    @field_validator("value")
    @classmethod
    def _value_shape(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        return value


# H3 resolutions incident locations may be generalised to below staff: 8 (~0.74 km²) down to 5 (~250 km²).
# Finer cells (9: ~0.1 km²) can hold fewer homes than the eight addresses a police.uk map point covers.
FINEST_PUBLIC_RESOLUTION = 8
COARSEST_PUBLIC_RESOLUTION = 5


class PrivacyDefaults(DomainModel):
    """How the organisation's incident data is published to everyone below staff (residents, members,
    captains, partners); staff see exact records. Each setting acts on every such output
    (argus.incidents.service.publication)."""

    model_config = ConfigDict(frozen=True)

    # Every published group (cell x month x category) counts at least this many records; smaller groups
    # roll up to coarser cells, and what is still too small is withheld.
    min_cell_size: int = Field(default=10, ge=1, le=1000)
    # The H3 resolution locations are generalised to (the finest cells published).
    location_resolution: int = Field(
        default=FINEST_PUBLIC_RESOLUTION, ge=COARSEST_PUBLIC_RESOLUTION, le=FINEST_PUBLIC_RESOLUTION
    )
    # Records are published this many days after the end of the month they were reported in (never sooner).
    publication_delay_days: int = Field(default=30, ge=0, le=365)

    @model_validator(mode="before")
    @classmethod
    def _no_exact_locations(cls, data: Any) -> Any:
        """The earlier on/off switch ``generalise_locations``: true is what every output does anyway and is
        accepted; false asked for exact locations below staff and is refused (ValueError)."""
        if isinstance(data, dict) and "generalise_locations" in data:
            if data["generalise_locations"] is not True:
                raise ValueError(
                    "locations are always generalised below staff; set location_resolution (5-8) instead"
                )
            data = {k: v for k, v in data.items() if k != "generalise_locations"}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def generalise_locations(self) -> bool:
        """Always true: kept in stored items and in version-1 organisation events for their readers."""
        return True


class Organisation(DomainModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    slug: str
    timezone: str
    locale: str
    privacy: PrivacyDefaults
    contacts: tuple[ContactChannel, ...]
    created_at: datetime
    updated_at: datetime
    version: int


def _check_name(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValueError("must not be empty")
    if len(value) > 120:
        raise ValueError("must be at most 120 characters")
    return value


def _check_slug(value: str) -> str:
    if not SLUG_PATTERN.match(value) or "--" in value:
        raise ValueError("must be 1-63 lowercase letters, digits or single hyphens")
    return value


def _check_timezone(value: str) -> str:
    if value not in _timezones():
        raise ValueError(f"unknown IANA time zone {value!r}")
    return value


def _check_locale(value: str) -> str:
    if not LOCALE_PATTERN.match(value):
        raise ValueError("must be a BCP 47 language tag such as en-GB")
    return value


Name = Annotated[str, AfterValidator(_check_name)]
Slug = Annotated[str, AfterValidator(_check_slug)]
TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]
Locale = Annotated[str, AfterValidator(_check_locale)]


class OrganisationDraft(DomainModel):
    """What an admin gives to create their organisation."""

    name: Name
    slug: Slug
    timezone: TimeZoneName = "Europe/London"
    locale: Locale = "en-GB"
    privacy: PrivacyDefaults = Field(default_factory=PrivacyDefaults)
    contacts: tuple[ContactChannel, ...] = Field(default=(), max_length=20)


class OrganisationChanges(DomainModel):
    """A partial update; fields left out stay as they are."""

    name: Name | None = None
    slug: Slug | None = None
    timezone: TimeZoneName | None = None
    locale: Locale | None = None
    privacy: PrivacyDefaults | None = None
    contacts: tuple[ContactChannel, ...] | None = Field(default=None, max_length=20)
    expected_version: int | None = None


class Jurisdiction(DomainModel):
    """The area the organisation polices (``argus.organisations.jurisdiction``): the normalised
    boundary (RFC 7946), its area, its box, and who set it when."""

    model_config = ConfigDict(frozen=True)

    boundary: dict[str, Any]
    area_km2: float
    bbox: tuple[float, float, float, float]  # west, south, east, north
    updated_at: datetime
    updated_by: str


class UserProfile(DomainModel):
    """A person known to the organisation (staff or public user)."""

    model_config = ConfigDict(frozen=True)

    sub: str
    org_id: str
    display_name: str
    email: str | None
    roles: tuple[Role, ...]
    created_at: datetime


class StaffDraft(DomainModel):
    sub: str = Field(min_length=1, max_length=128)
    display_name: Name
    email: str | None = Field(default=None, max_length=320)
    roles: tuple[Role, ...] = Field(min_length=1)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value):
            raise ValueError("is not an email address")
        return value
