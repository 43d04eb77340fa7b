"""A Slack edit or cancellation and the messages it sends are one transaction, as on the
web and the command line: if queuing the messages fails, the change is not kept either, so
the chair can try again and nobody is left untold. The failure is injected by replacing the
listener's `send_due` with one that raises (a real database error is hard to provoke)."""

from __future__ import annotations

import pytest

from bot.domain.forum import sessions
from bot.store.tables import ForumSession
from tests.forum.sessions_kit import add_member, new_session
from tests.forum.test_sessions_slack import _rows, _submit, _values
from tests.slack import conftest as slack_fixtures
from tests.slack.harness import CHAIR, KIM, SlackBot

slack_api = slack_fixtures.slack_api
slack_settings = slack_fixtures.slack_settings
slackbot = slack_fixtures.slackbot


class QueueDown(RuntimeError):
    pass


async def _failing_send(*_args: object, **_kwargs: object) -> None:
    raise QueueDown("the outbox could not be written")


async def _invited(slackbot: SlackBot) -> ForumSession:
    await add_member(slackbot.services, KIM.name, email=KIM.email, slack=KIM.id)
    row = await new_session(slackbot.services)
    async with slackbot.services.sessions() as session:
        stored = await sessions.get_session(session, row.id or 0)
        stored.invited_at = slackbot.services.clock.now()
        session.add(stored)
        await session.commit()
        return stored


async def test_a_cancellation_whose_messages_fail_is_not_kept(
    slackbot: SlackBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = await _invited(slackbot)
    monkeypatch.setattr("bot.slack.listeners.sessions.send_due", _failing_send)
    await _submit(slackbot, CHAIR, "session_cancel", {}, str(row.id))
    await slackbot.settle()
    (stored,) = await _rows(slackbot)
    assert (stored.status, stored.sequence) == ("scheduled", 0)


async def test_an_edit_whose_update_fails_is_not_kept(
    slackbot: SlackBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = await _invited(slackbot)
    monkeypatch.setattr("bot.slack.listeners.sessions.send_due", _failing_send)
    await _submit(
        slackbot,
        CHAIR,
        "session_edit",
        _values(start="15:00", end="16:00"),
        str(row.id),
    )
    await slackbot.settle()
    (stored,) = await _rows(slackbot)
    assert (stored.starts_at, stored.sequence) == (row.starts_at, 0)
