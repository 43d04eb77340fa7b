"""`forumbot newsletter ...` and `forumbot reports ...` as an operator runs them."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.cli.test_members_cli import (
    cli_database,  # noqa: F401  (a fixture)
    count_rows,
    forumbot,
    forumbot_json,
)
from tests.domain.mailbox import parse


def _month() -> str:
    return datetime.now().strftime("%Y-%m")


def test_create_preview_send_and_report(cli_database: str, tmp_path: Path) -> None:  # noqa: F811
    forumbot("members", "add", "kim@example.org", "--name", "Kim Lee")
    forumbot("members", "add", "sam@example.org", "--name", "Sam Okafor")
    note = tmp_path / "note.txt"
    note.write_text("Thank you for a busy year.", encoding="utf-8")
    made = forumbot_json("newsletter", "create", "--chair-note", f"@{note}", "--json")
    assert made["created"] and made["campaign"] == f"newsletter:{_month()}"
    again = forumbot_json("newsletter", "create", "--json")
    assert (again["id"], again["created"]) == (made["id"], False)

    html, eml = tmp_path / "preview.html", tmp_path / "preview.eml"
    forumbot(
        "newsletter",
        "preview",
        str(made["id"]),
        "--output",
        str(html),
        "--eml",
        str(eml),
    )
    assert "Thank you for a busy year." in html.read_text(encoding="utf-8")
    assert parse(eml.read_bytes()).get_content_type() == "multipart/alternative"

    shown = forumbot_json("newsletter", "show", _month(), "--json")
    assert shown["content"]["chair_note"] == "Thank you for a busy year."
    sent = forumbot_json(
        "newsletter", "send", str(made["id"]), "--batch-size", "1", "--json"
    )
    assert (sent["members"], sent["queued"]) == (2, 2)
    keys = count_rows(
        cli_database,
        "SELECT count(*) FROM outbox WHERE idempotency_key LIKE :k",
        k=f"newsletter:{_month()}:member:%",
    )
    assert keys == 2
    [listed] = forumbot_json("newsletter", "list", "--json")
    assert (listed["status"], listed["recipients"], listed["frozen"]) == (
        "sent",
        2,
        True,
    )

    [report] = forumbot_json("reports", "campaigns", "--json")
    assert report["campaign"] == made["campaign"]
    assert (report["queued"], report["pending"], report["sent"]) == (2, 2, 0)
    one = forumbot_json("reports", "campaign", made["campaign"], "--json")
    assert one == report


@pytest.mark.usefixtures("cli_database")
def test_bad_input_is_one_plain_line() -> None:
    result = CliRunner().invoke(app, ["newsletter", "create", "--month", "Jan"])
    assert result.exit_code == 1 and "YYYY-MM" in str(result.exception)
    forumbot("newsletter", "create", "--month", "2030-01")
    past = (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    result = CliRunner().invoke(app, ["newsletter", "schedule", "2030-01", past])
    assert "future" in str(result.exception)
    later = (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    assert "scheduled" in forumbot("newsletter", "schedule", "2030-01", later).stdout
    result = CliRunner().invoke(app, ["reports", "campaign", "nothing:1"])
    assert "Nothing has been sent" in str(result.exception)
