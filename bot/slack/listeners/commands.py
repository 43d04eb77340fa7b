"""The /forum slash command."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.slack import blocks, flows
from bot.slack.listeners import SlackCall, guarded, questions, sessions
from bot.slack.listeners.briefings import briefings_command
from bot.slack.listeners.polls import open_create as _poll
from bot.slack.listeners.training import training_command
from bot.slack.people import SlackPerson

Handler = Callable[[SlackCall, SlackPerson, str], Awaitable[None]]


def register(app: AsyncApp) -> None:
    app.command("/forum")(guarded(forum))


async def forum(call: SlackCall) -> None:
    await call.ack()  # within Slack's 3 seconds, before any work
    word, _, rest = str(call.body.get("text") or "").strip().partition(" ")
    person = await call.person()
    await SUBCOMMANDS.get(word.lower() or "help", _unknown)(call, person, rest.strip())


async def _say(call: SlackCall, text: str, **more: Any) -> None:
    await call.respond(text=text, response_type="ephemeral", **more)


async def _help(call: SlackCall, person: SlackPerson, _rest: str) -> None:
    await _say(
        call, "Forum commands", blocks=blocks.help_blocks(is_admin=person.is_admin)
    )


async def _unknown(call: SlackCall, _person: SlackPerson, _rest: str) -> None:
    await _say(call, "I don't know that command. Try `/forum help`.")


async def _join(call: SlackCall, person: SlackPerson, _rest: str) -> None:
    await flows.open_join(
        call.client, call.services, person, str(call.body.get("trigger_id", ""))
    )


async def _prefs(call: SlackCall, person: SlackPerson, _rest: str) -> None:
    await flows.open_prefs(
        call.client, call.services, person, str(call.body.get("trigger_id", ""))
    )


async def _leave(call: SlackCall, person: SlackPerson, _rest: str) -> None:
    await _say(call, await flows.leave(call.services, person))


async def _ask(call: SlackCall, _person: SlackPerson, rest: str) -> None:
    if not rest:
        await _say(
            call, "Ask your question after the command: `/forum ask <question>`."
        )
        return
    reply = await flows.answer(call.services, rest)
    await _say(call, reply.text, blocks=blocks.reply_blocks(reply))


async def _admin(call: SlackCall, person: SlackPerson, rest: str) -> None:
    person.require_admin()  # on the server, every time: hiding the help is not enough
    word, _, argument = rest.partition(" ")
    if word == "members":
        await _say(call, await flows.admin_members(call.services, person))
    elif word == "find" and argument.strip():
        await _say(
            call,
            "Member",
            blocks=await flows.admin_find(call.services, person, argument.strip()),
        )
    elif word == "announce":
        await _say(call, await flows.announce(call.services, person, argument))
    else:
        await _say(call, blocks.ADMIN_HELP)


SUBCOMMANDS: dict[str, Handler] = {
    "help": _help,
    "join": _join,
    "prefs": _prefs,
    "preferences": _prefs,
    "leave": _leave,
    "sessions": sessions.sessions_command,
    "session": sessions.session_command,
    "ask": _ask,
    "admin": _admin,
    "poll": _poll,
    "question": questions.question_command,
    "questions": questions.questions_command,
    "attended": questions.attended_command,
    "briefings": briefings_command,
    "training": training_command,
}
