"""Typed text in Slack notification text is escaped (&, <, >), so a title such as
"<!channel>" cannot ping a channel; a typed joining link becomes a link only if it is
http(s), and cannot end the link early or point somewhere else."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.blockkit import link
from bot.domain.forum import cards
from bot.domain.polls.announcing import _summary
from bot.runtime import Services
from bot.settings import Settings
from bot.store.tables import ForumSession, Poll
from jobs.forum import send_reminders
from tests.conftest import StepClock
from tests.domain.mailbox import outbox_rows
from tests.forum.seats import add_member, add_session, reply

TITLE = "<!channel> Q&A <https://evil.example|click>"
ESCAPED = "&lt;!channel&gt; Q&amp;A &lt;https://evil.example|click&gt;"
WHEN = datetime(2027, 1, 19, 14, 0, tzinfo=UTC)


def test_the_session_notification_text_escapes_the_title(settings: Settings) -> None:
    row = ForumSession(
        id=3, uid="u@t", title=TITLE, starts_at=WHEN, ends_at=WHEN + timedelta(hours=1)
    )
    text = cards.fallback_text(row, settings.zone, "invitation")
    assert text.startswith(f"You are invited: {ESCAPED}, ") and "<!" not in text


def test_the_poll_notification_text_escapes_the_question() -> None:
    poll = Poll(question=TITLE, options=["a", "b"], created_by="chair")
    assert _summary(poll) == f"New poll: {ESCAPED}"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://meet.example.org/j?a=1&b=2",
            "<https://meet.example.org/j?a=1&amp;b=2|Join>",
        ),
        ("https://x.example/a|b>c", "<https://x.example/a%7Cb&gt;c|Join>"),
        ("HTTP://x.example/", "<HTTP://x.example/|Join>"),
        ("javascript:alert(1)", None),
        ("mailto:chair@example.org", None),
        ("https://x.example/a b", None),
        ("", None),
        (None, None),
    ],
)
def test_links_are_made_only_from_http_urls_and_escaped(
    url: str | None, expected: str | None
) -> None:
    assert link(url, "Join") == expected


async def test_the_last_reminder_escapes_its_joining_link(
    services: Services, clock: StepClock
) -> None:
    row = await add_session(
        services,
        clock.now() + timedelta(minutes=10),
        title="Soon & <b>",
        join_url="https://meet.example.org/x|<!channel>",
    )
    sam = await add_member(services, "Sam", slack="U0SAM")
    await reply(services, row, sam, True, now=clock.now() - timedelta(days=1))
    assert await send_reminders() == 1
    (dm,) = await outbox_rows(services, "U0SAM")
    text = json.loads(dm.payload)["text"]
    assert text == (
        "*Soon &amp; &lt;b&gt;* starts in 15 minutes. "
        "<https://meet.example.org/x%7C&lt;!channel&gt;|Join the session>"
    )
