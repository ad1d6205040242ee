"""The transactional outbox: state and events commit all together or not at all."""

from __future__ import annotations

import pytest
from argus.organisations.store import OrganisationItem, SlugItem
from argus.platform import keys
from argus.platform.errors import Conflict, Internal, NotFound
from argus.platform.outbox import MAX_TRANSACTION_ITEMS, UnitOfWork

from tests.factories.events import cloudevent
from tests.fakes.aws import ArgusAws

ORG = "northshire"


def slug(name: str, org: str = ORG) -> SlugItem:
    return SlugItem(PK=keys.slug_pk(name), SK=keys.SLUG_SK, org_id=org)


def test_state_and_event_commit_together(aws: ArgusAws) -> None:
    # Given a unit of work with a write and an event
    uow = UnitOfWork()
    uow.put(slug("northshire"), condition=SlugItem.PK.does_not_exist())
    event = cloudevent()
    uow.emit(event)
    # When committed
    uow.commit()
    # Then both are in the table
    assert sorted(i["kind"]["S"] for i in aws.items()) == ["outbox", "slug"]
    [outbox] = aws.items_of_kind("outbox")
    assert outbox["PK"]["S"] == keys.outbox_pk(ORG, event.get_id())
    assert uow.events == [event]


def test_when_the_second_write_fails_neither_state_nor_event_is_written(aws: ArgusAws) -> None:
    # Given a slug already reserved
    taken = UnitOfWork()
    taken.put(slug("taken", org="southvale"))
    taken.commit()
    before = aws.items()
    # And a unit of work whose first write is fine, whose second write's condition fails, plus its event
    uow = UnitOfWork()
    uow.put(slug("free"), condition=SlugItem.PK.does_not_exist())
    uow.put(
        slug("taken"),
        condition=SlugItem.PK.does_not_exist(),
        on_condition_failed=Conflict("The slug 'taken' is already taken.", details={"field": "slug"}),
    )
    uow.emit(cloudevent())
    # When committed
    with pytest.raises(Conflict) as caught:
        uow.commit()
    # Then the registered error is raised and nothing at all was written: no state, no outbox item
    assert caught.value.details == {"field": "slug"}
    assert aws.items() == before
    assert aws.items_of_kind("outbox") == []


def test_a_failed_condition_without_a_registered_error_is_a_generic_conflict(aws: ArgusAws) -> None:
    first = UnitOfWork()
    first.put(slug("north"))
    first.commit()
    uow = UnitOfWork()
    uow.put(slug("north"), condition=SlugItem.PK.does_not_exist())
    uow.emit(cloudevent())
    with pytest.raises(Conflict) as caught:
        uow.commit()
    assert caught.value.details == {}
    assert aws.items_of_kind("outbox") == []


def test_an_empty_unit_of_work_writes_nothing(aws: ArgusAws) -> None:
    UnitOfWork().commit()
    assert aws.items() == []


def test_too_many_writes_for_one_transaction_are_refused_before_writing(aws: ArgusAws) -> None:
    uow = UnitOfWork()
    for number in range(MAX_TRANSACTION_ITEMS + 1):
        uow.put(slug(f"s{number}"))
    with pytest.raises(Internal):
        uow.commit()
    assert aws.items() == []


def test_a_write_the_table_refuses_is_internal_and_nothing_is_written(aws: ArgusAws) -> None:
    # Given a unit of work that writes the same key twice (DynamoDB refuses the whole transaction)
    uow = UnitOfWork()
    uow.put(slug("twice"))
    uow.put(slug("twice"))
    uow.emit(cloudevent())
    # When committed
    with pytest.raises(Internal) as caught:
        uow.commit()
    # Then the caller gets INTERNAL with a safe message, and nothing is written
    assert caught.value.message == "The change could not be saved."
    assert aws.items() == []


def test_the_error_of_the_operation_that_failed_is_raised_whatever_the_kinds_of_writes(aws: ArgusAws) -> None:
    # Given a reserved slug, and a unit of work that first puts a new slug (fine) and then deletes the
    # reserved one only if it belongs to an organisation it does not belong to
    setup = UnitOfWork()
    setup.put(slug("kept"))
    setup.commit()
    uow = UnitOfWork()
    uow.put(
        slug("new"),
        condition=SlugItem.PK.does_not_exist(),
        on_condition_failed=Conflict("slug taken", details={"field": "slug"}),
    )
    uow.delete(
        slug("kept"),
        condition=SlugItem.org_id == "southvale",
        on_condition_failed=NotFound("no such reservation"),
    )
    # When committed
    # Then the delete's own error is raised, not the put's
    with pytest.raises(NotFound):
        uow.commit()


def test_condition_checks_guard_a_transaction(aws: ArgusAws) -> None:
    # Given no organisation item for northshire
    uow = UnitOfWork()
    uow.condition_check(
        OrganisationItem,
        keys.org_pk(ORG),
        keys.ORG_SK,
        OrganisationItem.PK.exists(),
        NotFound("Your organisation has not been set up yet."),
    )
    uow.emit(cloudevent())
    # When committed, Then the check's error is raised and the event is not written
    with pytest.raises(NotFound):
        uow.commit()
    assert aws.items() == []
