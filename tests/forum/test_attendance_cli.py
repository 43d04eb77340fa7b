"""`forumbot sessions questions|attendance|figures` in-process, on SQLite and PostgreSQL.

The commands run with the real clock, so the held session lies in the past and the one taking
questions in the future.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.domain.forum import questions
from bot.errors import InvalidInputError, NotFoundError, UserFacingError
from bot.runtime import open_services
from bot.settings import Settings
from bot.store.db import upgrade_schema
from tests.forum.question_rows import forum_session, member, place

DATA = Path(__file__).parent.parent / "data" / "attendance"


def forumbot(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


async def _prepare(settings: Settings) -> tuple[int, int]:
    """A session held yesterday (Kim and Sam said yes) and one next week with two questions."""
    async with open_services(settings, transports={}) as services:
        kim = await member(services, "kim@northshire.example.org", "Kim Lee")
        sam = await member(services, "sam@northshire.example.org", "Sam Okafor")
        now = datetime.now(UTC)
        held = await forum_session(
            services, now - timedelta(days=1), title="Winter forum"
        )
        for who in (kim, sam):
            await place(services, held, who, "attending", now - timedelta(days=9))
        coming = await forum_session(
            services, now + timedelta(days=7), title="Spring forum"
        )
        async with services.sessions() as session:
            await questions.ask(
                session,
                coming.id or 0,
                None,
                "Less <b>liked</b>",
                channel="web",
                now=now,
            )
            liked = await questions.ask(
                session, coming.id or 0, kim, "Most liked", channel="web", now=now
            )
            await session.commit()
            await questions.upvote(session, liked.question.id or 0, sam, now=now)
            await session.commit()
        return held.id or 0, coming.id or 0


@pytest.fixture
def ids(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[int, int]:
    upgrade_schema(settings.effective_database_url)
    monkeypatch.setenv("FORUMBOT_DATABASE_URL", str(settings.database_url))
    monkeypatch.setenv("FORUMBOT_DATA_DIR", str(tmp_path / "data"))
    return asyncio.run(_prepare(settings))


def test_the_chair_lists_questions_ranked(ids: tuple[int, int]) -> None:
    _held, coming = ids
    listed = json.loads(forumbot("sessions", "questions", str(coming), "--json").stdout)
    assert [(q["text"], q["votes"], q["asker"]) for q in listed] == [
        ("Most liked", 1, "Kim Lee"),
        ("Less <b>liked</b>", 0, None),
    ]
    table = forumbot("sessions", "questions", str(coming)).stdout
    assert table.index("Most liked") < table.index("Less <b>liked</b>")
    with pytest.raises(NotFoundError, match="There is no session 999"):
        forumbot("sessions", "questions", "999")


def test_importing_a_report_then_the_figures_with_a_chart(ids: tuple[int, int]) -> None:
    held, _coming = ids
    report = str(DATA / "teams_attendance_report.tsv")
    plain = ("sessions", "attendance", str(held), "--import", report)
    with pytest.raises(UserFacingError, match=r"started 19/01/2027, 13:58:12, but"):
        forumbot(*plain)  # the sample report's meeting was not yesterday
    args = (*plain, "--force", "--json")
    first = json.loads(forumbot(*args).stdout)
    assert (first["format"], first["attended"], first["no_shows"], first["guests"]) == (
        "teams",
        1,
        1,
        3,
    )
    assert [r["line"] for r in first["rejected"]] == [15]
    assert (
        json.loads(forumbot(*args).stdout) == first
    )  # importing again changes nothing
    said = forumbot(*plain, "--force")
    assert "teams report: 1 member attended, 1 no-show, 3 guests." in said.stdout
    assert "line 15: has 2 values where the header has 7" in said.output

    (figures,) = json.loads(forumbot("sessions", "figures", "--json").stdout)
    assert {
        k: figures[k] for k in ("invited", "accepted", "attended", "no_shows", "guests")
    } == {"invited": 2, "accepted": 2, "attended": 1, "no_shows": 1, "guests": 3}
    chart = forumbot("sessions", "figures").stdout
    assert "Winter forum" in chart and "█" in chart and "1+3" in chart


def test_a_missing_report_file_is_a_plain_error(
    ids: tuple[int, int], tmp_path: Path
) -> None:
    held, _coming = ids
    missing = str(tmp_path / "nope.csv")
    with pytest.raises(InvalidInputError, match="Cannot read"):
        forumbot("sessions", "attendance", str(held), "--import", missing)
