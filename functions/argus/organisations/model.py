"""Domain types of organisations and their people."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, ConfigDict, Field, field_validator

from argus.platform.auth.principal import Role
from argus.platform.validation import DomainModel

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# BCP 47 language tag, the common shapes: language[-Script][-REGION|-UN M.49]
LOCALE_PATTERN = re.compile(r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|\d{3}))?$")


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


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


class PrivacyDefaults(DomainModel):
    """How the organisation's data may be published."""

    model_config = ConfigDict(frozen=True)

    # Statistics for a cell (area x period x category) with fewer records are suppressed.
    min_cell_size: int = Field(default=10, ge=1, le=1000)
    # Public maps snap locations to a grid/street and dates to the month.
    generalise_locations: bool = True
    # Days before incidents appear in public outputs.
    publication_delay_days: int = Field(default=30, ge=0, le=365)


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
