"""Invitations, updates and cancellations: real SMTP delivery, iCalendar parts, Slack payloads."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from icalendar import Calendar
from sqlmodel import col, select

from bot.domain import privacy
from bot.domain.forum import sessions
from bot.domain.forum.invitations import InviteResult, send_invitations
from bot.errors import UserFacingError
from bot.runtime import Services
from bot.store.tables import Rsvp
from tests.conftest import StepClock
from tests.domain.mailbox import link, outbox_rows, plain_text
from tests.forum.sessions_kit import add_member, new_session, post_of, rules_of
from tests.servers.smtp import SmtpServer


async def _invite(
    services: Services, row_id: int, channel: str | None = None
) -> InviteResult:
    async with services.sessions() as session:
        result = await send_invitations(
            session,
            post_of(services),
            row_id,
            forum_channel=channel,
            now=services.clock.now(),
        )
        await session.commit()
        return result


async def _deliver(
    services: Services, smtpd: SmtpServer, total: int
) -> list[EmailMessage]:
    await services.delivery_worker().drain()
    await smtpd.handler.wait_for_messages(total)
    return [m.parsed() for m in smtpd.messages]


def _calendar(
    message: EmailMessage, content_type: str = "text/calendar"
) -> tuple[str, Any]:
    (part,) = [p for p in message.walk() if p.get_content_type() == content_type]
    raw = part.get_payload(decode=True)
    assert isinstance(raw, bytes)
    calendar = Calendar.from_ical(raw)
    (event,) = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


async def _rsvps(services: Services, row_id: int) -> dict[int, Rsvp]:
    async with services.sessions() as session:
        found = await session.exec(select(Rsvp).where(col(Rsvp.session_id) == row_id))
        return {r.member_id: r for r in found.all()}


async def test_invitation_email_carries_the_calendar_and_rsvp_links(
    services: Services, smtpd: SmtpServer
) -> None:
    ann = await add_member(services, "Ann Able")
    await add_member(services, "Dan Left", status="unsubscribed")
    row = await new_session(services, description="Bring <a case> to discuss.")
    assert row.id is not None
    assert (await _invite(services, row.id)).emails == 1
    (message,) = await _deliver(services, smtpd, 1)
    assert message["To"].addresses[0].addr_spec == ann.email
    assert message["Subject"].startswith("Invitation: Practitioner Forum: referrals")
    assert message["List-Unsubscribe"]
    text = plain_text(message.as_bytes())
    assert "Tuesday 19 January 2027, 14:00 to 15:30 (UK time)" in text
    assert (
        "Referrals: what good looks like" in text
        and "https://meet.example.org/forum" in text
    )
    base = str(services.settings.base_url).rstrip("/")
    assert link(message.as_bytes(), base, "forum")
    assert text.count(f"{base}/rsvp/") == 2
    html = message.get_body(preferencelist=("html",))
    assert html is not None and "Bring &lt;a case&gt; to discuss." in html.get_content()
    for content_type in ("text/calendar", "application/ics"):
        method, event = _calendar(message, content_type)
        assert method == "REQUEST" and str(event["UID"]) == row.uid
        assert event.decoded("DTSTART").astimezone(UTC) == datetime(
            2027, 1, 19, 14, tzinfo=UTC
        )
        assert str(event["ATTENDEE"]) == f"mailto:{ann.email}"
    rsvp = (await _rsvps(services, row.id))[ann.id or 0]
    assert (rsvp.status, rsvp.invited_sequence) == ("invited", 0)


async def test_updates_go_once_per_sequence_and_not_to_decliners(
    services: Services, smtpd: SmtpServer
) -> None:
    ann = await add_member(services, "Ann Able")
    ben = await add_member(services, "Ben Busy")
    row = await new_session(services)
    assert row.id is not None
    await _invite(services, row.id)
    assert (await _invite(services, row.id)) == InviteResult(0, 0, 0)  # nothing twice
    async with services.sessions() as session:
        declined = (await _rsvps(services, row.id))[ben.id or 0]
        declined.status = "declined"
        session.add(declined)
        rules = rules_of(services)
        current = sessions.details_of(
            await sessions.get_session(session, row.id), rules
        )
        moved = replace(
            current, starts=datetime(2027, 1, 26, 14), ends=datetime(2027, 1, 26, 15)
        )
        await sessions.edit_session(
            session, post_of(services), row.id, moved, now=services.clock.now()
        )
        await session.commit()
    assert (await _invite(services, row.id)).emails == 1
    assert (await _invite(services, row.id)).emails == 0
    messages = await _deliver(services, smtpd, 3)
    (update,) = [m for m in messages if str(m["Subject"]).startswith("Updated: ")]
    assert update["To"].addresses[0].addr_spec == ann.email
    assert update["Subject"].startswith("Updated: ")
    method, event = _calendar(update)
    assert (method, event.decoded("SEQUENCE")) == ("REQUEST", 1)
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(
        2027, 1, 26, 14, tzinfo=UTC
    )


async def test_cancellation_reaches_those_invited_only(
    services: Services, smtpd: SmtpServer
) -> None:
    ann = await add_member(services, "Ann Able")
    row = await new_session(services)
    assert row.id is not None
    await _invite(services, row.id)
    late = await add_member(services, "Lou Late")  # joined after the invitations went
    async with services.sessions() as session:
        await sessions.cancel_session(session, row.id, now=services.clock.now())
        await session.commit()
    assert (await _invite(services, row.id)).emails == 1
    messages = await _deliver(services, smtpd, 2)
    (cancel,) = [m for m in messages if str(m["Subject"]).startswith("Cancelled: ")]
    assert cancel["To"].addresses[0].addr_spec == ann.email != late.email
    assert cancel["Subject"].startswith("Cancelled: ")
    method, event = _calendar(cancel)
    assert (method, str(event["STATUS"]), event.decoded("SEQUENCE")) == (
        "CANCEL",
        "CANCELLED",
        1,
    )
    assert "/rsvp/" not in plain_text(cancel.as_bytes())


async def test_audience_by_topic_or_organisation_and_slack(services: Services) -> None:
    await add_member(services, "Ann Able")
    ben = await add_member(services, "Ben Neglect", topics=("Neglect",), slack="U0BEN")
    cat = await add_member(
        services,
        "Cat Police",
        organisation="Riverside Police",
        slack="U0CAT",
        channels=("slack",),
    )
    row = await new_session(
        services,
        audience_topics=("Neglect",),
        audience_organisations=("Riverside Police",),
    )
    assert row.id is not None
    result = await _invite(services, row.id, channel="C0FORUM")
    assert (result.recipients, result.emails, result.chats) == (2, 1, 3)
    rows = await outbox_rows(services)
    assert sorted(r.recipient for r in rows if r.channel == "email") == [ben.email]
    chats = {r.recipient: json.loads(r.payload) for r in rows if r.channel == "slack"}
    assert set(chats) == {"U0BEN", "U0CAT", "C0FORUM"}
    buttons = [
        (e["action_id"], e["value"])
        for b in chats["U0CAT"]["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert buttons == [
        ("session_rsvp", f"{row.id}:yes"),
        ("session_rsvp", f"{row.id}:no"),
        ("session_question_open", str(row.id)),
    ]
    assert "14:00" in chats["U0CAT"]["blocks"][0]["text"]["text"]
    assert cat.id in await _rsvps(services, row.id)


async def test_slack_text_is_escaped(services: Services) -> None:
    await add_member(services, "Ben", slack="U0BEN")
    row = await new_session(services, title="Forum <!channel> & more")
    await _invite(services, row.id or 0)
    (dm,) = [r for r in await outbox_rows(services) if r.channel == "slack"]
    top = json.loads(dm.payload)["blocks"][0]["text"]["text"]
    assert "&lt;!channel&gt; &amp; more" in top and "<!channel>" not in top


async def test_data_export_lists_the_members_invitations(services: Services) -> None:
    ann = await add_member(services, "Ann Able")
    row = await new_session(services)
    await _invite(services, row.id or 0)
    async with services.sessions() as session:
        exported = await privacy.export_member_data(session, ann.email or "")
    assert exported["forum_sessions"] == [
        {
            "session": "Practitioner Forum: referrals",
            "starts_at": "2027-01-19T14:00:00+00:00",
            "status": "invited",
            "invited_at": services.clock.now().isoformat(),
            "responded_at": None,
            "attended": None,
        }
    ]


async def test_simultaneous_sends_invite_each_member_once(services: Services) -> None:
    """Five sends at once (a double-clicked button, a re-run): one invitation each."""
    members = [await add_member(services, f"Member {n}") for n in range(8)]
    row = await new_session(services)
    results = await asyncio.gather(*(_invite(services, row.id or 0) for _ in range(5)))
    assert sum(r.emails for r in results) == len(members)
    emails = [r for r in await outbox_rows(services) if r.channel == "email"]
    assert sorted(r.recipient for r in emails) == sorted(m.email or "" for m in members)
    assert len(await _rsvps(services, row.id or 0)) == len(members)


async def test_nothing_is_sent_for_a_session_that_is_over(
    services: Services, clock: StepClock
) -> None:
    await add_member(services, "Ann Able")
    row = await new_session(services)
    clock.advance(days=400)
    with pytest.raises(UserFacingError, match="is over"):
        await _invite(services, row.id or 0)
    async with services.sessions() as session:
        with pytest.raises(UserFacingError, match="cannot be cancelled"):
            await sessions.cancel_session(session, row.id or 0, now=clock.now())
    assert await outbox_rows(services) == []
