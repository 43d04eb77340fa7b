"""The inbox route for questions in advance by email: "Question for the forum: ...".

A member's message whose subject starts that way becomes a named question for the next
session; the reply (through the outbox) says where it went, or plainly why it could not be
taken. It is a route of `bot.domain.inbox`, placed before the knowledge-base questions.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain import members as m
from bot.domain.forum import questions
from bot.domain.forum.times import describe_when
from bot.domain.links import fingerprint
from bot.errors import UserFacingError

if TYPE_CHECKING:
    from bot.domain.inbox import Inbox, IncomingMail

SUBJECT = re.compile(
    r"^\s*(?:(?:re|fw|fwd)\s*:\s*)*questions?\s+for\s+the\s+(?:next\s+)?forum\b[\s:.,-]*",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"^\s*>|^On .+ wrote:$")


def matches(mail: IncomingMail) -> bool:
    return bool(SUBJECT.match(mail.subject))


def question_text(mail: IncomingMail) -> str:
    """The body's own lines (quoted mail and the signature left out), else the subject's rest."""
    lines: list[str] = []
    for line in mail.text.splitlines():
        if line.strip() in ("--", "-- ") or _QUOTED.match(line):
            break
        lines.append(line.rstrip())
    body = "\n".join(lines).strip()
    return body or SUBJECT.sub("", mail.subject, count=1).strip()


def _refusal_key(mail: IncomingMail, now: datetime) -> str:
    """At most one refusal an hour to an address: a forged sender cannot be flooded."""
    return f"forum-question-refused:{fingerprint(mail.sender.lower())}:{now:%Y%m%d%H}"


async def handle(inbox: Inbox, mail: IncomingMail) -> None:
    """Store the question for the next session and acknowledge it; or say why not. Commits."""
    context: dict[str, object] = {"accepted": False, "reminder": None}
    key = _refusal_key(mail, inbox.now)
    member = await m.find_member(inbox.session, mail.sender)
    upcoming = await questions.next_session(inbox.session, inbox.now)
    name = (member.name or "") if member is not None else ""
    try:
        if member is None or member.status != m.ACTIVE:
            raise UserFacingError(
                "Only members of the forum can send questions for it, and this address "
                'is not a member. To join, reply with the word "join".'
            )
        if upcoming is None or upcoming.id is None:
            raise UserFacingError(
                "There is no forum session coming up yet, so I have nowhere to put your "
                "question. Please send it again once the next session is announced."
            )
        asked = await questions.ask(
            inbox.session,
            upcoming.id,
            member,
            question_text(mail),
            channel="email",
            now=inbox.now,
        )
    except UserFacingError as error:
        context["reason"] = str(error)
    else:
        key = f"forum-question:{asked.question.id}"
        context.update(
            accepted=True,
            question=asked.question.text,
            reminder=asked.reminder,
            session_title=upcoming.title,
            session_when=describe_when(
                upcoming.starts_at, upcoming.ends_at, inbox.zone
            ),
        )
    await _acknowledge(inbox, mail, key, name, context)


async def _acknowledge(
    inbox: Inbox, mail: IncomingMail, key: str, name: str, context: dict[str, object]
) -> None:
    await inbox.reply(
        mail, key=key, template="forum_question", context=context, to_name=name
    )
