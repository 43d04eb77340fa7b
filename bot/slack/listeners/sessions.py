"""Forum sessions in Slack: the chair's `/forum session new|edit ID|cancel ID` modals, and
`/forum sessions` listing what is coming up with the RSVP buttons.

Saving checks the details before acknowledging (so mistakes show on the modal's fields),
then acknowledges with a short confirmation view and only afterwards queues invitations,
which renders an email per member and could outlast Slack's three seconds.
"""

from __future__ import annotations

from datetime import timedelta

from slack_bolt.async_app import AsyncApp
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.forum import cards
from bot.domain.forum import sessions as s
from bot.domain.forum.invitations import send_due
from bot.domain.forum.notices import ForumPost
from bot.errors import InvalidInputError, UserFacingError
from bot.runtime import Services
from bot.slack import session_modal
from bot.slack.blocks import Block, plain
from bot.slack.listeners import SlackCall, guarded
from bot.slack.people import SlackPerson

CHAIRS = frozenset({"admin", "chair"})
USAGE = (
    "Use `/forum session new`, `/forum session edit ID` or `/forum session cancel ID`."
)


def register(app: AsyncApp) -> None:
    app.view(session_modal.EDIT)(guarded(submit_edit))
    app.view(session_modal.CANCEL)(guarded(submit_cancel))


def require_chair(person: SlackPerson) -> None:
    """Checked on every request: hiding a command is not enough."""
    person.require_roles(
        CHAIRS, "Sorry, only the forum's chair and admins can manage sessions."
    )


def _rules(services: Services) -> s.ForumRules:
    return s.ForumRules.from_settings(services.settings)


def _session_id(text: str) -> int:
    if not text.strip().isdigit():
        raise UserFacingError(USAGE)
    return int(text.strip())


async def session_command(call: SlackCall, person: SlackPerson, rest: str) -> None:
    """`/forum session ...` (already acknowledged by the command listener)."""
    require_chair(person)
    word, _, argument = rest.partition(" ")
    services, trigger = call.services, str(call.body.get("trigger_id", ""))
    rules = _rules(services)
    if word == "new":
        today = services.clock.now().astimezone(rules.zone).replace(tzinfo=None)
        starts = today.replace(hour=14, minute=0, second=0, microsecond=0) + timedelta(
            days=28
        )
        blank = s.SessionDetails(
            title="",
            starts=starts,
            ends=s.default_end(starts, rules),
            join_url=rules.default_join_url,
            capacity=rules.default_capacity,
        )
        view = session_modal.session_modal(rules, blank, None)
    elif word in ("edit", "cancel"):
        async with services.sessions() as session:
            row = await s.get_session(session, _session_id(argument))
        if word == "edit":
            view = session_modal.session_modal(rules, s.details_of(row, rules), row.id)
        else:
            view = session_modal.cancel_modal(row, rules.zone)
    else:
        raise UserFacingError(USAGE)
    await call.client.views_open(trigger_id=trigger, view=view)


async def sessions_command(call: SlackCall, _person: SlackPerson, _rest: str) -> None:
    """`/forum sessions`: upcoming sessions, each with its RSVP and question buttons."""
    services = call.services
    async with services.sessions() as session:
        rows = await s.list_sessions(
            session, now=services.clock.now(), include_cancelled=False
        )
    if not rows:
        await call.respond(
            text="Forum sessions: none are scheduled yet.", response_type="ephemeral"
        )
        return
    blocks: list[Block] = []
    for row in rows[:10]:
        blocks += [
            *cards.session_blocks(row, services.settings.zone, "listing"),
            {"type": "divider"},
        ]
    await call.respond(
        text="Forum sessions coming up", blocks=blocks[:-1], response_type="ephemeral"
    )


def _done(title: str, words: str) -> Block:
    return {
        "type": "modal",
        "title": plain(title, 24),
        "close": plain("Done", 24),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": words}}],
    }


async def _send(services: Services, session: AsyncSession, session_id: int) -> None:
    """Queue the invitations, update or cancellation, in the caller's transaction: the
    change and its messages are committed together, or neither is."""
    await send_due(
        session,
        services.mailroom,
        services.settings,
        session_id,
        now=services.clock.now(),
    )


async def submit_edit(call: SlackCall) -> None:
    person = await call.person()
    require_chair(person)
    services, view = call.services, call.body["view"]
    existing = str(view.get("private_metadata") or "")
    rules = _rules(services)
    try:
        details, send = session_modal.details_from_state(view["state"]["values"])
        async with services.sessions() as session:
            now = services.clock.now()
            if existing:
                row, changed = await s.edit_session(
                    session,
                    ForumPost(services.mailroom, rules),
                    int(existing),
                    details,
                    now=now,
                )
                send = send and changed and row.invited_at is not None
            else:
                row = await s.create_session(
                    session,
                    rules,
                    details,
                    created_by=person.email or person.user_id,
                    now=now,
                )
            if send:
                await _send(services, session, row.id or 0)
            await session.commit()
    except InvalidInputError as error:
        block = session_modal.FIELD_BLOCKS.get(error.field or "", "title")
        await call.ack(response_action="errors", errors={block: str(error)})
        return
    assert row.id is not None
    words = f"Session {row.id} is saved: {cards.summary(row, rules.zone)}"
    words += "\nThe messages are on their way." if send else ""
    await call.ack(response_action="update", view=_done("Session saved", words))


async def submit_cancel(call: SlackCall) -> None:
    person = await call.person()
    require_chair(person)
    services = call.services
    session_id = int(str(call.body["view"].get("private_metadata") or "0"))
    async with services.sessions() as session:
        row = await s.cancel_session(session, session_id, now=services.clock.now())
        await _send(services, session, session_id)
        await session.commit()
    words = f"Cancelled: {cards.summary(row, services.settings.zone)}\nEveryone invited is being told."
    await call.ack(response_action="update", view=_done("Session cancelled", words))
