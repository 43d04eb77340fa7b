"""`forumbot members ...` run in-process as an operator would, against SQLite and PostgreSQL.

The import takes a 10,000-row file with 50 bad rows; erasure is checked on the bytes of the
SQLite file itself, and by running the delivery worker against a real SMTP server afterwards.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.errors import InvalidInputError, MemberNotFoundError
from bot.outbox import queue
from bot.runtime import Services, open_services
from bot.settings import Settings, load_settings
from bot.store.db import make_sync_engine
from bot.store.tables import Member
from tests.domain.mailbox import member_rows, queue_list_mail, recipient
from tests.domain.member_files import ORGANISATIONS, TOPICS, config_toml, member_csv
from tests.servers.smtp import SmtpServer

SENDER = "forum@partnership.example.org"
VICTIM = "victim.person@example.org"
OTHER = "other.person@example.org"


def forumbot(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, (
        f"forumbot {' '.join(args)} exited {result.exit_code}:\n{result.output}"
    )
    return result


def forumbot_json(*args: str) -> Any:
    return json.loads(forumbot(*args).stdout)


def operator_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str | None
) -> Path:
    """FORUMBOT_* variables and a config file listing the organisations and topics; returns the data dir."""
    monkeypatch.chdir(
        tmp_path
    )  # no config/.env or config/forumbot.toml of the checkout
    config = tmp_path / "forumbot.toml"
    config.write_text(
        config_toml(partnership_name="Test Partnership", sender_address=SENDER),
        encoding="utf-8",
    )
    monkeypatch.setenv("FORUMBOT_CONFIG_FILE", str(config))
    monkeypatch.setenv("FORUMBOT_DATA_DIR", str(tmp_path / "data"))
    if database_url is not None:
        monkeypatch.setenv("FORUMBOT_DATABASE_URL", database_url)
    return tmp_path / "data"


@pytest.fixture
def cli_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> str:
    operator_environment(monkeypatch, tmp_path, database_url)
    forumbot("init")
    return database_url


def count_rows(database_url: str, sql: str, **params: object) -> int:
    engine = make_sync_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(sql), params).scalar_one())
    finally:
        engine.dispose()


# --- import --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "bom"), [(",", False), (";", True)], ids=["comma", "semicolon-bom"]
)
def test_import_10000_rows_reports_50_bad_ones_and_is_idempotent(
    cli_database: str, tmp_path: Path, delimiter: str, bom: bool
) -> None:
    file = member_csv(10_000, bad=50, delimiter=delimiter, bom=bom)
    path = tmp_path / "F.csv"
    path.write_bytes(file.data)
    forumbot("members", "add", "already@example.org", "--name", "Already Here")

    started = time.perf_counter()
    first = forumbot_json("members", "import", str(path), "--json")
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    second = forumbot_json("members", "import", str(path), "--json")
    second_seconds = time.perf_counter() - started
    print(
        f"\nforumbot members import of 10,000 rows ({cli_database.split(':')[0]}, "
        f"delimiter {delimiter!r}, BOM {bom}): first run {first_seconds:.2f} s, second run {second_seconds:.2f} s"
    )

    assert set(first) == {"imported", "updated", "unchanged", "rejected"}
    assert (first["imported"], first["updated"], first["unchanged"]) == (9_950, 0, 0)
    assert [r["line"] for r in first["rejected"]] == sorted(file.rejected)
    for rejected in first["rejected"]:
        assert set(rejected) == {"line", "reason"}
        assert file.rejected[rejected["line"]] in rejected["reason"], (
            file.kinds[rejected["line"]],
            rejected,
        )
    assert (second["imported"], second["updated"], second["unchanged"]) == (0, 0, 9_950)
    assert second["rejected"] == first["rejected"]

    assert count_rows(cli_database, "SELECT count(*) FROM members") == 9_950 + 1
    assert (
        count_rows(cli_database, "SELECT count(DISTINCT email) FROM members")
        == 9_950 + 1
    )
    assert forumbot_json("members", "count", "--json")["status"]["active"] == 9_951

    output = forumbot("members", "import", str(path)).stdout
    plain = [
        line for line in output.splitlines() if line.strip()
    ]  # the progress bar may leave a blank line
    assert plain[0] == "imported 0, updated 0, unchanged 9950, rejected 50"
    first_bad = min(file.rejected)
    assert plain[1].startswith(f"  line {first_bad}: ") and len(plain) == 51


def test_import_of_an_unreadable_file_is_refused(
    cli_database: str, tmp_path: Path
) -> None:
    path = tmp_path / "wrong.csv"
    path.write_bytes(b"name,organisation\r\nAnn,NSPCC\r\n")
    with pytest.raises(InvalidInputError, match="no email column"):
        CliRunner().invoke(
            app, ["members", "import", str(path)], catch_exceptions=False
        )
    assert count_rows(cli_database, "SELECT count(*) FROM members") == 0


def test_the_command_reports_errors_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Through the installed entry point: a bad file or an unknown member is one line and exit 1."""
    operator_environment(monkeypatch, tmp_path, None)
    path = tmp_path / "wrong.csv"
    path.write_bytes(b"email;name;phone\r\na@example.org;Ann;0121\r\n")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            capture_output=True,
            text=True,
            env=dict(os.environ),
            cwd=tmp_path,
            timeout=120,
            check=False,
        )

    assert run("init").returncode == 0
    refused = run("members", "import", str(path))
    assert refused.returncode == 1
    assert (
        refused.stderr.strip()
        .splitlines()[-1]
        .startswith("forumbot: Unknown column 'phone'")
    )
    unknown = run("members", "show", "nobody@example.org")
    assert (unknown.returncode, unknown.stderr.strip().splitlines()[-1]) == (
        1,
        "forumbot: No member has the address 'nobody@example.org'.",
    )


# --- the other member commands -------------------------------------------------------------


def test_add_show_list_remove_and_count(cli_database: str) -> None:
    added = forumbot(
        "members",
        "add",
        "Ann@Example.org",
        "--name",
        "Ann Example",
        "--organisation",
        ORGANISATIONS[2],
        "--role",
        "Nurse",
        "--topic",
        TOPICS[3],
        "--topic",
        TOPICS[0],
    )
    assert added.stdout.strip() == "Ann@Example.org: added"
    again = forumbot("members", "add", "ann@example.org", "--name", "Ann Renamed")
    assert (
        again.stdout.strip()
        == "ann@example.org: already known (active); details updated"
    )
    pending = forumbot(
        "members", "add", "bob@example.org", "--name", "Bob", "--send-confirmation"
    )
    assert (
        pending.stdout.strip()
        == "bob@example.org: pending: a confirmation email is queued"
    )
    assert (
        count_rows(
            cli_database,
            "SELECT count(*) FROM outbox WHERE recipient = 'bob@example.org'",
        )
        == 1
    )

    shown = forumbot_json("members", "show", "ANN@example.org")
    assert (shown["email"], shown["name"], shown["status"]) == (
        "ann@example.org",
        "Ann Renamed",
        "active",
    )
    assert (
        shown["organisation"] is None and shown["topics"] == []
    )  # the second add replaced the details
    assert shown["consent_method"] == "admin"

    with pytest.raises(InvalidInputError):
        forumbot(
            "members",
            "add",
            "carl@example.org",
            "--name",
            "Carl",
            "--organisation",
            "Ministry of Magic",
        )
    with pytest.raises(InvalidInputError):
        forumbot(
            "members", "add", "carl@example.org\r\nBcc: x@example.org", "--name", "Carl"
        )
    with pytest.raises(MemberNotFoundError):
        forumbot("members", "show", "carl@example.org")

    listed = forumbot_json("members", "list", "--json")
    assert [(x["email"], x["status"]) for x in listed] == [
        ("ann@example.org", "active"),
        ("bob@example.org", "pending"),
    ]
    assert [
        x["email"]
        for x in forumbot_json("members", "list", "--status", "pending", "--json")
    ] == ["bob@example.org"]
    assert "Ann Renamed" in forumbot("members", "list").stdout

    assert (
        forumbot("members", "remove", "ann@example.org").stdout.strip()
        == "ann@example.org: removed"
    )
    assert (
        forumbot("members", "remove", "ann@example.org").stdout.strip()
        == "ann@example.org: had already left"
    )
    assert (
        forumbot_json("members", "show", "ann@example.org")["status"] == "unsubscribed"
    )
    with pytest.raises(MemberNotFoundError):
        forumbot("members", "remove", "nobody@example.org")

    counts = forumbot_json("members", "count", "--json")
    assert counts["status"] == {
        "pending": 1,
        "active": 0,
        "unsubscribed": 1,
        "bounced": 0,
        "erased": 0,
    }
    assert "By status:" in forumbot("members", "count").stdout


@pytest.mark.usefixtures("cli_database")
def test_export_neutralises_formulas_in_csv(tmp_path: Path) -> None:
    names = {
        "eq@example.org": '=HYPERLINK("http://evil.example","x")',
        "plus@example.org": "+1+2",
        "minus@example.org": "-2+3",
        "at@example.org": "@SUM(A1:A9)",
        "plain@example.org": "Plain Name",
    }
    for address, name in names.items():
        forumbot(
            "members",
            "add",
            address,
            f"--name={name}",
            "--topic",
            TOPICS[1],
            "--topic",
            TOPICS[0],
        )
    forumbot("members", "add", "--name", "Odd Address", "--", "-1+2@example.org")

    exported = forumbot("members", "export").stdout
    rows = {r["email"]: r for r in csv.DictReader(io.StringIO(exported))}
    for address, name in names.items():
        assert rows[address]["name"] == (name if name == "Plain Name" else f"'{name}")
        assert rows[address]["topics"] == f"{TOPICS[0]}|{TOPICS[1]}"
        assert rows[address]["status"] == "active"
    assert "'-1+2@example.org" in rows
    assert not any(
        cell.startswith(("=", "+", "-", "@"))
        for row in rows.values()
        for cell in row.values()
    )

    records = forumbot_json("members", "export", "--format", "json")
    assert {
        r["email"]: r["name"] for r in records if r["email"] in names
    } == names  # JSON is not a spreadsheet

    target = tmp_path / "out.csv"
    assert (
        forumbot("members", "export", "--output", str(target)).stdout.strip()
        == f"Written to {target}."
    )
    assert target.read_text(encoding="utf-8") == exported
    assert forumbot("members", "export", "--status", "pending").stdout.splitlines() == [
        "email,name,organisation,role,sector,topics,status,confirmed_at"
    ]
    refused = CliRunner().invoke(app, ["members", "export", "--format", "xml"])
    assert refused.exit_code == 2 and "csv or json" in refused.output


# --- GDPR: export-data and erase, on the bytes of the SQLite file ---------------------------


async def cli(*args: str) -> Result:
    """The command in a thread of its own: it runs its own event loop, as from a shell."""
    return await asyncio.to_thread(forumbot, *args)


def database_bytes(data_dir: Path) -> dict[str, bytes]:
    files = [
        data_dir / name
        for name in ("forumbot.db", "forumbot.db-wal", "forumbot.db-shm")
    ]
    return {f.name: f.read_bytes() for f in files if f.exists()}


def sending_to(settings: Settings, smtpd: SmtpServer) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": smtpd.host,
            "smtp_port": smtpd.port,
            "smtp_security": "none",
            "smtp_rate_per_second": 0,
        }
    )


async def _member(services: Services, address: str) -> Member:
    return next(x for x in await member_rows(services) if x.email == address)


async def test_erase_leaves_no_trace_in_the_sqlite_file_and_nothing_is_sent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtpd: SmtpServer
) -> None:
    data_dir = operator_environment(
        monkeypatch, tmp_path, None
    )  # SQLite in the data directory
    await cli("init")
    await cli(
        "members",
        "add",
        VICTIM,
        "--name",
        "Victim Person",
        "--organisation",
        ORGANISATIONS[1],
    )
    await cli("members", "add", OTHER, "--name", "Other Person")
    await cli("outbox", "test-email", "--to", VICTIM, "--name", "Victim Person")
    settings = sending_to(load_settings(), smtpd)

    async with asyncio.timeout(30):
        async with open_services(settings) as services:
            smtpd.faults.rcpt[VICTIM] = (
                550  # the test email bounces: a bounce row for the address
            )
            assert await services.delivery_worker().drain() == 1
            smtpd.faults.rcpt.clear()
            await queue_list_mail(
                services, await _member(services, VICTIM), "update-2026-03"
            )
            await queue_list_mail(
                services, await _member(services, OTHER), "update-2026-03"
            )
    assert smtpd.messages == []

    url = settings.effective_database_url
    held = {
        table: count_rows(
            url, f"SELECT count(*) FROM {table} WHERE {column} = :a", a=VICTIM
        )
        for table, column in (
            ("members", "email"),
            ("outbox", "recipient"),
            ("bounces", "recipient"),
        )
    }
    assert held == {"members": 1, "outbox": 2, "bounces": 1}
    assert (
        count_rows(
            url,
            "SELECT count(*) FROM outbox WHERE recipient = :a AND status = :s",
            a=VICTIM,
            s=queue.PENDING,
        )
        == 1
    )
    assert any(
        VICTIM.encode() in content for content in database_bytes(data_dir).values()
    )

    data = json.loads((await cli("members", "export-data", VICTIM.upper())).stdout)
    assert (
        data["member"]["name"] == "Victim Person"
        and data["member"]["organisation"] == ORGANISATIONS[1]
    )
    assert sorted(x["status"] for x in data["messages"]) == [
        queue.FAILED,
        queue.PENDING,
    ]
    assert [b["code"] for b in data["bounces"]] == [550]

    erased = await cli("members", "erase", VICTIM, "--yes")
    assert erased.stdout.strip() == (
        f"Erased {VICTIM}: member record cleared, 2 messages and 1 bounce records deleted."
    )

    files = database_bytes(data_dir)
    assert "forumbot.db" in files
    for name, content in files.items():
        for trace in (VICTIM, VICTIM.upper(), "Victim Person", "victim.person"):
            assert trace.encode() not in content, f"{trace!r} is still in {name}"
    assert (
        OTHER.encode() in files["forumbot.db"]
    )  # the scan does see what is still held

    with pytest.raises(MemberNotFoundError):
        await cli("members", "export-data", VICTIM)
    with pytest.raises(MemberNotFoundError):
        await cli("members", "erase", VICTIM, "--yes")
    assert (
        json.loads((await cli("members", "count", "--json")).stdout)["status"]["erased"]
        == 1
    )

    async with asyncio.timeout(30):
        async with open_services(settings) as services:
            assert (
                await services.delivery_worker().drain() == 1
            )  # only the other member's update
            await smtpd.handler.wait_for_messages(1)
    assert [recipient(x.raw) for x in smtpd.messages] == [OTHER]
    assert smtpd.handler.per_recipient[VICTIM] == 0
    assert not any(VICTIM.encode() in x.raw for x in smtpd.messages)


def test_erase_asks_before_it_acts(cli_database: str) -> None:
    forumbot("members", "add", VICTIM, "--name", "Victim Person")
    declined = CliRunner().invoke(app, ["members", "erase", VICTIM], input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    assert forumbot_json("members", "show", VICTIM)["name"] == "Victim Person"
    accepted = CliRunner().invoke(app, ["members", "erase", VICTIM], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert (
        count_rows(
            cli_database,
            "SELECT count(*) FROM members WHERE email IS NULL AND status = 'erased'",
        )
        == 1
    )
