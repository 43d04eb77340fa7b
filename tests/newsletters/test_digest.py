"""Composing an issue: the sections it carries, and one member's personal copy."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.domain import newsletters as nl
from bot.runtime import Services
from bot.store.tables import Feed, FeedItem, OutboxMessage
from tests.domain.mailbox import html_text, parse, plain_text
from tests.forum.sessions_kit import new_session
from tests.newsletters.kit import add_members, new_issue, publish_briefing, send
from tests.polls.conftest import make_poll


async def _content(services: Services, ref: int) -> dict[str, object]:
    async with services.sessions() as session:
        row = await nl.get_newsletter(session, ref)
        return await nl.content_for(
            session,
            row,
            zone=services.settings.zone,
            base_url=services.links.base_url,
            now=services.clock.now(),
        )


async def _choose_reading(services: Services, title: str) -> None:
    async with services.sessions() as session:
        feed = Feed(name="National panel", url="https://example.org/feed.xml")
        session.add(feed)
        await session.flush()
        session.add(
            FeedItem(
                feed_id=feed.id or 0,
                guid="g1",
                title=title,
                link="https://example.org/a",
                chosen=True,
            )
        )
        await session.commit()


async def test_sections_with_nothing_in_them_are_left_out(services: Services) -> None:
    issue = await new_issue(services, note=None)
    content = await _content(services, issue.id or 0)
    assert content["sections"] == [] and content["chair_note"] is None
    assert issue.campaign == "newsletter:2026-04"


async def test_the_digest_carries_the_months_briefings_sessions_polls_and_reading(
    services: Services,
) -> None:
    issue = await new_issue(services)
    await publish_briefing(services, "Child H")  # in March 2026: the issue's period
    await publish_briefing(
        services, "Old news", at=issue.period_start - timedelta(days=3)
    )
    await new_session(services, start="2026-03-20 14:00", end="2026-03-20 15:30")
    await make_poll(services, question="Next topic?")
    await _choose_reading(services, "Serious case reviews: annual report")

    content = await _content(services, issue.id or 0)
    sections = {s["key"]: s for s in content["sections"]}  # type: ignore[attr-defined]
    assert list(sections) == ["briefings", "sessions", "polls", "reading"]
    assert [i["title"] for i in sections["briefings"]["items"]] == ["Child H"]
    assert sections["sessions"]["items"][0]["title"] == "Practitioner Forum: referrals"
    assert sections["polls"]["items"][0]["title"] == "Next topic?"
    assert sections["reading"]["items"][0]["url"] == "https://example.org/a"


async def test_each_copy_is_personal_with_its_own_links_and_topics(
    services: Services,
) -> None:
    issue = await new_issue(services, note="See you in <April>.")
    await new_session(services, start="2026-03-20 14:00", end="2026-03-20 15:30")
    kim, sam = await add_members(services, 2, topics=["Neglect"])
    await send(services, issue.id or 0)

    async with services.sessions() as session:
        rows = (
            await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))
        ).all()
    assert [r.idempotency_key for r in rows] == [
        f"newsletter:2026-04:member:{kim.id}",
        f"newsletter:2026-04:member:{sam.id}",
    ]
    first, second = (parse(r.payload) for r in rows)
    text = plain_text(rows[0].payload)
    assert "Hello Member 0," in text and "because you follow Neglect" in text
    assert "See you in &lt;April&gt;." in html_text(rows[0].payload)  # escaped
    for member, message in ((kim, first), (sam, second)):
        url = str(message["List-Unsubscribe"]).strip("<>")
        path, query = url.split("?")
        assert query == "c=newsletter%3A2026-04"
        read = services.links.read_member("unsubscribe", path.rsplit("/", 1)[1])
        assert read[0] == member.id  # each copy's link is its own member's
    assert "/rsvp/" in text and first["Content-Type"].startswith(
        "multipart/alternative"
    )


async def test_the_preview_is_the_email_a_member_gets(services: Services) -> None:
    issue = await new_issue(services)
    content = await _content(services, issue.id or 0)
    message = nl.preview_message(
        services.mailroom,
        content,
        campaign=issue.campaign,
        topics=["Neglect"],
        now=services.clock.now(),
    )
    html = nl.html_part(message)
    assert "From the chair" in html and "Thank you all." in html
    assert html == html_text(message) and len(message) < 100_000
