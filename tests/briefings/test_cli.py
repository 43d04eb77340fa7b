"""`forumbot briefings ...` in-process, as an operator runs it, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.errors import InvalidInputError
from tests.briefings.kit import APPROVER, AUTHOR, lessons_file
from tests.cli.test_members_cli import cli_database, count_rows, forumbot, forumbot_json

__all__ = ["cli_database"]  # the fixture, imported for these tests


@pytest.fixture
def folder(cli_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    assert cli_database  # migrated first
    admins = [
        {"email": APPROVER, "roles": ["communications"]},
        {"email": AUTHOR, "roles": ["learning"]},
    ]
    monkeypatch.setenv("FORUMBOT_ADMINS", json.dumps(admins))
    content = tmp_path / "briefings"
    content.mkdir()
    (content / "discharge.md").write_text(
        lessons_file().replace("topics: [Neglect]", "topics: []"), encoding="utf-8"
    )
    return content


def test_import_list_show_approve_publish_withdraw(
    folder: Path, cli_database: str
) -> None:
    created = forumbot_json(
        "briefings", "import", str(folder), "--by", AUTHOR, "--json"
    )
    assert created["created"] == ["discharge.md"] and created["failed"] == []
    again = forumbot_json(
        "briefings", "import", str(folder), "--by", APPROVER, "--json"
    )
    assert again["unchanged"] == ["discharge.md"]
    (listed,) = forumbot_json("briefings", "list", "--json")
    assert (listed["slug"], listed["status"]) == ("discharge", "draft")
    shown = forumbot_json("briefings", "show", "discharge", "--json")
    assert shown["report_url"] == "https://www.example.org/report"

    refused = CliRunner().invoke(
        app, ["briefings", "approve", "discharge", "--by", "x@y.org"]
    )
    assert isinstance(refused.exception, InvalidInputError)
    assert "not a configured admin" in str(refused.exception)
    assert (
        "Approved discharge."
        in forumbot("briefings", "approve", "discharge", "--by", APPROVER).stdout
    )
    out = forumbot("briefings", "publish", "discharge", "--by", APPROVER).stdout
    assert "Published discharge: 0 emails and 0 Slack posts queued." in out
    again = forumbot("briefings", "publish", "discharge", "--by", APPROVER).stdout
    assert "already published" in again
    forumbot("briefings", "withdraw", "1", "--by", APPROVER)
    assert (
        forumbot_json("briefings", "list", "--status", "withdrawn", "--json")[0]["id"]
        == 1
    )
    assert count_rows(cli_database, "SELECT count(*) FROM briefings") == 1


def test_whoever_imports_a_file_cannot_approve_it(folder: Path) -> None:
    """The import's runner wrote what it brought in: a second person must approve it."""
    forumbot("briefings", "import", str(folder), "--by", APPROVER)
    refused = CliRunner().invoke(
        app, ["briefings", "approve", "discharge", "--by", APPROVER]
    )
    assert isinstance(refused.exception, InvalidInputError)
    assert "someone else must approve" in str(refused.exception)
    nobody = CliRunner().invoke(app, ["briefings", "import", str(folder)])
    assert nobody.exit_code != 0  # --by is required


def test_import_reports_failures_and_preview_writes_html(
    folder: Path, tmp_path: Path
) -> None:
    (folder / "bad.md").write_text("---\ntitle: No kind\n---\nText", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["briefings", "import", str(folder), "--by", AUTHOR]
    )
    assert result.exit_code == 1
    assert "failed: bad.md: The front matter has no 'kind'." in result.stdout
    output = tmp_path / "preview.html"
    forumbot("briefings", "preview", "discharge", "--output", str(output))
    html = output.read_text(encoding="utf-8")
    assert "Learning Lessons Briefing" in html and "Hello Forum member," in html


@pytest.mark.usefixtures("folder")
def test_the_sample_briefings_import_cleanly() -> None:
    samples = Path(__file__).parents[2] / "config" / "briefings"
    result = forumbot_json(
        "briefings", "import", str(samples), "--by", AUTHOR, "--json"
    )
    assert result["failed"] == [] and len(result["created"]) >= 2
    for row in forumbot_json("briefings", "list", "--json"):
        assert row["title"].startswith("SAMPLE")
