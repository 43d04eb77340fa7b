"""Sending: frozen content, batches committed one by one, resumed without doubles."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.domain import members as m
from bot.domain import newsletters as nl
from bot.errors import InvalidInputError
from bot.runtime import Services
from bot.store.tables import Member, OutboxMessage
from tests.domain.mailbox import plain_text
from tests.newsletters.kit import add_members, new_issue, publish_briefing, send


async def _rows(services: Services) -> list[OutboxMessage]:
    async with services.sessions() as session:
        statement = select(OutboxMessage).order_by(col(OutboxMessage.id))
        return list((await session.exec(statement)).all())


async def test_a_send_queues_one_copy_per_member_in_batches_and_marks_it_sent(
    services: Services,
) -> None:
    members = await add_members(services, 5)
    issue = await new_issue(services)
    result = await send(services, issue.id or 0, batch_size=2)
    assert (result.members, result.queued) == (5, 5)
    rows = await _rows(services)
    assert sorted(r.recipient for r in rows) == sorted(x.email or "" for x in members)
    async with services.sessions() as session:
        done = await nl.get_newsletter(session, issue.id or 0)
    assert done.status == nl.SENT and done.recipients == 5 and done.content is not None
    with pytest.raises(InvalidInputError, match="sent already"):
        await send(services, issue.id or 0)


async def test_members_who_left_or_take_no_email_get_none(services: Services) -> None:
    kim, sam, lee = await add_members(services, 3)
    async with services.sessions() as session:
        for who, change in ((sam, "left"), (lee, "slack only")):
            row = await session.get(Member, who.id)
            assert row is not None
            if change == "left":
                m.unsubscribe(row, services.clock.now())
            else:
                row.channels = ["slack"]
        await session.commit()
    await send(services, (await new_issue(services)).id or 0)
    assert [r.recipient for r in await _rows(services)] == [kim.email]


async def test_a_resumed_send_keeps_the_frozen_issue_and_sends_nobody_twice(
    services: Services,
) -> None:
    """As after a crash: the first batch was committed, then the process died."""
    await add_members(services, 5)
    issue = await new_issue(services)
    await publish_briefing(services, "Child H")
    async with services.sessions() as session:
        row = await nl.get_newsletter(session, issue.id or 0)
        zone, base = services.settings.zone, services.links.base_url
        now = services.clock.now()
        await nl.start_sending(session, row, zone=zone, base_url=base, now=now)
        await nl.queue_batch(
            session, services.mailroom, row, after_id=0, size=2, now=now
        )
        await session.commit()
    services.clock.advance(days=5)  # type: ignore[attr-defined]
    await publish_briefing(services, "Published after sending began")

    result = await send(services, issue.id or 0, batch_size=2)
    assert (result.members, result.queued) == (5, 3)
    rows = await _rows(services)
    assert len(rows) == len({r.recipient for r in rows}) == 5
    for r in rows:
        text = plain_text(r.payload)
        assert "Child H" in text and "Published after sending began" not in text


async def test_two_senders_at_once_still_send_each_member_one_copy(
    services: Services,
) -> None:
    await add_members(services, 12)
    issue = await new_issue(services)
    results = await asyncio.gather(
        send(services, issue.id or 0, batch_size=3),
        send(services, issue.id or 0, batch_size=5),
        return_exceptions=True,
    )
    finished = [r for r in results if isinstance(r, nl.SendResult)]
    assert finished, results
    for r in results:  # the other is refused while the first sends, or finds it sent
        assert isinstance(
            r, (nl.SendResult, nl.NewsletterBusyError)
        ) or "sent already" in str(r), r
    per_member = Counter(r.recipient for r in await _rows(services))
    assert len(per_member) == 12 and set(per_member.values()) == {1}


async def test_scheduled_issues_come_due_and_past_times_are_refused(
    services: Services,
) -> None:
    issue = await new_issue(services)
    now = services.clock.now()
    async with services.sessions() as session:
        row = await nl.get_newsletter(session, issue.campaign)
        with pytest.raises(InvalidInputError, match="future"):
            nl.schedule(row, now - timedelta(minutes=1), now=now)
        nl.schedule(row, now + timedelta(hours=1), now=now)
        await session.commit()
        assert await nl.due_newsletters(session, now) == []
        due = await nl.due_newsletters(session, now + timedelta(hours=1))
    assert [d.id for d in due] == [issue.id]


async def test_bad_month_and_long_note_are_refused_plainly(services: Services) -> None:
    async with services.sessions() as session:
        with pytest.raises(InvalidInputError, match="YYYY-MM"):
            await nl.create_draft(
                session,
                month="Jan",
                zone=services.settings.zone,
                now=services.clock.now(),
            )
        with pytest.raises(InvalidInputError, match="too long"):
            await nl.create_draft(
                session,
                month="2026-05",
                zone=services.settings.zone,
                chair_note="x" * 6000,
                now=services.clock.now(),
            )
