"""RSVP in Slack: the `session_rsvp` buttons ("SESSION_ID:yes" or "SESSION_ID:no") on
session announcements and DMs.

The reply to the click (an ephemeral message to the person who clicked) is the
confirmation, so no email is sent for a Slack reply; a place freed for someone waiting is
told to them through the outbox, as from any channel.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.domain.blockkit import escape as mrkdwn
from bot.domain.forum import places
from bot.domain.forum.notices import ForumPost
from bot.domain.forum.sessions import get_session
from bot.domain.members import ACTIVE
from bot.errors import UserFacingError
from bot.slack import flows
from bot.slack.home import in_home
from bot.slack.listeners import SlackCall, guarded
from bot.store.tables import Member

ACTION = "session_rsvp"
NOT_A_MEMBER = (
    "Only members of the Practitioner Forum can reply, and you are not one yet. "
    "Type `/forum join` to join (it takes a minute), then press the button again."
)


def register(app: AsyncApp) -> None:
    app.action(ACTION)(guarded(rsvp))


def parse_value(value: str) -> tuple[int, bool]:
    """(session id, yes?) from a button's value; a forged or stale value is refused."""
    session_id, _, answer = value.partition(":")
    if not session_id.isdigit() or answer not in ("yes", "no"):
        raise UserFacingError(
            "That button no longer works; please use the latest message."
        )
    return int(session_id), answer == "yes"


async def rsvp(call: SlackCall) -> None:
    await call.ack()
    services = call.services
    session_id, yes = parse_value(
        str((call.body.get("actions") or [{}])[0].get("value", ""))
    )
    person = await call.person()
    found = await flows.find_member(services, person)
    if found is None or found.status != ACTIVE:
        raise UserFacingError(NOT_A_MEMBER)
    post = ForumPost.of(services.mailroom, services.settings)
    async with services.sessions() as session:
        member = await session.get(Member, found.id)
        assert member is not None
        reply = await places.respond(
            session,
            post,
            session_id,
            member,
            yes,
            channel="slack",
            now=services.clock.now(),
        )
        row = await get_session(session, session_id)
        facts = post.facts(row, member)
        await session.commit()
    if in_home(
        call.body
    ):  # the tab shows the new reply; there is nothing to respond to
        await flows.publish_home(call.client, services, person)
        return
    text = f"{reply.saying} *{mrkdwn(row.title)}*, {facts['when']}."
    if reply.status == places.ATTENDING and facts["join_url"]:
        text += (
            f" <{facts['join_url']}|Joining link>. I will remind you before it starts."
        )
    await call.respond(text=text, response_type="ephemeral", replace_original=False)
