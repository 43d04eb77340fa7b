"""Erasure reaches the questions a person passed to the team, and their Slack messages."""

from __future__ import annotations

from sqlmodel import select

from bot.domain import members as m
from bot.domain import membership, privacy
from bot.domain.chat import ChatMessage, queue_chat
from bot.domain.knowledge import asking, tickets
from bot.runtime import Services
from bot.store.tables import OutboxMessage, Ticket


async def test_erase_removes_tickets_and_slack_messages(services: Services) -> None:
    now = services.clock.now()
    async with services.sessions() as session:
        await membership.join_from_slack(
            session,
            services.mailroom,
            slack_user_id="U0ANN",
            email="ann@example.org",
            profile=m.Profile(name="Ann"),
            now=now,
        )
        asked = await asking.ask(
            session,
            services.knowledge,
            "where is the toolkit",
            wording=services.conversation.wording(),
            channel="email",
            now=now,
        )
        await tickets.open_ticket(
            session,
            question_id=asked.question_id,
            channel="email",
            reply_to="ann@example.org",
            now=now,
        )
        await queue_chat(
            session, [ChatMessage(key="dm:1", to="U0ANN", text="Hello Ann")], now=now
        )
        await session.commit()
        exported = await privacy.export_member_data(session, "ann@example.org")
        assert [t["question"] for t in exported["questions_to_the_team"]] == [
            "where is the toolkit"
        ]

        erased = await privacy.erase_member(session, "ann@example.org", now=now)

        assert erased.extra == {"tickets": 1} and erased.messages == 1
        assert (await session.exec(select(Ticket))).all() == []
        assert (await session.exec(select(OutboxMessage))).all() == []
