"""A member changes how their group reaches them; every enabled channel records its consent."""

from __future__ import annotations

import pytest
from argus.platform import clock
from argus.platform.errors import BadUserInput, NotFound
from argus.watch.model import Block, Channel, WatchGroup
from argus.watch.service import captains, members

from tests.fakes.aws import ArgusAws
from tests.integration.watch.support import (
    CAPTAIN_SUB,
    CONSENT,
    add_blocks,
    captain,
    enrolment,
    move,
    officer,
    propose,
    resident,
    snapshot,
)

PERSON = "resident-ola"


@pytest.fixture
def enrolled(aws: ArgusAws) -> tuple[WatchGroup, Block]:
    group = propose()
    move(group, "registered")
    [block] = add_blocks(group, 1)
    captains.assign_captain(officer(), group.id, block.id, CAPTAIN_SUB)
    members.enrol(resident(PERSON), enrolment(group, block, "Ola Bello", 7))
    return group, block


def test_a_member_replaces_their_channels_and_consent_is_recorded(
    aws: ArgusAws, enrolled: tuple[WatchGroup, Block], fixed_clock: clock.FixedClock
) -> None:
    group, block = enrolled
    wording = "Text me urgent watch alerts. Reply STOP to opt out."
    # When the member sets SMS (with consent) and a disabled email
    fixed_clock.advance(hours=2)
    after = members.update_my_channels(
        resident(PERSON),
        group.id,
        [
            {"channel": "sms", "address": "+447700900456", "consent_wording": wording},
            {"channel": "email", "address": "ola@example.org", "enabled": False},
        ],
    )
    # Then the stored member has exactly those channels, the SMS consent with its time and wording
    [stored] = members.block_roster(captain(), group.id, block.id, None, None).items
    assert stored.channels == after.channels
    sms, email = stored.channels
    assert (sms.channel, sms.address, sms.enabled) == (Channel.SMS, "+447700900456", True)
    assert sms.consent is not None and (sms.consent.given_at, sms.consent.wording) == (
        fixed_clock.current,
        wording,
    )
    assert (email.channel, email.enabled, email.consent) == (Channel.EMAIL, False, None)


@pytest.mark.parametrize(
    "channels",
    [
        [{"channel": "sms", "address": "07700 900456", "consent_wording": CONSENT}],
        [{"channel": "email", "address": "ola@example.org"}],
        [{"channel": "push"}],
        [{"channel": "email", "address": "a@example.org", "consent_wording": CONSENT}] * 2,
    ],
    ids=["sms-not-e164", "no-consent", "push-without-consent", "channel-twice"],
)
def test_bad_channels_are_refused_and_nothing_changes(
    aws: ArgusAws, enrolled: tuple[WatchGroup, Block], channels: list[dict[str, str]]
) -> None:
    group, _ = enrolled
    before = snapshot(aws)
    with pytest.raises(BadUserInput):
        members.update_my_channels(resident(PERSON), group.id, channels)
    assert snapshot(aws) == before


def test_only_members_set_channels(aws: ArgusAws, enrolled: tuple[WatchGroup, Block]) -> None:
    group, _ = enrolled
    with pytest.raises(NotFound):
        members.update_my_channels(resident("someone-else"), group.id, [])
