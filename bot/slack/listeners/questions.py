"""Questions in advance and attendance in Slack: `/forum question|questions|attended`, the
asking modal, and upvote buttons that update the list in place."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.domain import members as m
from bot.domain.forum import attendance, questions
from bot.domain.forum.sessions import get_session
from bot.errors import InvalidInputError, UserFacingError
from bot.runtime import Services
from bot.slack import flows
from bot.slack import question_blocks as qb
from bot.slack.blocks import Block, escape
from bot.slack.listeners import SlackCall, guarded
from bot.slack.people import SlackPeople, SlackPerson
from bot.store.tables import ForumSession, Member

NO_SESSION = "No forum session is coming up, so there is nothing to ask about."
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def register(app: AsyncApp) -> None:
    app.action(qb.OPEN_ACTION)(guarded(open_from_button))
    app.action(qb.UPVOTE_ACTION)(guarded(upvote))
    app.view(qb.CALLBACK)(guarded(submit))


async def _active_member(services: Services, person: SlackPerson) -> Member:
    member = await flows.find_member(services, person)
    if member is None or member.status != m.ACTIVE:
        raise UserFacingError(flows.NOT_A_MEMBER)
    return member


async def _session_for(services: Services, argument: str) -> ForumSession:
    """The session named by id, else the next one taking questions."""
    async with services.sessions() as session:
        if argument:
            if not argument.isdigit():
                raise UserFacingError(
                    "Give the session's number, such as `/forum questions 3`."
                )
            return await get_session(session, int(argument))
        upcoming = await questions.next_session(session, services.clock.now())
    if upcoming is None:
        raise UserFacingError(NO_SESSION)
    return upcoming


async def _open_modal(call: SlackCall, argument: str) -> None:
    services = call.services
    await _active_member(services, await call.person())
    async with services.sessions() as session:
        upcoming = await questions.upcoming_sessions(session, services.clock.now())
    chosen = await _session_for(services, argument) if argument else None
    if chosen is not None:
        questions.check_open(chosen, services.clock.now())
    elif not upcoming:
        raise UserFacingError(NO_SESSION)
    view = qb.question_modal(upcoming, chosen, services.settings.zone)
    await call.client.views_open(trigger_id=str(call.body["trigger_id"]), view=view)


async def question_command(call: SlackCall, _person: SlackPerson, rest: str) -> None:
    await _open_modal(call, rest.strip())


async def open_from_button(call: SlackCall) -> None:
    await call.ack()
    await _open_modal(call, str((call.body.get("actions") or [{}])[0].get("value", "")))


async def submit(call: SlackCall) -> None:
    """Store the question, then show thanks (and the sharing reminder) in the modal."""
    services = call.services
    session_id, text, anonymous = qb.asked_from_state(call.body["view"])
    try:
        member = await _active_member(services, await call.person())
        if session_id is None:
            raise UserFacingError("Choose a session.")
        async with services.sessions() as session:
            asked = await questions.ask(
                session,
                session_id,
                None if anonymous else member,
                text,
                channel="slack",
                now=services.clock.now(),
            )
            await session.commit()
    except UserFacingError as error:
        await call.ack(response_action="errors", errors={"question": str(error)})
        return
    await call.ack(
        response_action="update",
        view=qb.thanks_view(asked.question.text, asked.reminder),
    )


async def _listing(services: Services, row: ForumSession) -> list[Block]:
    async with services.sessions() as session:
        ranked = await questions.ranked(session, row.id or 0)
    return qb.questions_message(row, ranked, services.settings.zone)


async def questions_command(call: SlackCall, _person: SlackPerson, rest: str) -> None:
    row = await _session_for(call.services, rest.strip())
    blocks = await _listing(call.services, row)
    await call.respond(
        text=f"Questions for {escape(row.title)}",
        blocks=blocks,
        response_type="ephemeral",
    )


async def upvote(call: SlackCall) -> None:
    """Count the vote, then redraw the list the button was in with the new counts."""
    await call.ack()
    services = call.services
    member = await _active_member(services, await call.person())
    value = str((call.body.get("actions") or [{}])[0].get("value", ""))
    if not value.isdigit():
        raise UserFacingError("That button no longer works; try `/forum questions`.")
    async with services.sessions() as session:
        await questions.upvote(session, int(value), member, now=services.clock.now())
        await session.commit()
        row = await get_session(
            session, (await questions.get_question(session, int(value))).session_id
        )
    blocks = await _listing(services, row)
    container = call.body.get("container") or {}
    if container.get("is_ephemeral") or not container.get("message_ts"):
        await call.respond(
            text=f"Questions for {escape(row.title)}",
            blocks=blocks,
            replace_original=True,
        )
        return
    await call.client.chat_update(
        channel=str(container["channel_id"]),
        ts=str(container["message_ts"]),
        text=f"Questions for {escape(row.title)}",
        blocks=blocks,
    )


async def attended_command(call: SlackCall, person: SlackPerson, rest: str) -> None:
    """`/forum attended SESSION_ID @user @user`: the chair marks who came."""
    person.require_admin()
    argument, _, mentions = rest.strip().partition(" ")
    users = list(dict.fromkeys(MENTION.findall(mentions)))
    if not argument.isdigit() or not users:
        raise InvalidInputError("Write `/forum attended SESSION_ID @name @name`.")
    people: SlackPeople = call.context["people"]
    found, unknown = await _members_of(call.services, people, users)
    services = call.services
    async with services.sessions() as session:
        row = await get_session(session, int(argument))
        marked = await attendance.mark_attended(
            session, int(argument), found, now=services.clock.now()
        )
        await session.commit()
    reply = f"Marked {marked} more as attended at {escape(row.title)}."
    if unknown:
        reply += " Not forum members: " + " ".join(f"<@{u}>" for u in unknown) + "."
    await call.respond(text=reply, response_type="ephemeral")


async def _members_of(
    services: Services, people: SlackPeople, users: list[str]
) -> tuple[list[int], list[str]]:
    """Member ids for Slack users (by linked account, else their Slack address), and the rest."""
    found: list[int] = []
    unknown: list[str] = []
    for user in users:
        try:
            member = await flows.find_member(services, await people.look_up(user))
        except SlackApiError:  # not a user of this workspace
            member = None
        if member is None or member.id is None:
            unknown.append(user)
        else:
            found.append(member.id)
    return found, unknown
