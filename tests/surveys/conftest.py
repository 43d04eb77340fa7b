"""Survey fixtures: members to ask, and the shipped sample survey imported and opened."""

from __future__ import annotations

from pathlib import Path

from bot.domain import surveys
from bot.runtime import Services
from bot.store.tables import Member, Survey
from tests.polls.conftest import add_member
from tests.polls.test_web import site  # noqa: F401  (the web app fixture, for test_web)
from tests.slack.conftest import (  # noqa: F401  (the Slack fixtures, for test_slack)
    slack_api,
    slack_settings,
    slackbot,
)

SAMPLE = (
    Path(__file__).parents[2]
    / "config"
    / "surveys"
    / "resolution-and-escalation-protocol.yaml"
)
SCRIPT = "<script>alert(1)</script>"


async def members(services: Services, count: int, **profile: object) -> list[Member]:
    return [
        await add_member(services, f"person{n}@example.org", f"Person {n}", **profile)
        for n in range(count)
    ]


async def save(
    services: Services, definition: surveys.Definition, *, kind: str = "survey"
) -> Survey:
    async with services.sessions() as session:
        survey = await surveys.save_definition(
            session,
            definition,
            kind=kind,
            zone=services.settings.zone,
            now=services.clock.now(),
        )
        await session.commit()
        return survey


async def open_survey(
    services: Services, definition: surveys.Definition | None = None
) -> tuple[Survey, int]:
    """Save (the sample by default), open and invite the audience as `surveys open` does."""
    survey = await save(services, definition or surveys.read_definition(SAMPLE))
    async with services.sessions() as session:
        opened = await surveys.open_survey(
            session,
            survey.id or 0,
            post=services.mailroom,
            zone=services.settings.zone,
            now=services.clock.now(),
        )
        await session.commit()
    return opened


def sample(**changes: object) -> surveys.Definition:
    """The sample definition with some settings changed (named, say)."""
    data = surveys.read_definition(SAMPLE).model_dump() | changes
    return surveys.Definition.model_validate(data)


def key(member: Member) -> str:
    return surveys.member_key(member.id or 0)
