"""Erasure of a person (the right to erasure): an administrator's decision, taken after checking that no
legal basis requires the data to be kept. This room deletes the person's profile and announces the
erasure in the same transaction; every other domain erases or pseudonymises what it holds when its
consumer receives the event (docs/retention.md says what each one reaches and what is kept, and why)."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field

from argus.organisations import events, store
from argus.platform.auth.principal import Principal, Role
from argus.platform.errors import Forbidden
from argus.platform.ids import new_id
from argus.platform.outbox import UnitOfWork
from argus.platform.validation import DomainModel, validated

ERASERS = (Role.ADMIN,)


class _ErasureInput(DomainModel):
    model_config = ConfigDict(extra="forbid")

    sub: str = Field(min_length=1, max_length=128, pattern=r"^[^\s\x00-\x1f]+$")


class PersonErasure(DomainModel):
    """What an erasure request answers: the pseudonym that replaces the person where a record is kept."""

    model_config = ConfigDict(frozen=True)

    pseudonym: str
    requested_at: datetime


def erase_person(principal: Principal, sub: str) -> PersonErasure:
    """Erase the person ``sub`` of the caller's organisation (administrators only, else FORBIDDEN; a
    malformed id is BAD_USER_INPUT). Their profile is deleted and the erasure event emitted in one
    transaction; the rest happens in each domain's consumer. Asking again is harmless and reaches what
    was written since (a new pseudonym each time)."""
    if not principal.has_any_role(*ERASERS):
        raise Forbidden("Only administrators may erase a person's data.")
    request = validated(_ErasureInput, {"sub": sub})
    pseudonym = events.PSEUDONYM_PREFIX + new_id()
    event = events.person_erasure_requested(
        principal.org_id, person=request.sub, pseudonym=pseudonym, actor=principal.sub
    )
    uow = UnitOfWork()
    store.remove_user(uow, principal.org_id, request.sub)
    uow.emit(event)
    uow.commit()
    moment = event.get_time()
    assert moment is not None
    return PersonErasure(pseudonym=pseudonym, requested_at=moment)
