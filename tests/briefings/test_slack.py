"""`/forum briefings` through signed requests to the real app and the Slack stand-in."""

from __future__ import annotations

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
