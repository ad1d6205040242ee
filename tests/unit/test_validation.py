"""Input validation: pydantic errors become BAD_USER_INPUT naming each offending field."""

from __future__ import annotations

import pytest
from argus.organisations.model import OrganisationDraft, StaffDraft
from argus.platform.errors import BadUserInput
from argus.platform.validation import validated

from tests.factories.organisations import organisation_draft, staff_draft


def test_valid_input_becomes_the_model() -> None:
    draft = validated(OrganisationDraft, organisation_draft())
    assert isinstance(draft, OrganisationDraft)
    assert draft.slug == "northshire"


def test_every_invalid_field_is_named_with_its_reason() -> None:
    # Given input with three invalid fields, one of them nested in a list
    data = organisation_draft(
        name="   ",
        slug="North Shire",
        contacts=[{"kind": "email", "value": "ok@northshire.example"}, {"kind": "pigeon", "value": "loft 3"}],
    )
    # When it is validated
    with pytest.raises(BadUserInput) as caught:
        validated(OrganisationDraft, data)
    # Then the error is BAD_USER_INPUT and names each field by its path, with a readable reason
    error = caught.value
    fields = error.details["fields"]
    assert set(fields) == {"name", "slug", "contacts.1.kind"}
    assert fields["name"] == "must not be empty"
    assert fields["slug"] == "must be 1-63 lowercase letters, digits or single hyphens"
    assert "Value error" not in error.message
    assert error.message.startswith("Invalid input: ")
    assert error.extensions() == {"code": "BAD_USER_INPUT", "details": {"fields": fields}}


def test_a_missing_required_field_is_named() -> None:
    with pytest.raises(BadUserInput) as caught:
        validated(StaffDraft, {"display_name": "Pat", "roles": ["officer"]})
    assert set(caught.value.details["fields"]) == {"sub"}


def test_a_non_object_input_is_reported_as_a_whole() -> None:
    with pytest.raises(BadUserInput) as caught:
        validated(StaffDraft, "not an object")  # type: ignore[arg-type]
    assert set(caught.value.details["fields"]) == {"input"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"roles": []}, "roles"),
        ({"roles": ["sheriff"]}, "roles.0"),
        ({"sub": ""}, "sub"),
        ({"display_name": " \t "}, "displayName"),
    ],
)
def test_staff_draft_fields_are_checked(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(BadUserInput) as caught:
        validated(StaffDraft, staff_draft(1, **overrides))
    assert field in caught.value.details["fields"]


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "Mars/Base", "europe/london"])
def test_a_time_zone_must_be_an_iana_zone_name(zone: str) -> None:
    # Given a name that is a file of the host's zone directory, or no zone at all
    # When an organisation is drafted with it
    with pytest.raises(BadUserInput) as caught:
        validated(OrganisationDraft, organisation_draft(timezone=zone))
    # Then the time zone is the field refused
    assert set(caught.value.details["fields"]) == {"timezone"}


@pytest.mark.parametrize(
    "zone", ["Europe/London", "UTC", "America/Argentina/Buenos_Aires", "Pacific/Chatham"]
)
def test_iana_zone_names_are_accepted(zone: str) -> None:
    assert validated(OrganisationDraft, organisation_draft(timezone=zone)).timezone == zone
