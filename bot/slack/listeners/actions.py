"""Buttons and modal submissions. Every admin action is checked again here, on the server."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.errors import UserFacingError
from bot.slack import blocks, flows
from bot.slack.listeners import SlackCall, guarded


def register(app: AsyncApp) -> None:
    app.action("open_join")(guarded(open_join))
    app.action("open_prefs")(guarded(open_prefs))
    app.action("leave")(guarded(leave))
    app.action("admin_announce")(guarded(open_announce))
    app.action("kb_helpful")(guarded(helpful))
    app.action("kb_unhelpful")(guarded(unhelpful))
    app.action("kb_handoff")(guarded(hand_off))
    app.view("join")(guarded(submit_join))
    app.view("prefs")(guarded(submit_prefs))
    app.view("announce")(guarded(submit_announce))


async def open_join(call: SlackCall) -> None:
    await call.ack()
    await flows.open_join(
        call.client, call.services, await call.person(), call.body["trigger_id"]
    )


async def open_prefs(call: SlackCall) -> None:
    await call.ack()
    await flows.open_prefs(
        call.client, call.services, await call.person(), call.body["trigger_id"]
    )


async def leave(call: SlackCall) -> None:
    await call.ack()
    person = await call.person()
    await flows.leave(call.services, person)
    await flows.publish_home(call.client, call.services, person)


async def open_announce(call: SlackCall) -> None:
    await call.ack()
    person = await call.person()
    person.require_admin()  # a forged button payload from anyone else stops here
    await call.client.views_open(
        trigger_id=call.body["trigger_id"], view=blocks.announce_modal()
    )


async def submit_join(call: SlackCall) -> None:
    person = await call.person()
    errors = await flows.submit_join(
        call.services, person, call.body["view"]["state"]["values"]
    )
    await (call.ack(response_action="errors", errors=errors) if errors else call.ack())
    if not errors:
        await flows.publish_home(call.client, call.services, person)


async def submit_prefs(call: SlackCall) -> None:
    person = await call.person()
    errors = await flows.submit_prefs(
        call.services, person, call.body["view"]["state"]["values"]
    )
    await (call.ack(response_action="errors", errors=errors) if errors else call.ack())
    if not errors:
        await flows.publish_home(call.client, call.services, person)


async def submit_announce(call: SlackCall) -> None:
    person = await call.person()
    text = blocks.announcement_from_state(call.body["view"]["state"]["values"])
    try:
        await flows.announce(call.services, person, text)
    except UserFacingError as error:
        await call.ack(response_action="errors", errors={"text": str(error)})
        return
    await call.ack()


def _question_id(call: SlackCall) -> int:
    value = str((call.body.get("actions") or [{}])[0].get("value", ""))
    if not value.isdigit():
        raise UserFacingError("That button no longer works; please ask again.")
    return int(value)


async def _tell(call: SlackCall, text: str) -> None:
    await call.respond(text=text, response_type="ephemeral", replace_original=False)


async def helpful(call: SlackCall) -> None:
    await call.ack()
    await _tell(
        call, await flows.feedback(call.services, _question_id(call), helpful=True)
    )


async def unhelpful(call: SlackCall) -> None:
    await call.ack()
    await _tell(
        call, await flows.feedback(call.services, _question_id(call), helpful=False)
    )


async def hand_off(call: SlackCall) -> None:
    await call.ack()
    await _tell(
        call,
        await flows.hand_off(call.services, await call.person(), _question_id(call)),
    )
