"""What an edit of a session does to the people at it: raising (or removing) the capacity
gives the new places to those waiting, in order, in the edit's own transaction; moving the
session brings fresh reminders for its new time. And notices follow the member's channels:
someone who chose Slack only is told in Slack only, as invitations do."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from sqlmodel import col, select

from bot.domain.forum import places, sessions
from bot.runtime import Services
from bot.store.tables import ForumSession, Member, OutboxMessage
from jobs.forum import send_reminders
from tests.conftest import StepClock
from tests.domain.mailbox import outbox_rows
from tests.forum.seats import (
    add_member,
    add_session,
    outbox_keys,
    post_of,
    reply,
    rsvps,
)

DAY = timedelta(days=1)


async def _edit(services: Services, row: ForumSession, **changes: object) -> None:
    """The chair's edit as every channel makes it: one transaction, committed."""
    post = post_of(services)
    async with services.sessions() as session:
        stored = await sessions.get_session(session, row.id or 0)
        current = sessions.details_of(stored, post.rules)
        await sessions.edit_session(
            session,
            post,
            row.id or 0,
            replace(current, **changes),  # type: ignore[arg-type]
            now=services.clock.now(),
        )
        await session.commit()


async def _slack_only(services: Services, name: str, slack: str) -> Member:
    member = await add_member(services, name, slack=slack)
    async with services.sessions() as session:
        stored = await session.get(Member, member.id)
        assert stored is not None
        stored.channels = ["slack"]
        session.add(stored)
        await session.commit()
        return stored


async def test_raising_the_capacity_promotes_those_waiting_in_order(
    services: Services, clock: StepClock
) -> None:
    row = await add_session(services, clock.now() + 10 * DAY, capacity=1)
    ann, bea, cal, dot = [
        await add_member(services, n) for n in ("Ann", "Bea", "Cal", "Dot")
    ]
    for person in (ann, bea, cal, dot):
        clock.advance(minutes=1)
        await reply(services, row, person, True)

    clock.advance(hours=1)
    await _edit(services, row, capacity=3)

    assert await rsvps(services, row) == {
        ann.id: "attending",
        bea.id: "attending",
        cal.id: "attending",
        dot.id: "waiting",
    }
    promoted = await outbox_keys(services, "promoted:")
    assert promoted == [
        f"promoted:{row.id}:{bea.id}:{clock.now().isoformat()}",
        f"promoted:{row.id}:{cal.id}:{clock.now().isoformat()}",
    ]

    clock.advance(hours=1)
    await _edit(services, row, capacity=None)  # no limit: everyone waiting gets a place
    assert list((await rsvps(services, row)).values()).count("attending") == 4


async def test_lowering_the_capacity_promotes_nobody(
    services: Services, clock: StepClock
) -> None:
    row = await add_session(services, clock.now() + 10 * DAY, capacity=2)
    people = [await add_member(services, n) for n in ("Ann", "Bea", "Cal")]
    for person in people:
        await reply(services, row, person, True)
    await _edit(services, row, capacity=1, title="Renamed")
    assert list((await rsvps(services, row)).values()) == [
        "attending",
        "attending",
        "waiting",
    ]
    assert await outbox_keys(services, "promoted:") == []


async def test_a_moved_session_gets_fresh_reminders_for_its_new_time(
    services: Services, clock: StepClock
) -> None:
    row = await add_session(services, clock.now() + 3 * DAY)
    sam = await add_member(services, "Sam")
    await reply(services, row, sam, True)
    clock.current = row.starts_at - DAY  # the 1-day reminder
    assert await send_reminders() == 1

    clock.advance(hours=1)
    moved = sessions.details_of(row, post_of(services).rules)
    await _edit(services, row, starts=moved.starts + 2 * DAY, ends=moved.ends + 2 * DAY)
    assert await send_reminders() == 0  # a week's and a day's reminders are not due yet
    clock.current = row.starts_at + 2 * DAY - DAY
    assert await send_reminders() == 1  # the new day-before reminder goes out
    assert await send_reminders() == 0
    keys = await outbox_keys(services, "reminder:")
    assert len(keys) == 2 and keys[0] != keys[1]


async def test_slack_only_members_are_told_in_slack_only(
    services: Services, clock: StepClock
) -> None:
    row = await add_session(services, clock.now() + 3 * DAY, capacity=1)
    ann = await add_member(services, "Ann")
    sol = await _slack_only(services, "Sol", "U0SOL")
    both = await add_member(services, "Bo", slack="U0BO")  # email and Slack chosen
    await reply(services, row, ann, True)
    await reply(services, row, sol, True, channel="slack")  # waiting
    await reply(services, row, both, True, channel="slack")  # waiting
    await reply(services, row, ann, False)  # Sol is promoted: told in Slack only
    clock.current = row.starts_at - DAY
    assert await send_reminders() == 1  # Sol's reminder, in Slack only

    assert await outbox_rows(services, sol.email) == []
    dms = [json.loads(m.payload)["text"] for m in await outbox_rows(services, "U0SOL")]
    assert len(dms) == 2
    assert "A place has come free" in dms[0] and "Reminder" in dms[1]

    async with services.sessions() as session:
        await places.respond(
            session, post_of(services), row.id or 0, sol, False,
            channel="email", now=clock.now(),
        )  # fmt: skip
        await session.commit()
    # Bo, promoted now, chose email as well as Slack: both; Sol's reply by email link is
    # confirmed by email, since no DM would tell them.
    assert len(await outbox_rows(services, both.email)) == 1
    assert len(await outbox_rows(services, "U0BO")) == 1
    assert len(await outbox_rows(services, sol.email)) == 1
    async with services.sessions() as session:
        channels = (
            await session.exec(
                select(OutboxMessage.channel).where(
                    col(OutboxMessage.idempotency_key).startswith(
                        f"rsvp:{row.id}:{sol.id}"
                    )
                )
            )
        ).all()
    assert channels == ["email"]
