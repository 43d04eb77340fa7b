"""`forumbot sessions feedback ID [--json]`, run in-process against a real database."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.domain.forum import feedback
from bot.runtime import open_services
from bot.settings import Settings
from bot.store.db import upgrade_schema
from bot.store.tables import ForumSession, Member


@pytest.fixture
def cli_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: Settings
) -> Settings:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORUMBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FORUMBOT_DATABASE_URL", settings.effective_database_url)
    upgrade_schema(settings.effective_database_url)
    return settings


async def _answers(settings: Settings, answers: list[tuple[int, str | None]]) -> int:
    """A held session with one answer per (rating, comment); returns its id."""
    now = datetime.now(UTC)
    async with (
        open_services(settings, transports={}) as services,
        services.sessions() as session,
    ):
        row = ForumSession(
            uid="cli@test",
            title="Referrals",
            starts_at=now - timedelta(hours=3),
            ends_at=now - timedelta(hours=2),
        )
        session.add(row)
        await session.flush()
        for n, (rating, comment) in enumerate(answers):
            member = Member(email=f"m{n}@example.org", name=f"M{n}", status="active")
            session.add(member)
            await session.flush()
            await feedback.save(
                session,
                row.id or 0,
                member,
                rating=rating,
                comment=comment,
                now=now,
            )
        await session.commit()
        return row.id or 0


def test_the_chair_sees_the_feedback_summary(cli_settings: Settings) -> None:
    session_id = asyncio.run(
        _answers(cli_settings, [(5, "Really <b>useful</b>"), (4, None), (3, "OK")])
    )
    result = CliRunner().invoke(
        app, ["sessions", "feedback", str(session_id), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "session_id": session_id,
        "title": "Referrals",
        "count": 3,
        "average": 4.0,
        "ratings": {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1},
        "comments": ["Really <b>useful</b>", "OK"],
    }
    shown = CliRunner().invoke(app, ["sessions", "feedback", str(session_id)])
    assert shown.exit_code == 0, shown.output
    assert "Referrals: 3 answered, average 4.0 out of 5" in shown.stdout
    assert "• Really <b>useful</b>" in shown.stdout


def test_no_feedback_yet_and_an_unknown_session(cli_settings: Settings) -> None:
    session_id = asyncio.run(_answers(cli_settings, []))
    result = CliRunner().invoke(app, ["sessions", "feedback", str(session_id)])
    assert result.exit_code == 0 and "No feedback on 'Referrals' yet." in result.stdout
    missing = CliRunner().invoke(app, ["sessions", "feedback", "999"])
    assert missing.exit_code != 0
    assert isinstance(missing.exception, Exception)
    assert "There is no session 999." in str(missing.exception)
