"""`/forum briefings` through signed requests to the real app and the Slack stand-in."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.briefings.kit import approved, publish
from tests.slack.harness import KIM, SlackBot, reply_text


async def test_briefings_lists_the_latest_published(slackbot: SlackBot) -> None:
    await slackbot.command(KIM, "briefings")
    assert "none have been published" in (await slackbot.reply())["text"]

    services = slackbot.services
    row = await approved(services, title="Escalate <early> & often")
    await approved(services, title="Still a draft")
    await publish(services, row.id or 0)
    await slackbot.command(KIM, "briefings")
    reply = await slackbot.reply()
    text = reply_text(reply)
    assert reply["response_type"] == "ephemeral"
    assert "|Escalate &lt;early&gt; &amp; often>*" in text
    assert f"{services.links.base_url}/briefings/{row.slug}|" in text
    assert "Still a draft" not in text and "Practice update" in text


async def test_briefings_dates_are_local_and_a_bar_cannot_break_the_link(
    slackbot: SlackBot,
) -> None:
    services = slackbot.services
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 July in London (BST)
    row = await approved(services, title="Before | after <b>")
    minutes = int((late - services.clock.now()).total_seconds() // 60)
    await publish(services, row.id or 0, minutes=minutes)
    await slackbot.command(KIM, "briefings")
    text = reply_text(await slackbot.reply())
    assert "01 Jul 2026" in text and "30 Jun 2026" not in text
    url = f"{services.links.base_url}/briefings/{row.slug}"
    assert f"<{url}|Before ¦ after &lt;b&gt;>" in text
    assert text.count("|") == 2  # the briefing's link and the archive's, nothing else
