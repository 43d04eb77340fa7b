"""`/forum training attended EVENT_REF @user @user`: the learning team marks who came to a
course from Slack. Each person is matched to their booking by their member record's address
(or their Slack address); someone who came without a booking gets one, so they count."""

from __future__ import annotations

import re

from slack_sdk.errors import SlackApiError

from bot.domain.training import bookings as b
from bot.domain.training.events import get_event
from bot.errors import InvalidInputError
from bot.runtime import Services
from bot.slack import flows
from bot.slack.blocks import escape
from bot.slack.listeners import SlackCall
from bot.slack.people import SlackPeople, SlackPerson

ROLES = ("admin", "learning")
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
USAGE = "Write `/forum training attended EVENT_REF @name @name`."


def _require_learning(person: SlackPerson) -> None:
    """Raises:
    UserFacingError: Not an admin or in the learning team. Checked on every request.
    """
    person.require_roles(
        ROLES, "Sorry, only the learning and development team and admins can do that."
    )


async def training_command(call: SlackCall, person: SlackPerson, rest: str) -> None:
    word, _, argument = rest.strip().partition(" ")
    if word.lower() != "attended":
        raise InvalidInputError(USAGE)
    _require_learning(person)
    ref, _, mentions = argument.strip().partition(" ")
    users = list(dict.fromkeys(MENTION.findall(mentions)))
    if (
        not ref or not users or set(ref) & set("<>&")
    ):  # refs are plain; errors echo them
        raise InvalidInputError(USAGE)
    people: SlackPeople = call.context["people"]
    delegates, unknown = await _delegates(call.services, people, users)
    services = call.services
    async with services.sessions() as session:
        event = await get_event(session, ref)
        newly, walk_ins = await b.mark_attended(
            session, event, delegates, now=services.clock.now()
        )
        await session.commit()
    reply = f"Marked {newly} more as attended at event {escape(event.ref or ref)}."
    if walk_ins:
        reply += f" {walk_ins} had no booking; one was added for them."
    if unknown:
        reply += " No email address known for: " + " ".join(f"<@{u}>" for u in unknown)
    await call.respond(text=reply, response_type="ephemeral")


async def _delegates(
    services: Services, people: SlackPeople, users: list[str]
) -> tuple[list[b.Delegate], list[str]]:
    """Delegates for Slack users (a member's own address first, else Slack's), and the rest."""
    found: list[b.Delegate] = []
    unknown: list[str] = []
    for user in users:
        try:
            slack_person = await people.look_up(user)
        except SlackApiError:  # not a user of this workspace
            unknown.append(user)
            continue
        member = await flows.find_member(services, slack_person)
        email = (member.email if member else None) or slack_person.email
        if not email:
            unknown.append(user)
            continue
        name = (member.name if member else None) or slack_person.name
        found.append(b.delegate(email, name, member.organisation if member else None))
    return found, unknown
