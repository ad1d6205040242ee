"""The organisation's domain rules: name, slug, time zone, locale, contacts, privacy."""

from __future__ import annotations

from typing import Any

import pytest
from argus.organisations.model import OrganisationChanges, OrganisationDraft
from pydantic import ValidationError

from tests.factories.organisations import organisation_draft


def errors_of(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        OrganisationDraft.model_validate(data)
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in caught.value.errors()}


def test_a_minimal_draft_gets_the_defaults() -> None:
    draft = OrganisationDraft.model_validate({"name": "Northshire Watch", "slug": "northshire"})
    assert (draft.timezone, draft.locale, draft.contacts) == ("Europe/London", "en-GB", ())
    assert (
        draft.privacy.min_cell_size,
        draft.privacy.generalise_locations,
        draft.privacy.publication_delay_days,
    ) == (10, True, 30)


def test_the_name_is_whitespace_normalised() -> None:
    assert OrganisationDraft.model_validate(organisation_draft(name="  Northshire \t  Watch\n")).name == (
        "Northshire Watch"
    )


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "x" * 121])
def test_an_empty_or_overlong_name_is_refused(name: str) -> None:
    assert "name" in errors_of(organisation_draft(name=name))


def test_a_name_of_120_characters_is_accepted() -> None:
    assert len(OrganisationDraft.model_validate(organisation_draft(name="é" * 120)).name) == 120


@pytest.mark.parametrize("slug", ["northshire", "n", "north-shire-2", "a" * 63, "0-9"])
def test_good_slugs(slug: str) -> None:
    assert OrganisationDraft.model_validate(organisation_draft(slug=slug)).slug == slug


@pytest.mark.parametrize(
    "slug",
    [
        "",
        "North",
        "north shire",
        "-north",
        "north-",
        "north--shire",
        "a" * 64,
        "north_shire",
        "nörth",
        "north.shire",
    ],
)
def test_bad_slugs(slug: str) -> None:
    assert errors_of(organisation_draft(slug=slug))["slug"].endswith(
        "must be 1-63 lowercase letters, digits or single hyphens"
    )


@pytest.mark.parametrize(
    "timezone", ["Europe/London", "UTC", "America/Argentina/Buenos_Aires", "Pacific/Chatham"]
)
def test_iana_time_zones_are_accepted(timezone: str) -> None:
    assert OrganisationDraft.model_validate(organisation_draft(timezone=timezone)).timezone == timezone


@pytest.mark.parametrize("timezone", ["Mars/Olympus_Mons", "europe/london", "GMT+1", "", "Europe/London "])
def test_unknown_time_zones_are_refused(timezone: str) -> None:
    assert "unknown IANA time zone" in errors_of(organisation_draft(timezone=timezone))["timezone"]


@pytest.mark.parametrize("locale", ["en-GB", "en", "cy-GB", "zh-Hant-TW", "es-419", "haw"])
def test_bcp47_locales_are_accepted(locale: str) -> None:
    assert OrganisationDraft.model_validate(organisation_draft(locale=locale)).locale == locale


@pytest.mark.parametrize("locale", ["english", "en_GB", "EN-gb", "en-", "", "e", "en-GBR"])
def test_malformed_locales_are_refused(locale: str) -> None:
    assert "BCP 47" in errors_of(organisation_draft(locale=locale))["locale"]


def test_contact_values_are_trimmed_and_must_not_be_blank() -> None:
    draft = OrganisationDraft.model_validate(
        organisation_draft(contacts=[{"kind": "phone", "value": " 101 "}])
    )
    assert draft.contacts[0].value == "101"
    assert "contacts.0.value" in errors_of(organisation_draft(contacts=[{"kind": "phone", "value": "   "}]))


def test_at_most_twenty_contacts() -> None:
    contacts = [{"kind": "web", "value": f"https://northshire.example/{n}"} for n in range(21)]
    assert "contacts" in errors_of(organisation_draft(contacts=contacts))
    assert len(OrganisationDraft.model_validate(organisation_draft(contacts=contacts[:20])).contacts) == 20


@pytest.mark.parametrize(
    ("privacy", "field"),
    [
        ({"min_cell_size": 0}, "privacy.min_cell_size"),
        ({"min_cell_size": 1001}, "privacy.min_cell_size"),
        ({"publication_delay_days": -1}, "privacy.publication_delay_days"),
        ({"publication_delay_days": 366}, "privacy.publication_delay_days"),
    ],
)
def test_privacy_defaults_are_bounded(privacy: dict[str, int], field: str) -> None:
    assert field in errors_of(organisation_draft(privacy=privacy))


def test_changes_are_partial_and_checked_like_a_draft() -> None:
    # Given a partial update that only renames
    changes = OrganisationChanges.model_validate({"name": "  New   Name ", "expected_version": 3})
    # Then only the given fields are set, normalised
    assert changes.model_fields_set == {"name", "expected_version"}
    assert changes.name == "New Name"
    # And the same rules apply to the fields that are given
    with pytest.raises(ValidationError):
        OrganisationChanges.model_validate({"timezone": "Atlantis/Capital"})
