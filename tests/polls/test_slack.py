"""Polls in Slack through signed requests against the local Slack API stand-in."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from bot.domain import polls
from bot.store.tables import Poll
from jobs.polls import close_polls
from tests.polls.test_domain import votes
from tests.slack.harness import (
    CHAIR,
    FORUM_CHANNEL,
    KIM,
    SAM,
    SlackBot,
    reply_text,
    state,
    ticked,
    typed,
)
from tests.slack.test_commands import add

POST_TS = "1700000000.000042"


def modal(options: str, *, settings: tuple[str, ...] = ()) -> dict[str, Any]:
    day = (datetime.now() + timedelta(days=3)).date().isoformat()
    return state(
        question=typed("Next topic? <!channel>"),
        options=typed(options),
        settings=ticked(*settings),
        closes_date={"type": "datepicker", "selected_date": day},
        closes_time={"type": "timepicker", "selected_time": "17:00"},
    )


async def created(slackbot: SlackBot, **more: Any) -> Poll:
    response = await slackbot.view_submission(
        CHAIR, "poll_create", modal("A\nB\nC", **more)
    )
    assert response.status_code == 200 and not response.text
    await slackbot.settle()
    async with slackbot.services.sessions() as session:
        [poll] = await polls.list_polls(session)
    return poll


async def click(slackbot: SlackBot, user: Any, poll: Poll, index: int) -> None:
    post = next(
        r for r in await slackbot.outbox() if r.idempotency_key.endswith(":post")
    )
    message = json.loads(post.payload) | {"ts": POST_TS}
    await slackbot.message_action(
        user,
        "poll_vote",
        f"{poll.id}:{index}",
        message=message,
        block_id=f"poll:{poll.id}:{index}",
    )


async def test_the_chair_opens_the_modal_and_others_cannot(slackbot: SlackBot) -> None:
    await slackbot.command(CHAIR, "poll")
    (opened,) = await slackbot.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "poll_create"
    assert [b["block_id"] for b in view["blocks"]] == [
        "question",
        "options",
        "settings",
        "closes_date",
        "closes_time",
    ]
    await slackbot.command(KIM, "poll")
    assert "only the forum's admins and chair" in reply_text(await slackbot.reply())


async def test_submitting_the_modal_creates_and_announces_the_poll(
    slackbot: SlackBot,
) -> None:
    await add(slackbot.services, KIM)
    bad = await slackbot.view_submission(CHAIR, "poll_create", modal("Only one"))
    answer = bad.json()
    assert (
        answer["response_action"] == "errors"
        and "between 2 and 10" in answer["errors"]["options"]
    )

    poll = await created(slackbot, settings=("multiple", "named"))
    assert (poll.multiple, poll.anonymous, poll.options) == (
        True,
        False,
        ["A", "B", "C"],
    )
    assert poll.created_by == CHAIR.email
    rows = await slackbot.outbox()
    assert [(r.channel, r.recipient) for r in rows] == [
        ("slack", FORUM_CHANNEL),
        ("email", KIM.email),
    ]
    post = json.loads(rows[0].payload)
    assert "&lt;!channel&gt;" in json.dumps(post["blocks"])  # no channel-wide ping


async def test_a_vote_button_records_the_vote_and_updates_the_counts(
    slackbot: SlackBot,
) -> None:
    await add(slackbot.services, KIM)
    poll = await created(slackbot)
    await click(slackbot, KIM, poll, 1)
    (updated,) = await slackbot.wait_for("chat.update")
    assert (updated.args["channel"], updated.args["ts"]) == (FORUM_CHANNEL, POST_TS)
    assert "1 vote (100%)" in json.dumps(updated.args["blocks"])
    assert "Your vote is recorded: *B*" in reply_text(await slackbot.reply())
    await slackbot.settle()
    [vote] = await votes(slackbot.services, poll)
    assert (vote.choices, vote.channel) == ([1], "slack")
    async with slackbot.services.sessions() as session:
        located = await polls.get_poll(session, poll.id or 0)
    assert (located.slack_channel, located.slack_ts) == (FORUM_CHANNEL, POST_TS)

    await click(
        slackbot, KIM, poll, 2
    )  # single choice: the new click replaces the vote
    await slackbot.wait_for("chat.update", 2)
    await slackbot.settle()
    assert [v.choices for v in await votes(slackbot.services, poll)] == [[2]]


async def test_someone_who_is_not_a_member_is_told_how_to_join(
    slackbot: SlackBot,
) -> None:
    poll = await created(slackbot)
    await click(slackbot, SAM, poll, 0)
    text = reply_text(await slackbot.reply())
    assert "not one yet" in text and "/forum join" in text
    await slackbot.settle()
    assert await votes(slackbot.services, poll) == []
    assert slackbot.api.calls_to("chat.update") == []


async def test_a_click_after_closing_is_refused(slackbot: SlackBot) -> None:
    await add(slackbot.services, KIM)
    poll = await created(slackbot)
    async with slackbot.services.sessions() as session:
        await polls.close_poll(session, poll.id or 0, now=slackbot.services.clock.now())
    await click(slackbot, KIM, poll, 0)
    assert "has closed" in reply_text(await slackbot.reply())
    await slackbot.settle()
    assert await votes(slackbot.services, poll) == []


async def test_clicks_on_a_multiple_choice_poll_add_and_take_away_options(
    slackbot: SlackBot,
) -> None:
    await add(slackbot.services, KIM)
    poll = await created(slackbot, settings=("multiple",))
    for n, index in enumerate((0, 2, 0), start=1):
        await click(slackbot, KIM, poll, index)
        await slackbot.wait_for("chat.update", n)
        await slackbot.settle()
    assert [v.choices for v in await votes(slackbot.services, poll)] == [[2]]
    last = slackbot.api.calls_to("chat.update")[-1].args
    assert "1 member has voted" in json.dumps(last["blocks"])


async def test_a_web_vote_reaches_the_slack_post_through_the_outbox(
    slackbot: SlackBot,
) -> None:
    services = slackbot.services
    await add(services, KIM, channels=("slack",))
    sam = await add(services, SAM, channels=("slack",))
    poll = await created(slackbot)
    await click(slackbot, KIM, poll, 0)  # the click tells the bot where the post is
    await slackbot.wait_for("chat.update")
    await slackbot.settle()
    async with services.sessions() as session:
        await polls.vote(
            session, poll.id or 0, sam, [1], channel="web", now=services.clock.now()
        )

    await close_polls()  # the scheduled job: refreshes the post's counts
    assert await services.delivery_worker().drain() == 2  # the post, then the refresh
    (posted,) = await slackbot.wait_for("chat.postMessage")
    refreshed = (await slackbot.wait_for("chat.update", 2))[-1].args
    assert posted.args["channel"] == FORUM_CHANNEL
    assert (refreshed["channel"], refreshed["ts"]) == (FORUM_CHANNEL, POST_TS)
    assert "2 members have voted" in json.dumps(refreshed["blocks"])


async def test_a_post_nobody_clicked_is_found_by_its_delivery_receipt(
    slackbot: SlackBot,
) -> None:
    """The outbox keeps where Slack put the announcement, so email and web votes reach the
    post before anyone clicks on it."""
    services = slackbot.services
    sam = await add(services, SAM, channels=("slack",))
    poll = await created(slackbot)
    assert await services.delivery_worker().drain() == 1  # the announcement
    await slackbot.wait_for("chat.postMessage")
    [post] = [r for r in await slackbot.outbox() if r.idempotency_key.endswith(":post")]
    assert post.receipt is not None and post.receipt.startswith(f"{FORUM_CHANNEL}/")
    async with services.sessions() as session:
        await polls.vote(
            session, poll.id or 0, sam, [2], channel="email", now=services.clock.now()
        )

    await close_polls()
    assert await services.delivery_worker().drain() == 1  # the refresh
    (refreshed,) = await slackbot.wait_for("chat.update")
    assert refreshed.args["channel"] == FORUM_CHANNEL
    assert refreshed.args["ts"] == post.receipt.partition("/")[2]
    assert "1 member has voted" in json.dumps(refreshed.args["blocks"])
