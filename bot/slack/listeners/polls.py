"""Polls in Slack: `/forum poll` opens the creation modal, members vote with the post's buttons.

A vote by button updates the clicked post at once with `chat.update` (a direct reply to the
interaction, so not through the outbox) and notes where the post is, so that the scheduled
job can later show email and web votes on it too.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncApp

from bot.domain import polls
from bot.domain.members import ACTIVE
from bot.errors import InvalidInputError, UserFacingError
from bot.slack import blocks, flows, poll_blocks
from bot.slack.home import in_home
from bot.slack.listeners import SlackCall, guarded
from bot.slack.people import SlackPerson
from bot.store.tables import Poll

NOT_A_MEMBER = (
    "Only members of the Practitioner Forum can vote, and you are not one yet. "
    "Type `/forum join` to join (it takes a minute), then press the button again."
)


def register(app: AsyncApp) -> None:
    app.action(poll_blocks.VOTE)(guarded(vote))
    app.view(poll_blocks.CREATE)(guarded(submit_create))


def require_poll_admin(person: SlackPerson) -> None:
    """Raises:
    UserFacingError: Neither an admin nor the chair (checked on every request).
    """
    person.require_roles(
        polls.POLL_ROLES, "Sorry, only the forum's admins and chair can run polls."
    )


async def open_create(call: SlackCall, person: SlackPerson, _rest: str) -> None:
    """`/forum poll`: the creation modal (already acknowledged by the command listener)."""
    require_poll_admin(person)
    today = call.services.clock.now().astimezone(call.services.settings.zone).date()
    await call.client.views_open(
        trigger_id=str(call.body.get("trigger_id", "")),
        view=poll_blocks.create_modal(today),
    )


async def submit_create(call: SlackCall) -> None:
    """Create the poll, acknowledge (Slack closes the modal), then announce it."""
    person = await call.person()
    require_poll_admin(person)
    services, settings = call.services, call.services.settings
    try:
        draft = poll_blocks.draft_from_state(call.body["view"]["state"]["values"])
        async with services.sessions() as session:
            poll = await polls.create_poll(
                session,
                draft,
                created_by=person.email or person.user_id,
                zone=settings.zone,
                now=services.clock.now(),
            )
    except InvalidInputError as error:
        block = poll_blocks.FIELD_BLOCKS.get(error.field or "", "question")
        await call.ack(response_action="errors", errors={block: str(error)})
        return
    await call.ack()  # announcing renders an email per member: after Slack's 3 seconds
    async with services.sessions() as session:
        await polls.announce_poll(
            session,
            poll,
            room=services.mailroom,
            slack_channel=settings.slack_forum_channel,
            draw=poll_blocks.drawer(settings.zone),
            zone=settings.zone,
            now=services.clock.now(),
        )


async def vote(call: SlackCall) -> None:
    await call.ack()
    action = (call.body.get("actions") or [{}])[0]
    parsed = poll_blocks.parse_vote(str(action.get("value", "")))
    if parsed is None:
        raise UserFacingError("That button no longer works.")
    person = await call.person()
    member = await flows.find_member(call.services, person)
    if member is None or member.status != ACTIVE:
        raise UserFacingError(NOT_A_MEMBER)
    poll_id, index = parsed
    services, container = call.services, call.body.get("container") or {}
    channel, ts = str(container.get("channel_id")), str(container.get("message_ts"))
    async with services.sessions() as session:
        chosen = await polls.toggle_choice(
            session, poll_id, member, index, channel="slack", now=services.clock.now()
        )
        if in_home(call.body):
            return await _redraw_home(call, person)
        await polls.remember_slack_message(session, poll_id, channel=channel, ts=ts)
        poll = await polls.get_poll(session, poll_id)
        results = await polls.poll_results(session, poll)
    await call.client.chat_update(
        channel=channel,
        ts=ts,
        text=f"Poll: {blocks.escape(poll.question)}",
        blocks=poll_blocks.poll_message(poll, results, services.settings.zone),
    )
    await call.respond(
        text=_confirmation(poll, chosen, services.settings.zone),
        response_type="ephemeral",
        replace_original=False,
    )


async def _redraw_home(call: SlackCall, person: SlackPerson) -> None:
    """A vote from the App Home tab (committed already): the tab redraws itself."""
    await flows.publish_home(call.client, call.services, person)


def _confirmation(poll: Poll, chosen: list[int], zone: ZoneInfo) -> str:
    closes = polls.local_text(poll.closes_at, zone) if poll.closes_at else "it closes"
    if not chosen:
        return f"You have taken back your vote. You can vote again until {closes}."
    picked = ", ".join(blocks.escape(poll.options[n]) for n in chosen)
    return f"Your vote is recorded: *{picked}*. You can change it until {closes}."
