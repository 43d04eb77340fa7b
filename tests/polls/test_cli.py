"""`forumbot polls ...` as an operator runs it, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.domain import polls
from bot.errors import InvalidInputError
from tests.cli.test_members_cli import (
    cli_database,  # noqa: F401  (a fixture)
    count_rows,
    forumbot,
    forumbot_json,
)


def closes(days: float = 2) -> str:
    return (datetime.now() + timedelta(days=days)).strftime("%Y-%m-%d %H:%M")


def create(*more: str) -> dict[str, object]:
    made: dict[str, object] = forumbot_json(
        "polls",
        "create",
        "--question",
        "Next topic?",
        "--closes",
        closes(),
        *more,
        "--json",
    )
    return made


def test_create_vote_results_close(cli_database: str, tmp_path: Path) -> None:  # noqa: F811
    forumbot("members", "add", "kim@example.org", "--name", "Kim Lee")
    forumbot("members", "add", "sam@example.org", "--name", "Sam Okafor")
    poll = create(
        "--option",
        "=1+1",
        "--option",
        "Out of sight",
        "--option",
        "Referrals",
        "--named",
    )
    assert (
        poll["options"] == ["=1+1", "Out of sight", "Referrals"]
        and not poll["anonymous"]
    )
    assert poll["announced"] == {"slack_posts": 0, "emails": 2}  # no Slack channel set
    [listed] = forumbot_json("polls", "list", "--json")
    assert listed["id"] == poll["id"] and listed["status"] == "open"

    pid = str(poll["id"])
    forumbot("polls", "vote", pid, "--member", "kim@example.org", "--choice", "2")
    out = forumbot("polls", "vote", pid, "--member", "Sam@Example.org", "--choice", "1")
    assert "option 1" in out.stdout
    forumbot("polls", "vote", pid, "--member", "sam@example.org", "--choice", "2")
    assert count_rows(cli_database, "SELECT count(*) FROM poll_votes") == 2

    found = forumbot_json("polls", "results", pid, "--json")
    assert found["voters"] == 2
    assert [(o["votes"], o["names"]) for o in found["options"]] == [
        (0, []),
        (2, ["Kim Lee", "Sam Okafor"]),
        (0, []),
    ]
    chart = forumbot("polls", "results", pid, "--csv", str(tmp_path / "r.csv")).stdout
    assert "█" * 20 in chart and "2 voters" in chart and "Kim Lee, Sam Okafor" in chart
    csv_text = (tmp_path / "r.csv").read_text(encoding="utf-8")
    assert csv_text.splitlines()[1] == "'=1+1,0,0.0,"

    assert "closed" in forumbot("polls", "close", pid).stdout
    assert "already closed" in forumbot("polls", "close", pid).stdout
    with pytest.raises(polls.PollClosedError):
        forumbot("polls", "vote", pid, "--member", "kim@example.org", "--choice", "1")


def test_bad_input_is_refused_and_nothing_is_stored(cli_database: str) -> None:  # noqa: F811
    with pytest.raises(InvalidInputError, match="between 2 and 10"):
        create("--option", "Only one")
    with pytest.raises(InvalidInputError, match="YYYY-MM-DD HH:MM"):
        forumbot(
            "polls",
            "create",
            "--question",
            "Q",
            "--option",
            "A",
            "--option",
            "B",
            "--closes",
            "next Friday",
        )
    assert count_rows(cli_database, "SELECT count(*) FROM polls") == 0
    forumbot("members", "add", "kim@example.org", "--name", "Kim Lee")
    pid = str(create("--option", "A", "--option", "B")["id"])
    with pytest.raises(InvalidInputError, match="no option 3"):
        forumbot("polls", "vote", pid, "--member", "kim@example.org", "--choice", "3")
    with pytest.raises(polls.PollNotFoundError):
        forumbot("polls", "results", "999")
