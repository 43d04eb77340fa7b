"""`forumbot surveys import|list|open|close` as an operator runs them, on SQLite and
PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.surveys import SurveyNotFoundError
from bot.errors import InvalidInputError
from tests.cli.test_members_cli import (
    cli_database,  # noqa: F401  (a fixture)
    count_rows,
    forumbot,
    forumbot_json,
)
from tests.surveys.conftest import SAMPLE


def test_import_open_list_close(
    cli_database: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forumbot("members", "add", "kim@example.org", "--name", "Kim Lee")
    forumbot("members", "add", "sam@example.org", "--name", "Sam Okafor")
    folder = tmp_path / "surveys"
    folder.mkdir()
    (folder / "rep.yaml").write_text(SAMPLE.read_text(), encoding="utf-8")
    (folder / "notes.txt").write_text("not a survey", encoding="utf-8")
    monkeypatch.setenv("FORUMBOT_SURVEYS_DIR", str(folder))
    [saved] = forumbot_json("surveys", "import", "--json")  # the surveys folder
    assert (saved["slug"], saved["status"], saved["sample"]) == (
        "resolution-and-escalation-protocol",
        "draft",
        True,
    )
    again = forumbot_json("surveys", "import", str(folder / "rep.yaml"), "--json")
    assert [s["id"] for s in again] == [saved["id"]]  # updated by slug, not duplicated

    opened = forumbot_json("surveys", "open", str(saved["id"]), "--json")
    assert (opened["status"], opened["invited"]) == ("open", 2)
    assert forumbot_json("surveys", "open", str(saved["id"]), "--json")["invited"] == 0
    queued = "SELECT count(*) FROM outbox WHERE idempotency_key LIKE 'survey:%'"
    assert count_rows(cli_database, queued) == 2

    [listed] = forumbot_json("surveys", "list", "--json")
    assert (listed["id"], listed["responses"], listed["status"]) == (
        saved["id"],
        0,
        "open",
    )
    assert "Resolution and Escalation" in forumbot("surveys", "list").stdout
    closed = forumbot_json("surveys", "close", str(saved["id"]), "--json")
    assert closed["status"] == "closed"


def test_a_bad_file_is_reported_with_its_field_and_nothing_saved(
    cli_database: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    good, bad = tmp_path / "a.yaml", tmp_path / "b.yaml"
    good.write_text(SAMPLE.read_text(), encoding="utf-8")
    bad.write_text(
        "slug: b\ntitle: B\nquestions:\n  - {id: q, type: single, text: Q}\n"
    )
    with pytest.raises(InvalidInputError) as caught:
        forumbot("surveys", "import", str(tmp_path))
    assert f"{bad} has 1 problem" in str(caught.value)
    assert "questions[1] (q): question 'q' needs at least two options" in str(
        caught.value
    )
    assert count_rows(cli_database, "SELECT count(*) FROM surveys") == 0


@pytest.mark.parametrize("command", ["open", "close"])
@pytest.mark.usefixtures("cli_database")
def test_an_unknown_survey_is_a_clear_error(command: str) -> None:
    with pytest.raises(SurveyNotFoundError, match="There is no survey number 99."):
        forumbot("surveys", command, "99")


@pytest.mark.usefixtures("cli_database")
def test_list_prints_titles_as_typed_not_as_markup(tmp_path: Path) -> None:
    yaml_file = tmp_path / "rep.yaml"
    text = SAMPLE.read_text().replace(
        "title: The Resolution and Escalation Protocol\n",
        'title: "[b]REP[/b] survey"\n',
    )
    assert "[b]REP[/b]" in text
    yaml_file.write_text(text, encoding="utf-8")
    forumbot("surveys", "import", str(yaml_file))
    assert "[b]REP[/b] survey" in forumbot("surveys", "list").stdout
