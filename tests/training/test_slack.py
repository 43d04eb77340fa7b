"""Marking attendance in Slack through signed requests to the real app and its Bolt app,
against the local Slack Web API stand-in. The app's clock is real time."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.bench.slack_stand_in import SlackStandIn
from bot.settings import Admin, Settings
from bot.store.tables import Booking
from tests.slack import conftest as slack_fixtures
from tests.slack.harness import CHAIR, KIM, SAM, SlackBot, reply_text
from tests.training.kit import add_member, load

slack_api = slack_fixtures.slack_api
slackbot = slack_fixtures.slackbot


@pytest.fixture
def slack_settings(settings: Settings, slack_api: SlackStandIn) -> Settings:
    """The Slack fixtures' settings, with CHAIR in the learning team rather than the chair."""
    chosen = slack_fixtures.slack_settings.__wrapped__(settings, slack_api)  # type: ignore[attr-defined]
    return chosen.model_copy(  # type: ignore[no-any-return]
        update={"admins": [Admin(email=CHAIR.email, roles=["learning"])]}
    )


def _csv(starts: datetime) -> bytes:
    when = f"{starts:%Y-%m-%d %H:%M},{starts + timedelta(hours=3):%Y-%m-%d %H:%M}"
    return (
        "ref,course,start,end,places,email,name,status,attended\n"
        f"E1,Coercive Control,{when},10,{KIM.email},Kim Lee,booked,\n"
        f"E2,Coercive Control,{starts + timedelta(days=30):%Y-%m-%d %H:%M},"
        f"{starts + timedelta(days=30, hours=3):%Y-%m-%d %H:%M},10,{KIM.email},Kim,booked,\n"
    ).encode()


async def _bookings(slackbot: SlackBot) -> list[tuple[str, str, bool | None]]:
    async with slackbot.services.sessions() as session:
        rows = await session.exec(select(Booking).order_by(col(Booking.id)))
        return [(str(b.event_id), b.email, b.attended) for b in rows.all()]


async def test_the_learning_team_marks_who_came(slackbot: SlackBot) -> None:
    services = slackbot.services
    await add_member(services, KIM.email, "Kim <Lee>")
    yesterday = datetime.now(services.settings.zone) - timedelta(days=1)
    assert (await load(services, _csv(yesterday))).rejected == []

    await slackbot.command(
        CHAIR, f"training attended E1 <@{KIM.id}> <@{SAM.id}|sam> <@U0GHOST>"
    )
    said = reply_text(await slackbot.reply())
    assert said == (
        "Marked 2 more as attended at event E1. 1 had no booking; one was added for "
        "them. No email address known for: <@U0GHOST>"
    )
    marked = [(e, m, a) for e, m, a in await _bookings(slackbot) if a]
    assert sorted(m for _e, m, _a in marked) == [KIM.email, SAM.email]
    await slackbot.command(CHAIR, f"training attended E1 <@{KIM.id}>")
    assert reply_text(await slackbot.reply()).startswith("Marked 0 more")


async def test_others_are_refused_and_mistakes_explained(slackbot: SlackBot) -> None:
    services = slackbot.services
    yesterday = datetime.now(services.settings.zone) - timedelta(days=1)
    await load(services, _csv(yesterday))
    before = await _bookings(slackbot)
    await slackbot.command(KIM, f"training attended E1 <@{KIM.id}>")
    assert "only the learning and development team" in reply_text(
        await slackbot.reply()
    )
    await slackbot.command(CHAIR, "training attended E1")
    assert "/forum training attended EVENT_REF" in reply_text(await slackbot.reply())
    await slackbot.command(CHAIR, f"training attended <b>E1 <@{KIM.id}>")
    assert "/forum training attended EVENT_REF" in reply_text(await slackbot.reply())
    await slackbot.command(CHAIR, f"training attended E9 <@{KIM.id}>")
    assert "No training event has the reference 'E9'" in reply_text(
        await slackbot.reply()
    )
    await slackbot.command(CHAIR, f"training attended E2 <@{KIM.id}>")
    assert "has not started yet" in reply_text(await slackbot.reply())
    assert await _bookings(slackbot) == before
