"""Feedback after a session: who is asked and when, once only; the form (one answer per
member, changeable, escaped); the chair's summary; erasure keeps ratings, drops comments."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import col, select

from bot.domain.forum import feedback
from bot.domain.privacy import erase_member, export_member_data
from bot.errors import InvalidInputError, UserFacingError
from bot.runtime import Services
from bot.store.tables import ForumSession, Member, Rsvp, SessionFeedback
from jobs.forum import request_feedback
from tests.conftest import StepClock
from tests.domain.mailbox import link, outbox_rows, subject
from tests.forum import seats
from tests.forum.seats import add_member, add_session, outbox_keys, reply

HOUR = timedelta(hours=1)
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SCRIPT = "<script>alert(1)</script>"

app = seats.app  # the real web app, shared by the forum's web tests


async def _held(services: Services, clock: StepClock, **kw: object) -> ForumSession:
    """A session starting in two hours, with replies taken now; the clock is left at its end."""
    row = await add_session(services, clock.now() + 2 * HOUR, **kw)  # type: ignore[arg-type]
    return row


async def _mark(
    services: Services, row: ForumSession, member: Member, **values: object
) -> None:
    async with services.sessions() as session:
        found = (
            await session.exec(
                select(Rsvp).where(
                    col(Rsvp.session_id) == row.id, col(Rsvp.member_id) == member.id
                )
            )
        ).first()
        place = found or Rsvp(session_id=row.id or 0, member_id=member.id or 0)
        for name, value in values.items():
            setattr(place, name, value)
        session.add(place)
        await session.commit()


async def test_without_attendance_those_with_a_place_are_asked_once_after_a_day(
    services: Services, clock: StepClock
) -> None:
    row = await _held(services, clock, capacity=2)
    ann, kim = (
        await add_member(services, "Ann"),
        await add_member(services, "Kim", slack="U0KIM"),
    )
    wai, dec = await add_member(services, "Wai"), await add_member(services, "Dec")
    for person, yes in ((ann, True), (kim, True), (wai, True), (dec, False)):
        await reply(services, row, person, yes)
    gone = await add_session(services, clock.now() + HOUR, title="Cancelled one")
    await reply(services, gone, ann, True)
    async with services.sessions() as session:
        stored = await session.get(ForumSession, gone.id)
        assert stored is not None
        stored.status = "cancelled"
        await session.commit()

    clock.current = row.ends_at + timedelta(minutes=60)  # the delay is 60 minutes
    assert await request_feedback() == 0  # but with no attendance recorded, not yet:
    clock.current = row.ends_at + feedback.GRACE - timedelta(minutes=1)
    assert await request_feedback() == 0  # a no-show must not be thanked for coming
    clock.advance(minutes=1)  # a day on, still no attendance: those with a place
    assert await request_feedback() == 2
    assert await request_feedback() == 0
    clock.advance(days=1)
    assert await request_feedback() == 0

    keys = await outbox_keys(services, "feedback:")
    assert keys == [
        f"feedback:{row.id}:{ann.id}",
        f"feedback:{row.id}:{kim.id}",
        f"feedback:{row.id}:{kim.id}:slack",
    ]
    mail = (await outbox_rows(services, ann.email))[-1]
    assert subject(mail.payload) == "How was Practitioner Forum?"
    url = link(mail.payload, services.links.base_url, "feedback")
    # Tokens carry the second they were signed in: compare what the link says, not its bytes.
    member_id, _, items = services.links.read_item("feedback", url.rsplit("/", 1)[1], 1)
    assert (member_id, items) == (ann.id, [row.id])
    dm = json.loads((await outbox_rows(services, "U0KIM"))[0].payload)
    assert "Give your feedback" in dm["text"]


async def test_when_attendance_was_recorded_only_those_who_came_are_asked(
    services: Services, clock: StepClock
) -> None:
    row = await _held(services, clock)
    came, absent = (
        await add_member(services, "Came"),
        await add_member(services, "Absent"),
    )
    walk_in = await add_member(services, "Walk In")
    await reply(services, row, came, True)
    await reply(services, row, absent, True)
    await _mark(services, row, came, attended=True)
    await _mark(services, row, absent, attended=False)
    await _mark(services, row, walk_in, status="invited", attended=True)
    clock.current = row.ends_at + 2 * HOUR
    assert await request_feedback() == 2
    assert await outbox_keys(services, "feedback:") == [
        f"feedback:{row.id}:{came.id}",
        f"feedback:{row.id}:{walk_in.id}",
    ]


async def test_a_rating_is_needed_and_a_comment_is_limited(
    services: Services, clock: StepClock
) -> None:
    row = await _held(services, clock)
    sam = await add_member(services, "Sam")
    for bad in (None, 0, 6):
        with pytest.raises(InvalidInputError, match="rating from 1 to 5"):
            feedback.clean(bad, None)
    with pytest.raises(InvalidInputError, match="too long"):
        feedback.clean(3, "x" * 2001)
    async with services.sessions() as session:
        with pytest.raises(UserFacingError, match="has not taken place"):
            await feedback.save(
                session, row.id or 0, sam, rating=4, comment="", now=clock.now()
            )


async def test_one_answer_per_member_changeable_and_the_summary(
    services: Services, clock: StepClock
) -> None:
    row = await _held(services, clock)
    ann, bob = await add_member(services, "Ann"), await add_member(services, "Bob")
    clock.current = row.ends_at
    for member, rating, comment in (
        (ann, 2, "  "),
        (bob, 5, "Great"),
        (ann, 4, "Useful"),
    ):
        async with services.sessions() as session:
            await feedback.save(
                session,
                row.id or 0,
                member,
                rating=rating,
                comment=comment,
                now=clock.now(),
            )
            await session.commit()
    async with services.sessions() as session:
        summary = await feedback.summary(session, row.id or 0)
    assert summary.count == 2 and summary.average == 4.5
    assert summary.ratings == {1: 0, 2: 0, 3: 0, 4: 1, 5: 1}
    assert sorted(summary.comments) == ["Great", "Useful"]

    async with services.sessions() as session:
        exported = await export_member_data(session, ann.email or "")
    assert [(f["rating"], f["comment"]) for f in exported["session_feedback"]] == [
        (4, "Useful")
    ]
    async with services.sessions() as session:
        erased = await erase_member(session, ann.email or "", now=clock.now())
    assert erased.extra["forum_feedback"] == 1
    async with services.sessions() as session:
        after = await feedback.summary(session, row.id or 0)
        rows = (await session.exec(select(SessionFeedback))).all()
    assert after.count == 2 and after.comments == ["Great"]
    assert {(r.member_id, r.comment) for r in rows} == {(None, None), (bob.id, "Great")}


# --- the web form


async def test_the_feedback_form_saves_changes_and_escapes_comments(
    app: FastAPI,
) -> None:
    services: Services = app.state.services
    row = await add_session(services, datetime.now(UTC) - 3 * HOUR)
    sam = await add_member(services, "Sam")
    path = (
        "/feedback/"
        + services.links.item_url("feedback", sam, row.id or 0).rsplit("/", 1)[1]
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver"
    ) as http:
        page = await http.get(path)
        assert page.status_code == 200
        assert (
            'type="radio"' in page.text
            and "<legend>How useful was the session?</legend>" in page.text
        )
        token = CSRF.search(page.text)
        assert token
        missing = await http.post(
            path, data={"csrf_token": token.group(1), "comment": "x"}
        )
        assert (
            missing.status_code == 400
            and "Choose a rating from 1 to 5." in missing.text
        )
        wrong = await http.post(
            path, data={"csrf_token": token.group(1), "rating": "9"}
        )
        assert wrong.status_code == 400

        saved = await http.post(
            path, data={"csrf_token": token.group(1), "rating": "3", "comment": SCRIPT}
        )
        assert saved.status_code == 200 and "your feedback is saved" in saved.text
        assert (
            SCRIPT not in saved.text
            and "&lt;script&gt;alert(1)&lt;/script&gt;" in saved.text
        )
        changed = await http.post(
            path,
            data={"csrf_token": token.group(1), "rating": "5", "comment": "Better"},
        )
        assert changed.status_code == 200
        again = await http.get(path)
        assert re.search(r'<input checked [^>]*value="5"', again.text)
        assert "You have sent feedback on this session" in again.text

        tampered = await http.get(path[:-2] + "xx")
        assert tampered.status_code == 400 and "This link is not valid" in tampered.text
    async with services.sessions() as session:
        rows = (await session.exec(select(SessionFeedback))).all()
    assert [(r.member_id, r.rating, r.comment) for r in rows] == [(sam.id, 5, "Better")]
