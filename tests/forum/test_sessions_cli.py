"""`forumbot sessions ...` run in-process as the chair would, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from bot.cli import app
from bot.errors import InvalidInputError, NotFoundError
from tests.cli.test_members_cli import cli_database, forumbot, forumbot_json
from tests.domain.member_files import TOPICS

__all__ = ["cli_database"]  # the fixture, imported for these tests

START = "2027-07-20 14:00"


def _create(*more: str) -> dict[str, Any]:
    data: dict[str, Any] = forumbot_json(
        "sessions", "create", "--title", "Forum: referrals", "--start", START,
        "--minutes", "90", "--item", "Referrals", *more, "--json",
    )  # fmt: skip
    return data


def _refused(*args: str) -> BaseException:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code != 0 and result.exception is not None
    return result.exception


def _event(text: str) -> tuple[str, Any]:
    calendar = Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


@pytest.mark.usefixtures("cli_database")
def test_create_list_show_edit_cancel() -> None:
    created = _create("--audience-topic", TOPICS[0])
    assert created["starts_local"] == START and created["starts_at"].startswith(
        "2027-07-20T13:00"
    )
    assert created["agenda"][-1] == "Referrals" and created["audience_topics"] == [
        TOPICS[0]
    ]
    ident = str(created["id"])
    assert "Forum: referrals" in forumbot("sessions", "list").stdout
    shown = forumbot("sessions", "show", ident).stdout
    assert (
        "Tuesday 20 July 2027, 14:00 to 15:30 (UK time)" in shown
        and "- Referrals" in shown
    )
    assert [s["id"] for s in forumbot_json("sessions", "list", "--json")] == [
        created["id"]
    ]
    assert forumbot_json("sessions", "show", ident, "--json")["uid"] == created["uid"]
    moved = forumbot_json(
        "sessions", "edit", ident, "--start", "2027-07-21 10:00", "--json"
    )
    assert (moved["starts_local"], moved["ends_local"], moved["sequence"]) == (
        "2027-07-21 10:00", "2027-07-21 11:30", 1,
    )  # fmt: skip
    method, event = _event(forumbot("sessions", "ics", ident).stdout)
    assert (method, str(event["UID"]), event.decoded("SEQUENCE")) == (
        "REQUEST",
        created["uid"],
        1,
    )
    assert "is cancelled" in forumbot("sessions", "cancel", ident).stdout
    method, event = _event(forumbot("sessions", "ics", ident).stdout)
    assert (method, str(event["STATUS"]), event.decoded("SEQUENCE")) == (
        "CANCEL",
        "CANCELLED",
        2,
    )


@pytest.mark.usefixtures("cli_database")
def test_invite_queues_once() -> None:
    forumbot("members", "add", "sam@example.org", "--name", "Sam Practitioner")
    ident = str(_create()["id"])
    assert "1 due: 1 emails" in forumbot("sessions", "invite", ident).stdout
    assert "0 due: 0 emails" in forumbot("sessions", "invite", ident).stdout
    assert (
        "update: 1 due"
        in forumbot(
            "sessions", "edit", ident, "--join-url", "https://meet.example.org/x"
        ).stdout
    )


@pytest.mark.usefixtures("cli_database")
def test_bad_input_is_refused_plainly() -> None:
    error = _refused(
        "sessions",
        "create",
        "--title",
        "T",
        "--start",
        START,
        "--end",
        "2027-07-20 13:00",
    )
    assert isinstance(error, InvalidInputError) and "end after it starts" in str(error)
    error = _refused("sessions", "create", "--title", "T", "--start", "next tuesday")
    assert isinstance(error, InvalidInputError) and "2027-01-19 14:00" in str(error)
    assert isinstance(_refused("sessions", "show", "999"), NotFoundError)


@pytest.mark.usefixtures("cli_database")
def test_recur_is_idempotent() -> None:
    args = ("sessions", "recur", "--year", "2027", "--weekday", "tuesday", "--week", "3",
            "--months", "1,4,7,10", "--start", "14:00", "--title", "Forum", "--json")  # fmt: skip
    first = forumbot_json(*args)
    assert [c["starts_at"][:16] for c in first["created"]] == [
        "2027-01-19T14:00", "2027-04-20T13:00", "2027-07-20T13:00", "2027-10-19T13:00",
    ]  # fmt: skip
    second = forumbot_json(*args)
    assert second["created"] == [] and len(second["skipped"]) == 4


@pytest.mark.usefixtures("cli_database")
def test_notes_and_bulletin(tmp_path: Path) -> None:
    forumbot("members", "add", "sam@example.org", "--name", "Sam Practitioner")
    ident = str(_create()["id"])
    bad = tmp_path / "bad.txt"
    bad.write_text("We discussed the boy at 12 Oak Road, B1 1AA.", encoding="utf-8")
    error = _refused("sessions", "notes", ident, str(bad))
    assert isinstance(error, InvalidInputError) and "postcode" in str(error)
    assert "no notes yet" in str(_refused("sessions", "bulletin", ident, "--send"))
    good = tmp_path / "notes.txt"
    good.write_text(
        "Referrals <improve> with detail.\n\nNext: neglect.", encoding="utf-8"
    )
    forumbot("sessions", "notes", ident, str(good))
    out = tmp_path / "out.html"
    forumbot("sessions", "bulletin", ident, "--preview", str(out))
    assert "Referrals &lt;improve&gt; with detail." in out.read_text(encoding="utf-8")
    assert "1 emails queued" in forumbot("sessions", "bulletin", ident, "--send").stdout
    assert "0 emails queued" in forumbot("sessions", "bulletin", ident, "--send").stdout
    assert json.loads(forumbot("sessions", "show", ident, "--json").stdout)[
        "notes"
    ].startswith("Referrals")


@pytest.mark.usefixtures("cli_database")
def test_cancel_prints_the_cancelled_session_as_json() -> None:
    ident = str(_create()["id"])
    cancelled = forumbot_json("sessions", "cancel", ident, "--json")
    assert (cancelled["id"], cancelled["status"], cancelled["sequence"]) == (
        int(ident),
        "cancelled",
        1,
    )
