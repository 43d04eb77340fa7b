"""Typed text in the CLI's tables is shown as typed: rich markup in a member's name, a
session's title or a poll's question ("[/b]", "[red]") must neither crash a command nor
change how it looks. Poll times are shown in local (UK) time, as members are told them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import polls
from tests.cli.test_members_cli import (
    cli_database,  # noqa: F401  (a fixture)
    forumbot,
    forumbot_json,
)

MARKUP = "Kim [/b] [red]Lee[/red]"
WIDE = {"COLUMNS": "250"}  # rich wraps table cells to the terminal's width


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in WIDE.items():
        monkeypatch.setenv(name, value)


@pytest.mark.usefixtures("cli_database")
def test_members_and_sessions_lists_show_markup_as_typed() -> None:
    forumbot("members", "add", "kim@example.org", "--name", MARKUP)
    assert MARKUP in forumbot("members", "list").stdout
    forumbot(
        "sessions", "create", "--title", f"Forum {MARKUP}", "--start", "2027-07-20 14:00",
    )  # fmt: skip
    assert f"Forum {MARKUP}" in forumbot("sessions", "list").stdout


@pytest.mark.usefixtures("cli_database")
def test_poll_list_and_results_show_markup_as_typed_and_local_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The commands run on the real clock, and the months a poll may stay open are all
    # GMT (UTC) in London now; a zone five hours off UTC shows which time is printed.
    monkeypatch.setenv("FORUMBOT_TIMEZONE", "America/New_York")
    forumbot("members", "add", "kim@example.org", "--name", MARKUP)
    closes = datetime.now() + timedelta(days=10)
    made = forumbot_json(
        "polls", "create", "--question", "Next [/b] topic?", "--option", "[/i] Out",
        "--option", "Referrals", "--closes", f"{closes:%Y-%m-%d} 10:00", "--named",
        "--no-announce", "--json",
    )  # fmt: skip
    pid = str(made["id"])
    forumbot("polls", "vote", pid, "--member", "kim@example.org", "--choice", "1")

    listed = forumbot("polls", "list").stdout
    assert "Next [/b] topic?" in listed
    closes_at = datetime.fromisoformat(made["closes_at"])
    local = polls.local_text(closes_at, ZoneInfo("America/New_York"))
    assert local.endswith(", 10:00") and local in listed
    assert f"{closes_at:%H:%M}" not in listed  # not the UTC time (15:00 or 14:00)
    results = forumbot("polls", "results", pid).stdout
    assert "Next [/b] topic? (open)" in results
    assert "[/i] Out" in results and MARKUP in results
