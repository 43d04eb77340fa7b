"""Feedback comments pass through the personal data guard, as questions do: details that
could identify a child are not stored, and the member is reminded of the information-sharing
rules. And who is asked for feedback once attendance is known, walk-ins included."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlmodel import col, select

from bot.domain.forum import attendance, feedback
from bot.runtime import Services
from bot.store.tables import SessionFeedback
from jobs.forum import request_feedback
from tests.conftest import StepClock
from tests.forum import seats
from tests.forum.seats import add_member, add_session, outbox_keys, reply

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CASE = "Useful. Jack Smith, 7, lives at 12 Oak Road, NE1 4XX; DOB 03/04/2019."
HOUR = timedelta(hours=1)

app = seats.app  # the real web app, shared by the forum's web tests


def test_identifying_details_are_taken_out_of_comments() -> None:
    cleaned = feedback.clean(4, CASE)
    assert cleaned.rating == 4 and cleaned.reminder is not None
    assert cleaned.comment is not None and cleaned.comment.startswith("Useful.")
    for detail in ("Jack Smith, 7", "12 Oak Road", "NE1 4XX", "03/04/2019"):
        assert detail not in cleaned.comment
    assert "your comment" in cleaned.reminder
    plain = feedback.clean(5, "  A helpful session on referrals.  ")
    assert (plain.comment, plain.reminder) == ("A helpful session on referrals.", None)


async def test_the_web_form_stores_the_guarded_comment_and_shows_the_reminder(
    app: FastAPI,
) -> None:
    services: Services = app.state.services
    row = await add_session(services, datetime.now(UTC) - 3 * HOUR)
    sam = await add_member(services, "Sam")
    path = "/feedback/" + token_of(services, sam, row.id or 0)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver"
    ) as http:
        page = await http.get(path)
        found = CSRF.search(page.text)
        assert found
        saved = await http.post(
            path, data={"csrf_token": found.group(1), "rating": "4", "comment": CASE}
        )
    assert saved.status_code == 200 and "your feedback is saved" in saved.text
    assert "could identify a child or family" in saved.text
    assert "Oak Road" not in saved.text and "NE1 4XX" not in saved.text
    async with services.sessions() as session:
        (stored,) = (await session.exec(select(SessionFeedback))).all()
    assert stored.comment is not None
    assert "Oak Road" not in stored.comment and "03/04/2019" not in stored.comment


def token_of(services: Services, member: object, session_id: int) -> str:
    url = services.links.item_url("feedback", member, session_id)  # type: ignore[arg-type]
    return url.rsplit("/", 1)[1]


async def test_once_attendance_is_imported_no_shows_are_not_asked_and_walk_ins_are(
    services: Services, clock: StepClock
) -> None:
    row = await add_session(services, clock.now() + 2 * HOUR)
    came, absent = (
        await add_member(services, "Came"),
        await add_member(services, "Gone"),
    )
    walk_in = await add_member(services, "Walk In")
    await reply(services, row, came, True)
    await reply(services, row, absent, True)

    clock.current = row.ends_at + 2 * HOUR  # past the delay; no attendance yet
    assert await request_feedback() == 0
    report = f"email\n{came.email}\n{walk_in.email}\n".encode()
    async with services.sessions() as session:
        await attendance.import_report(
            session, row.id or 0, report, zone=services.settings.zone, now=clock.now()
        )
        await session.commit()
    assert await request_feedback() == 2
    clock.advance(days=2)  # long past the grace: the no-show is still not asked
    assert await request_feedback() == 0
    assert await outbox_keys(services, "feedback:") == [
        f"feedback:{row.id}:{came.id}",
        f"feedback:{row.id}:{walk_in.id}",
    ]


async def test_a_walk_in_marked_after_the_grace_is_asked_too(
    services: Services, clock: StepClock
) -> None:
    row = await add_session(services, clock.now() + 2 * HOUR)
    kim, lee = await add_member(services, "Kim"), await add_member(services, "Lee")
    await reply(services, row, kim, True)
    clock.current = row.ends_at + feedback.GRACE
    assert (
        await request_feedback() == 1
    )  # no attendance after a day: Kim, who had a place
    async with services.sessions() as session:
        await attendance.mark_attended(
            session, row.id or 0, [kim.id or 0, lee.id or 0], now=clock.now()
        )
        await session.commit()
    clock.advance(minutes=5)
    assert await request_feedback() == 1  # Lee, who came without replying
    keys = await outbox_keys(services, "feedback:")
    assert keys == [f"feedback:{row.id}:{kim.id}", f"feedback:{row.id}:{lee.id}"]
    async with services.sessions() as session:
        asked = await session.exec(
            select(SessionFeedback).where(col(SessionFeedback.session_id) == row.id)
        )
        assert asked.all() == []  # asking stores nothing
