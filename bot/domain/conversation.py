"""The conversational router: what the bot says to a direct message, a mention or `/forum ask`.

Channels (Slack, email, the web) hand it the text; it returns a `Reply`. Safety triage comes
first: a message suggesting a child is in danger now skips every other route. Then the small
routes (greetings, membership words), then the knowledge base.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.domain.knowledge.answers import Wording
from bot.domain.knowledge.triage import is_urgent
from bot.settings import Contact

_WORDS = re.compile(r"[a-z']+")
GREETINGS = {"hi", "hello", "hey", "morning", "afternoon", "thanks", "thank"}


@dataclass(frozen=True)
class Reply:
    """What to say, and what kind of reply it is (answer, urgent, handoff or help)."""

    kind: str
    text: str
    question_id: int | None = (
        None  # for feedback and handoff, when the knowledge base answered
    )


@dataclass(frozen=True)
class Conversation:
    """The partnership's contacts, for replies that point people somewhere."""

    contacts: tuple[Contact, ...] = ()

    def urgent_line(self) -> str:
        urgent = [c for c in self.contacts if c.urgent]
        if not urgent:
            return "If a child is in immediate danger, call 999."
        parts = [f"{c.name}: {c.phone}" if c.phone else c.name for c in urgent]
        return "If you are worried a child is in danger now: " + "; ".join(parts) + "."

    def wording(self) -> Wording:
        return Wording(urgent=self.urgent_line(), team=self.team_line())

    def team_line(self) -> str:
        team = [c for c in self.contacts if not c.urgent and (c.email or c.phone)]
        if not team:
            return "the partnership's business support team"
        first = team[0]
        return f"{first.name} ({first.email or first.phone})"


Route = Callable[[Conversation, str], Awaitable[Reply | None]]


async def _greeting(_conversation: Conversation, text: str) -> Reply | None:
    words = set(_WORDS.findall(text.lower()))
    if words and words <= GREETINGS | {"there", "bot", "forumbot", "you", "much"}:
        return Reply(
            "help",
            "Hello! I run the Practitioner Forum. Type `/forum help` to see what I can do.",
        )
    return None


async def _membership_words(_conversation: Conversation, text: str) -> Reply | None:
    first = next(iter(_WORDS.findall(text.lower())), "")
    if first in (
        "join",
        "subscribe",
        "leave",
        "unsubscribe",
        "prefs",
        "preferences",
        "help",
    ):
        command = {
            "subscribe": "join",
            "unsubscribe": "leave",
            "preferences": "prefs",
        }.get(first, first)
        return Reply("help", f"Use `/forum {command}` to do that.")
    return None


async def _fallback(conversation: Conversation, _text: str) -> Reply:
    """Until the knowledge base is set up, say so plainly, and put a child's safety first."""
    return Reply(
        "handoff",
        f"{conversation.urgent_line()}\n\n"
        "I cannot answer questions about procedures yet: the partnership's knowledge base is not "
        f"set up in forumbot. Please ask {conversation.team_line()}.",
    )


ROUTES: Sequence[Route] = (_greeting, _membership_words)


Asker = Callable[[str], Awaitable[Reply]]


async def reply_to(
    conversation: Conversation,
    text: str,
    *,
    ask: Asker | None = None,
    routes: Sequence[Route] = ROUTES,
) -> Reply:
    """The reply to one message. `ask` is the knowledge base, as the channel reaches it."""
    if not is_urgent(text):
        for route in routes:
            answer = await route(conversation, text.strip())
            if answer is not None:
                return answer
    if ask is not None:
        return await ask(text)
    return await _fallback(conversation, text)
