"""The organisations use cases on DynamoDB (moto): transactional writes with their events,
conflicts, validation, roles, staff pagination and tenant isolation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from argus.organisations import service
from argus.platform.auth.principal import Role
from argus.platform.cloudevents import parse_event
from argus.platform.errors import BadUserInput, Conflict, Forbidden, NotFound

from tests.factories.organisations import organisation_draft, staff_draft
from tests.factories.principals import OTHER_ORG, admin, principal
from tests.fakes.aws import ArgusAws


def outbox(aws: ArgusAws) -> list[dict[str, Any]]:
    return sorted((json.loads(i["event"]["S"]) for i in aws.items_of_kind("outbox")), key=lambda e: e["id"])


def kinds(aws: ArgusAws) -> list[str]:
    return sorted(item["kind"]["S"] for item in aws.items())


# --- create ---------------------------------------------------------------------------------------


def test_creating_an_organisation_writes_it_with_its_slug_and_its_event(aws: ArgusAws) -> None:
    # Given an admin of northshire
    # When they create their organisation
    org = service.create_organisation(admin(), organisation_draft())
    # Then the organisation, its slug reservation and one outbox event are written together
    assert kinds(aws) == ["organisation", "outbox", "slug"]
    assert (org.id, org.version, org.created_at) == ("northshire", 1, org.updated_at)
    assert service.my_organisation(admin()) == org
    # And the outbox item holds a valid CloudEvent about it, keyed by the event id
    [item] = aws.items_of_kind("outbox")
    event = parse_event(item["event"]["S"])
    assert event.get_type() == "org.argus.organisation.created.v2"
    assert item["PK"]["S"] == f"ORG#northshire#OUTBOX#{event.get_id()}"
    assert item["event_type"]["S"] == event.get_type()
    assert event.get_extension("orgid") == "northshire"
    assert event.get_data()["organisation"]["name"] == "Northshire Neighbourhood Watch"


def test_a_taken_slug_is_a_conflict_and_nothing_is_written(aws: ArgusAws) -> None:
    # Given northshire holds the slug "northshire"
    service.create_organisation(admin(), organisation_draft())
    before = aws.items()
    # When southvale's admin asks for the same slug
    with pytest.raises(Conflict) as caught:
        service.create_organisation(admin(org=OTHER_ORG), organisation_draft(name="Southvale Watch"))
    # Then it is a CONFLICT on the slug, and the table is exactly as it was: no organisation, no event
    assert caught.value.details == {"field": "slug"}
    assert aws.items() == before
    with pytest.raises(NotFound):
        service.my_organisation(admin(org=OTHER_ORG))
    assert len(outbox(aws)) == 1


def test_creating_the_same_organisation_twice_is_a_conflict(aws: ArgusAws) -> None:
    service.create_organisation(admin(), organisation_draft())
    before = aws.items()
    with pytest.raises(Conflict):
        service.create_organisation(admin(), organisation_draft(slug="northshire-2"))
    assert aws.items() == before


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (organisation_draft(name=""), "name"),
        (organisation_draft(name="   "), "name"),
        (organisation_draft(timezone="Mars/Olympus_Mons"), "timezone"),
        (organisation_draft(locale="english"), "locale"),
        (organisation_draft(slug="North Shire"), "slug"),
    ],
    ids=["empty-name", "blank-name", "unknown-timezone", "bad-locale", "bad-slug"],
)
def test_invalid_input_is_bad_user_input_and_nothing_is_written(
    aws: ArgusAws, draft: dict[str, Any], field: str
) -> None:
    with pytest.raises(BadUserInput) as caught:
        service.create_organisation(admin(), draft)
    assert field in caught.value.details["fields"]
    assert aws.items() == []


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_admins_create_organisations(aws: ArgusAws, role: Role) -> None:
    with pytest.raises(Forbidden):
        service.create_organisation(principal(role), organisation_draft())
    assert aws.items() == []


# --- update ---------------------------------------------------------------------------------------


def test_an_update_bumps_the_version_and_emits_what_changed(aws: ArgusAws) -> None:
    # Given an organisation at version 1
    created = service.create_organisation(admin(), organisation_draft())
    # When the admin renames it and changes the time zone (and repeats the unchanged locale)
    updated = service.update_organisation(
        admin(),
        {
            "name": "Northshire Community Watch",
            "timezone": "Europe/Dublin",
            "locale": "en-GB",
            "expected_version": 1,
        },
    )
    # Then it is stored at version 2 with the new values
    assert (updated.version, updated.name, updated.timezone) == (
        2,
        "Northshire Community Watch",
        "Europe/Dublin",
    )
    assert updated.created_at == created.created_at and updated.updated_at >= created.updated_at
    assert service.my_organisation(admin()) == updated
    # And an updated.v1 event lists exactly the changed fields
    last = outbox(aws)[-1]
    assert last["type"] == "org.argus.organisation.updated.v2"
    assert last["data"]["changed"] == ["name", "timezone"]
    assert last["data"]["organisation"]["version"] == 2


def test_an_update_that_changes_nothing_writes_nothing(aws: ArgusAws) -> None:
    created = service.create_organisation(admin(), organisation_draft())
    before = aws.items()
    same = service.update_organisation(admin(), {"name": created.name, "slug": created.slug})
    assert same == created
    assert aws.items() == before


def test_a_stale_expected_version_is_a_conflict(aws: ArgusAws) -> None:
    # Given an organisation already updated to version 2
    service.create_organisation(admin(), organisation_draft())
    service.update_organisation(admin(), {"name": "Renamed Once"})
    before = aws.items()
    # When someone updates from version 1
    with pytest.raises(Conflict) as caught:
        service.update_organisation(admin(), {"name": "Renamed From Stale", "expected_version": 1})
    # Then it is refused and nothing is written
    assert caught.value.details == {"field": "expectedVersion"}
    assert aws.items() == before


def test_moving_the_slug_frees_the_old_one_and_a_taken_slug_is_refused(aws: ArgusAws) -> None:
    # Given two organisations
    service.create_organisation(admin(), organisation_draft())
    service.create_organisation(admin(org=OTHER_ORG), organisation_draft(slug="southvale", name="Southvale"))
    # When northshire moves to a free slug
    service.update_organisation(admin(), {"slug": "northshire-watch"})
    # Then the old slug is free for others and the new one is reserved
    slugs = sorted(i["PK"]["S"] for i in aws.items_of_kind("slug"))
    assert slugs == ["SLUG#northshire-watch", "SLUG#southvale"]
    # And moving onto southvale's slug is a conflict that changes nothing
    before = aws.items()
    with pytest.raises(Conflict):
        service.update_organisation(admin(), {"slug": "southvale"})
    assert aws.items() == before


def test_moving_onto_a_taken_slug_names_the_slug(aws: ArgusAws) -> None:
    # Given two organisations
    service.create_organisation(admin(), organisation_draft())
    service.create_organisation(admin(org=OTHER_ORG), organisation_draft(slug="southvale", name="Southvale"))
    # When northshire tries to take southvale's slug
    with pytest.raises(Conflict) as caught:
        service.update_organisation(admin(), {"slug": "southvale"})
    # Then the client is told which field conflicts, as on create
    assert caught.value.details == {"field": "slug"}
    assert caught.value.message == "The slug 'southvale' is already taken."


def test_invalid_changes_are_bad_user_input(aws: ArgusAws) -> None:
    service.create_organisation(admin(), organisation_draft())
    before = aws.items()
    with pytest.raises(BadUserInput) as caught:
        service.update_organisation(admin(), {"timezone": "Nowhere/Special", "name": " "})
    assert set(caught.value.details["fields"]) == {"timezone", "name"}
    assert aws.items() == before


def test_updating_an_organisation_that_does_not_exist_is_not_found(aws: ArgusAws) -> None:
    with pytest.raises(NotFound):
        service.update_organisation(admin(), {"name": "Ghost"})
    assert aws.items() == []


def test_non_admins_cannot_update(aws: ArgusAws) -> None:
    service.create_organisation(admin(), organisation_draft())
    before = aws.items()
    for role in (Role.SUPERVISOR, Role.OFFICER, Role.CAPTAIN, Role.RESIDENT):
        with pytest.raises(Forbidden):
            service.update_organisation(principal(role), {"name": "Taken Over"})
    assert aws.items() == before


# --- staff ------------------------------------------------------------------------------------------


def test_staff_listing_pages_through_every_member_once(aws: ArgusAws) -> None:
    # Given 25 staff in northshire, a resident (not staff), and staff of another organisation
    for number in range(25):
        role = (Role.OFFICER, Role.SUPERVISOR, Role.ANALYST)[number % 3]
        service.add_staff_member(admin(), staff_draft(number, role))
    service.add_staff_member(admin(), staff_draft(99, Role.RESIDENT, sub="resident-1"))
    service.add_staff_member(admin(org=OTHER_ORG), staff_draft(1, Role.OFFICER, sub="southvale-officer"))
    # When an officer pages through with first=10
    viewer = principal(Role.OFFICER, sub="staff-000")
    seen: list[str] = []
    pages = 0
    after = None
    while True:
        page = service.list_staff(viewer, 10, after)
        pages += 1
        assert len(page.items) <= 10
        seen += [p.sub for p in page.items]
        if not page.has_next_page:
            assert page.end_cursor is None
            break
        after = page.end_cursor
        assert pages < 10, "pagination does not end"
    # Then every staff member of northshire is seen exactly once, and nobody else
    assert sorted(seen) == [f"staff-{n:03d}" for n in range(25)]
    assert len(seen) == len(set(seen)) == 25
    assert pages == 3


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.MEMBER, Role.CAPTAIN, Role.PARTNER])
def test_non_staff_cannot_list_staff(aws: ArgusAws, role: Role) -> None:
    service.add_staff_member(admin(), staff_draft(1))
    with pytest.raises(Forbidden):
        service.list_staff(principal(role), 10, None)


def test_adding_the_same_person_twice_is_a_conflict(aws: ArgusAws) -> None:
    service.add_staff_member(admin(), staff_draft(1))
    with pytest.raises(Conflict) as caught:
        service.add_staff_member(admin(), staff_draft(1, display_name="Someone Else"))
    assert caught.value.details == {"field": "sub"}
    assert len(aws.items_of_kind("user")) == 1


# --- tenant isolation ------------------------------------------------------------------------------


def test_one_organisation_never_reads_another(aws: ArgusAws) -> None:
    # Given northshire with its organisation and staff
    service.create_organisation(admin(), organisation_draft())
    for number in range(12):
        service.add_staff_member(admin(), staff_draft(number))
    northshire_page = service.list_staff(principal(Role.OFFICER), 5, None)
    # When southvale's admin (with every role) uses the same services
    intruder = principal(*Role, org=OTHER_ORG, sub="user-admin")
    # Then southvale has no organisation, no staff, no profile, and cannot change northshire
    with pytest.raises(NotFound):
        service.my_organisation(intruder)
    with pytest.raises(NotFound):
        service.update_organisation(intruder, {"name": "Hijacked"})
    assert list(service.list_staff(intruder, 100, None).items) == []
    assert service.my_profile(principal(Role.OFFICER, org=OTHER_ORG, sub="staff-001")) is None
    # And northshire's cursor does not open northshire's list to southvale
    with pytest.raises(BadUserInput):
        service.list_staff(intruder, 5, northshire_page.end_cursor)
    # And northshire is untouched
    assert service.my_organisation(admin()).name == "Northshire Neighbourhood Watch"
    assert {e["orgid"] for e in outbox(aws)} == {"northshire"}
