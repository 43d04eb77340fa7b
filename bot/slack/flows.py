"""What the Slack listeners do, shared by slash commands, buttons and modals: call the domain, render."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import members as m
from bot.domain import membership
from bot.domain.chat import ChatMessage, queue_chat
from bot.domain.conversation import Reply, reply_to
from bot.domain.knowledge import asking, tickets
from bot.errors import InvalidInputError, UserFacingError
from bot.runtime import Services
from bot.slack import blocks, home
from bot.slack.people import SlackPerson
from bot.store.tables import Member

NOT_A_MEMBER = "You are not a member yet: use `/forum join` first."


async def find_member(services: Services, person: SlackPerson) -> Member | None:
    """The member linked to this Slack user, else the one with their Slack address."""
    async with services.sessions() as session:
        member = await m.find_member_by_slack(session, person.user_id)
        if member is None and person.email:
            member = await m.find_member(session, person.email)
    return member


def _profile(member: Member | None, person: SlackPerson) -> m.Profile:
    if member is None:
        return m.Profile(name=person.name, channels=("email", "slack"))
    return m.Profile(
        name=member.name or person.name,
        organisation=member.organisation,
        role=member.role,
        sector=member.sector,
        topics=tuple(member.topics),
        channels=tuple(member.channels),
    )


async def open_join(
    client: AsyncWebClient, services: Services, person: SlackPerson, trigger_id: str
) -> None:
    email = person.require_email()
    member = await find_member(services, person)
    view = blocks.join_modal(_profile(member, person), services.mailroom.choices, email)
    await client.views_open(trigger_id=trigger_id, view=view)


async def open_prefs(
    client: AsyncWebClient, services: Services, person: SlackPerson, trigger_id: str
) -> None:
    member = await find_member(services, person)
    if member is None or member.status != m.ACTIVE:
        raise UserFacingError(NOT_A_MEMBER)
    await client.views_open(
        trigger_id=trigger_id,
        view=blocks.prefs_modal(_profile(member, person), services.mailroom.choices),
    )


async def submit_join(
    services: Services, person: SlackPerson, state: dict[str, Any]
) -> dict[str, str] | None:
    """Join from the modal. Returns errors by block id for Slack to show, or None when done."""
    if not blocks.consented(state):
        return {"consent": "Tick the box to agree, or we cannot add you."}
    try:
        async with services.sessions() as session:
            await membership.join_from_slack(
                session,
                services.mailroom,
                slack_user_id=person.user_id,
                email=person.require_email(),
                profile=blocks.profile_from_state(state),
                now=services.clock.now(),
            )
    except InvalidInputError as error:
        return {error.field or "name": str(error)}
    return None


async def submit_prefs(
    services: Services, person: SlackPerson, state: dict[str, Any]
) -> dict[str, str] | None:
    member = await find_member(services, person)
    if member is None:
        return {"name": NOT_A_MEMBER}
    try:
        async with services.sessions() as session:
            fresh = await session.get(Member, member.id)
            assert fresh is not None
            await membership.update_preferences(
                session,
                services.mailroom,
                fresh,
                blocks.profile_from_state(state),
                now=services.clock.now(),
            )
    except InvalidInputError as error:
        return {error.field or "name": str(error)}
    return None


async def leave(services: Services, person: SlackPerson) -> str:
    member = await find_member(services, person)
    if member is None:
        return "You are not a member, so there is nothing to leave."
    async with services.sessions() as session:
        fresh = await session.get(Member, member.id)
        assert fresh is not None
        left = await membership.leave(session, fresh, now=services.clock.now())
    return (
        "You have left the Practitioner Forum. `/forum join` to come back."
        if left
        else "You had already left."
    )


async def publish_home(
    client: AsyncWebClient, services: Services, person: SlackPerson
) -> None:
    await home.publish(client, services, person, await find_member(services, person))


async def admin_members(services: Services, person: SlackPerson) -> str:
    person.require_admin()
    async with services.sessions() as session:
        counts = await m.count_members(session)
    lines = ["*Members:* " + ", ".join(f"{n} {s}" for s, n in counts["status"].items())]
    lines += [
        f"• {blocks.escape(org)}: {n}"
        for org, n in list(counts["organisation"].items())[:20]
    ]
    return "\n".join(lines)


async def admin_find(
    services: Services, person: SlackPerson, email: str
) -> list[blocks.Block]:
    person.require_admin()
    async with services.sessions() as session:
        member = await m.get_member(session, email)
    return blocks.member_card(member)


async def announce(services: Services, person: SlackPerson, text: str) -> str:
    """Queue a post to the forum channel through the outbox."""
    person.require_admin()
    channel = services.settings.slack_forum_channel
    if not channel:
        raise UserFacingError("No forum channel is set (FORUMBOT_SLACK_FORUM_CHANNEL).")
    if not text.strip():
        raise UserFacingError(
            "Write the announcement after the command: `/forum admin announce <text>`."
        )
    now = services.clock.now()
    message = ChatMessage(
        key=f"announce:{person.user_id}:{now.isoformat()}",
        to=channel,
        text=text,
        blocks=[blocks.text(f"{blocks.escape(text)}\n_Posted by <@{person.user_id}>_")],
        campaign="announcement",
    )
    async with services.sessions() as session:
        await queue_chat(session, [message], now=now)
        await session.commit()
    return f"Your announcement is queued for <#{channel}>."


async def answer(services: Services, question: str) -> Reply:
    """The conversational reply to a DM, a mention or `/forum ask`, from the knowledge base."""

    async def ask(text: str) -> Reply:
        async with services.sessions() as session:
            asked = await asking.ask(
                session,
                services.knowledge,
                text,
                wording=services.conversation.wording(),
                channel="slack",
                now=services.clock.now(),
            )
        return Reply(asked.answer.kind, asked.answer.text, asked.question_id)

    return await reply_to(services.conversation, question, ask=ask)


async def feedback(services: Services, question_id: int, *, helpful: bool) -> str:
    async with services.sessions() as session:
        await asking.record_feedback(session, question_id, helpful=helpful)
    return (
        "Thank you: that helps the team improve the answers."
        if helpful
        else (
            "Thank you. The team reviews answers marked not helpful; you can also pass your question to them."
        )
    )


async def hand_off(services: Services, person: SlackPerson, question_id: int) -> str:
    """Pass a question to the team; their answer comes back to the person as a direct message."""
    async with services.sessions() as session:
        ticket = await tickets.open_ticket(
            session,
            question_id=question_id,
            channel="slack",
            reply_to=person.user_id,
            now=services.clock.now(),
        )
    return f"I have passed your question to the team (ticket {ticket.id}). Their answer will come here."
