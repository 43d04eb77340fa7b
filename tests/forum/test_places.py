"""Places at a session: capacity, the waiting list, promotion, refusals, and the race for
the last place (real concurrent transactions, on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.domain.forum import places
from bot.errors import NotFoundError, UserFacingError
from bot.runtime import Services
from bot.store.tables import ForumSession, OutboxMessage
from tests.conftest import StepClock
from tests.domain.mailbox import link, outbox_rows, plain_text, subject
from tests.forum.seats import add_member, add_session, outbox_keys, reply, rsvps


async def test_twenty_at_once_for_five_places_then_a_cancellation_promotes_the_first(
    services: Services, clock: StepClock
) -> None:
    row = await add_session(services, clock.now() + timedelta(days=10), capacity=5)
    people = [await add_member(services, f"Person {n}") for n in range(20)]

    results = await asyncio.gather(*(reply(services, row, p, True) for p in people))

    assert results.count("attending") == 5
    assert results.count("waiting") == 15
    assert list((await rsvps(services, row)).values()).count("attending") == 5
    async with services.sessions() as session:
        queue = await places.waiting_list(session, row.id or 0)
    first_waiting = queue[0].member_id
    leaver = next(p for p, r in zip(people, results, strict=True) if r == "attending")

    clock.advance(hours=1)
    assert await reply(services, row, leaver, False) == "declined"

    after = await rsvps(services, row)
    assert list(after.values()).count("attending") == 5
    assert list(after.values()).count("waiting") == 14
    assert after[first_waiting] == "attending"
    assert after[leaver.id or 0] == "declined"
    assert await outbox_keys(services, "promoted:") == [
        f"promoted:{row.id}:{first_waiting}:{clock.now().isoformat()}"
    ]


async def test_the_waiting_list_is_first_come_first_served_and_promotion_is_told(
    services: Services, clock: StepClock
) -> None:
    row = await add_session(services, clock.now() + timedelta(days=3), capacity=1)
    ann, bea = await add_member(services, "Ann"), await add_member(services, "Bea")
    cal = await add_member(services, "Cal", slack="U0CAL")
    assert await reply(services, row, ann, True) == "attending"
    clock.advance(minutes=1)
    assert await reply(services, row, cal, True) == "waiting"
    clock.advance(minutes=1)
    assert await reply(services, row, bea, True) == "waiting"
    clock.advance(minutes=1)
    assert await reply(services, row, cal, True) == "waiting"  # keeps place in line

    assert await reply(services, row, ann, False) == "declined"

    assert await rsvps(services, row) == {
        ann.id: "declined",
        cal.id: "attending",
        bea.id: "waiting",
    }
    to_cal = await outbox_rows(services, cal.email)
    assert [subject(m.payload) for m in to_cal][-1] == (
        "A place has come free: Practitioner Forum"
    )
    assert "A place has come free for you." in plain_text(to_cal[-1].payload)
    dms = await outbox_rows(services, "U0CAL")
    assert len(dms) == 1
    assert "You are now attending" in json.loads(dms[0].payload)["text"]
    assert await outbox_rows(services, bea.email) != []  # her own "waiting" reply only
    assert not [
        k for k in await outbox_keys(services, "promoted:") if f":{bea.id}:" in k
    ]


async def test_the_confirmation_email_says_what_happened_once(
    services: Services, clock: StepClock
) -> None:
    row = await add_session(services, clock.now() + timedelta(days=3), capacity=2)
    sam = await add_member(services, "Sam")
    assert await reply(services, row, sam, True) == "attending"
    assert await reply(services, row, sam, True) == "attending"  # a second click
    mails = await outbox_rows(services, sam.email)
    assert len(mails) == 1
    text = plain_text(mails[0].payload)
    assert subject(mails[0].payload) == "Your place is booked: Practitioner Forum"
    assert "You have a place." in text
    assert "https://meet.example.org/forum" in text
    forum_url = link(mails[0].payload, services.links.base_url, "forum")
    # Tokens carry the second they were signed in: compare what the link says, not its bytes.
    assert forum_url.startswith(f"{services.links.base_url}/forum/")
    member_id, _, items = services.links.read_item(
        "forum", forum_url.rsplit("/", 1)[1], 0
    )
    assert (member_id, items) == (sam.id, [])

    clock.advance(minutes=5)
    assert await reply(services, row, sam, False) == "declined"
    mails = await outbox_rows(services, sam.email)
    assert len(mails) == 2
    assert "We will not send you reminders" in plain_text(mails[1].payload)


async def test_slack_replies_send_no_email(
    services: Services, clock: StepClock
) -> None:
    row = await add_session(services, clock.now() + timedelta(days=3))
    kim = await add_member(services, "Kim", slack="U0KIM")
    assert await reply(services, row, kim, True, channel="slack") == "attending"
    assert await outbox_rows(services) == []


async def test_declining_first_then_accepting_gets_a_place_when_free(
    services: Services, clock: StepClock
) -> None:
    row = await add_session(services, clock.now() + timedelta(days=3), capacity=1)
    ann = await add_member(services, "Ann")
    assert await reply(services, row, ann, False) == "declined"
    assert await reply(services, row, ann, True) == "attending"


async def test_a_newcomer_queues_behind_those_already_waiting(
    services: Services, clock: StepClock
) -> None:
    """A place freed while people wait goes to them, even if a newcomer asks first."""
    row = await add_session(services, clock.now() + timedelta(days=3), capacity=1)
    ann, bea = await add_member(services, "Ann"), await add_member(services, "Bea")
    await reply(services, row, ann, True)
    await reply(services, row, bea, True)
    async with services.sessions() as session:  # the chair raises capacity by hand
        stored = await session.get(ForumSession, row.id)
        assert stored is not None
        stored.capacity = 2
        await session.commit()
    cal = await add_member(services, "Cal")
    assert await reply(services, row, cal, True) == "waiting"
    assert (await rsvps(services, row))[bea.id or 0] == "attending"


@pytest.mark.parametrize("problem", ["cancelled", "past", "started"])
async def test_no_reply_to_a_cancelled_or_past_session(
    services: Services, clock: StepClock, problem: str
) -> None:
    starts = clock.now() + (
        timedelta(days=-2) if problem == "past" else timedelta(days=2)
    )
    row = await add_session(services, starts)
    if problem == "cancelled":
        async with services.sessions() as session:
            stored = await session.get(ForumSession, row.id)
            assert stored is not None
            stored.status = "cancelled"
            await session.commit()
    now = row.starts_at + timedelta(minutes=1) if problem == "started" else None
    sam = await add_member(services, "Sam")
    with pytest.raises(UserFacingError) as refused:
        await reply(services, row, sam, True, now=now)
    wanted = "has been cancelled" if problem == "cancelled" else "already started"
    assert wanted in str(refused.value)
    assert await rsvps(services, row) == {}


@pytest.mark.parametrize("status", ["pending", "unsubscribed", "erased"])
async def test_only_active_members_reply(
    services: Services, clock: StepClock, status: str
) -> None:
    row = await add_session(services, clock.now() + timedelta(days=2))
    someone = await add_member(services, "Someone", status=status)
    with pytest.raises(UserFacingError, match="Only members of the forum"):
        await reply(services, row, someone, True)
    assert await rsvps(services, row) == {}


async def test_an_unknown_session_is_not_found(
    services: Services, clock: StepClock
) -> None:
    sam = await add_member(services, "Sam")
    ghost = ForumSession(
        id=999, uid="x", title="x", starts_at=clock.now(), ends_at=clock.now()
    )
    with pytest.raises(NotFoundError, match="no session 999"):
        await reply(services, ghost, sam, True)


def test_answers_are_yes_or_no() -> None:
    assert places.parse_answer(" YES ") is True
    assert places.parse_answer("no") is False
    with pytest.raises(UserFacingError, match="yes or no"):
        places.parse_answer("maybe")


async def test_no_message_is_left_behind_by_a_refused_reply(
    services: Services, clock: StepClock
) -> None:
    row = await add_session(services, clock.now() - timedelta(days=1))
    sam = await add_member(services, "Sam")
    with pytest.raises(UserFacingError):
        await reply(services, row, sam, True)
    async with services.sessions() as session:
        assert (
            await session.exec(select(OutboxMessage).where(col(OutboxMessage.id) > 0))
        ).all() == []
