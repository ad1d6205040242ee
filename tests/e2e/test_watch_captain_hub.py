"""The captain hub over HTTP: a block captain of a small programme (built through the API) sees their
blocks, figures that agree with the roster, the whole roster exactly once across pages, their recent
activity and the enrolments waiting for them; approving one closes its task and moves the figures."""

from __future__ import annotations

from typing import Any

import pytest
from argus.local.stack import LocalStack

from .support import (
    APPROVE_ENROLMENT,
    CAPTAIN_HUB,
    WATCH_CAPTAIN_1,
    WATCH_GROUP_BLOCKS,
    WATCH_GROUP_COUNTS,
    GraphQLClient,
    WatchProgramme,
    all_roster_pages,
    hub_roster_pages,
    watch_programme,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def programme(stack: LocalStack, gql: GraphQLClient) -> WatchProgramme:
    return watch_programme(gql, stack)


def hub(gql: GraphQLClient, token: str, first: int | None = None) -> dict[str, Any]:
    variables = {"first": first} if first is not None else {}
    result: dict[str, Any] = gql.execute(CAPTAIN_HUB, variables, token=token).ok()["captainHub"]
    return result


def roster_of_my_blocks(gql: GraphQLClient, programme: WatchProgramme) -> list[dict[str, Any]]:
    """Captain 1's blocks' rosters as an officer reads them (blockRoster, every page)."""
    return [
        member
        for block in programme.blocks_of(WATCH_CAPTAIN_1)
        for member in all_roster_pages(gql, programme.officer_token, programme.group_id, block.id)
    ]


def group_counts(gql: GraphQLClient, programme: WatchProgramme) -> dict[str, int]:
    counts: dict[str, int] = gql.execute(
        WATCH_GROUP_COUNTS, {"id": programme.group_id}, token=programme.officer_token
    ).ok()["watchGroup"]["counts"]
    return counts


def test_the_hub_shows_blocks_figures_activity_and_open_tasks(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme
) -> None:
    token = programme.captain_token(stack, WATCH_CAPTAIN_1)
    mine = programme.blocks_of(WATCH_CAPTAIN_1)
    assert len(mine) == 2
    found = hub(gql, token, first=5)

    assert found["captainSub"] == WATCH_CAPTAIN_1
    assert {(a["groupId"], a["blockId"], a["blockName"]) for a in found["blocks"]} == {
        (programme.group_id, b.id, b.name) for b in mine
    }

    # the figures agree with the roster and with the group's blocks
    roster = roster_of_my_blocks(gql, programme)
    active = [m for m in roster if m["status"] == "ACTIVE"]
    pending = [m for m in roster if m["status"] == "PENDING"]
    figures = found["figures"]
    assert figures["members"] == len(active)
    assert figures["pending"] == len(pending)
    # approvals move people from pending to members; enrolments each brought a household of their own
    assert figures["members"] + figures["pending"] == sum(b.members + len(b.pending) for b in mine)
    assert figures["households"] == sum(b.households + len(b.pending) for b in mine)
    blocks = gql.execute(WATCH_GROUP_BLOCKS, {"id": programme.group_id}, token=programme.officer_token).ok()
    by_id = {b["id"]: b for b in blocks["watchGroup"]["blocks"]}
    assert figures["households"] == sum(by_id[b.id]["households"] for b in mine)
    assert figures["members"] == sum(by_id[b.id]["members"] for b in mine)
    assert all(by_id[b.id]["captainSub"] == WATCH_CAPTAIN_1 for b in mine)
    assert figures["membersAdded"] == figures["members"]
    assert figures["approvals"] == figures["members"] - sum(b.members for b in mine)
    assert figures["activities"] == 3
    assert figures["hours"] == pytest.approx(4.0)

    # recent activity: the captain's own, newest logged first
    assert [a["id"] for a in found["recentActivity"]] == list(reversed(programme.activity_ids))
    assert {a["captainSub"] for a in found["recentActivity"]} == {WATCH_CAPTAIN_1}
    assert [a["kind"] for a in found["recentActivity"]] == ["LEAFLETING", "DOOR_KNOCK", "PATROL"]

    # open tasks: exactly the enrolments waiting in the captain's blocks
    tasks = found["openTasks"]
    assert {t["kind"] for t in tasks} == {"APPROVE_ENROLMENT"}
    assert sorted(t["memberId"] for t in tasks) == sorted(m["id"] for m in pending)
    assert {t["blockId"] for t in tasks} <= {b.id for b in mine}
    assert all(t["groupId"] == programme.group_id for t in tasks)
    assert [t["createdAt"] for t in tasks] == sorted(t["createdAt"] for t in tasks)

    # the first roster page: five members of one of the captain's blocks
    assert found["rosterBlockId"] in {b.id for b in mine}
    assert len(found["roster"]["nodes"]) == 5
    assert {m["blockId"] for m in found["roster"]["nodes"]} == {found["rosterBlockId"]}
    assert found["roster"]["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize("first", [1, 7, 14, 100])
def test_hub_roster_pages_cover_the_whole_roster_exactly_once(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme, first: int
) -> None:
    """14 is the size of the first block's roster: a page ends exactly at the block's end."""
    token = programme.captain_token(stack, WATCH_CAPTAIN_1)
    pages = hub_roster_pages(gql, token, first)
    seen: list[str] = []
    for page in pages:
        nodes = page["roster"]["nodes"]
        assert len(nodes) <= first
        assert {m["blockId"] for m in nodes} <= {page["rosterBlockId"]}
        assert all(m["groupId"] == programme.group_id for m in nodes)
        seen += [m["id"] for m in nodes]
    assert len(seen) == len(set(seen)), "a member appeared on two pages"
    expected = roster_of_my_blocks(gql, programme)
    assert sorted(seen) == sorted(m["id"] for m in expected)
    # the captain's blocks are paged one after the other, each once
    order = [page["rosterBlockId"] for page in pages]
    assert [b for i, b in enumerate(order) if i == 0 or order[i - 1] != b] == sorted(
        {b.id for b in programme.blocks_of(WATCH_CAPTAIN_1)}
    )


def test_approving_an_enrolment_closes_its_task_and_moves_the_figures(
    stack: LocalStack, gql: GraphQLClient, programme: WatchProgramme
) -> None:
    token = programme.captain_token(stack, WATCH_CAPTAIN_1)
    before = hub(gql, token)
    counts_before = group_counts(gql, programme)
    task = before["openTasks"][0]

    approved = gql.execute(
        APPROVE_ENROLMENT,
        {"groupId": task["groupId"], "blockId": task["blockId"], "memberId": task["memberId"]},
        token=token,
    ).ok()["approveEnrolment"]
    assert approved["id"] == task["memberId"]
    assert approved["status"] == "ACTIVE"
    assert approved["approvedAt"] is not None

    after = hub(gql, token)
    assert task["id"] not in {t["id"] for t in after["openTasks"]}
    assert len(after["openTasks"]) == len(before["openTasks"]) - 1
    b, a = before["figures"], after["figures"]
    assert a["members"] == b["members"] + 1
    assert a["pending"] == b["pending"] - 1
    assert a["approvals"] == b["approvals"] + 1
    assert a["membersAdded"] == b["membersAdded"] + 1
    assert a["households"] == b["households"]
    assert a["activities"] == b["activities"]
    assert a["meanResponseHours"] is not None and a["meanResponseHours"] >= 0

    counts_after = group_counts(gql, programme)
    assert counts_after["members"] == counts_before["members"] + 1
    assert counts_after["pending"] == counts_before["pending"] - 1
    assert counts_after["joinedTotal"] == counts_before["joinedTotal"] + 1
    assert counts_after["households"] == counts_before["households"]

    roster = all_roster_pages(gql, token, programme.group_id, task["blockId"])
    assert [m["status"] for m in roster if m["id"] == task["memberId"]] == ["ACTIVE"]

    # approving it again is refused and changes nothing
    again = gql.execute(
        APPROVE_ENROLMENT,
        {"groupId": task["groupId"], "blockId": task["blockId"], "memberId": task["memberId"]},
        token=token,
    ).refused("BAD_USER_INPUT")
    assert again.errors[0]["extensions"]["details"]["reason"] == "not_pending"
    assert hub(gql, token)["figures"] == a
