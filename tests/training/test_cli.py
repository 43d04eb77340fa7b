"""`forumbot training import|utilisation|nonattendance` in-process, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.errors import InvalidInputError, NotFoundError
from bot.settings import Settings
from bot.store.db import upgrade_schema
from tests.training.kit import SAMPLES


def forumbot(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(autouse=True)
def database(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    upgrade_schema(settings.effective_database_url)
    monkeypatch.setenv("FORUMBOT_DATABASE_URL", str(settings.database_url))
    monkeypatch.setenv("FORUMBOT_DATA_DIR", str(tmp_path / "data"))


def test_the_sample_imports_and_gives_85_per_cent(tmp_path: Path) -> None:
    events = SAMPLES / "training-events.csv"
    done = json.loads(forumbot("training", "import", str(events), "--json").stdout)
    assert (done["kind"], done["imported"], done["rejected"]) == ("events", 3, [])
    bookings = SAMPLES / "training-bookings.csv"
    text = forumbot("training", "import", str(bookings), "--kind", "bookings").stdout
    assert text.startswith("bookings: imported 39, updated 0, unchanged 0, rejected 0")
    again = json.loads(forumbot("training", "import", str(bookings), "--json").stdout)
    assert (again["imported"], again["unchanged"]) == (0, 39)

    figures = json.loads(
        forumbot(
            "training",
            "utilisation",
            "--from",
            "2019-04-01",
            "--to",
            "2020-03-31",
            "--json",
        ).stdout
    )
    assert figures["total"]["utilisation"] == 85.0
    assert [e["ref"] for e in figures["events"]] == [
        "SAMPLE-1920-01",
        "SAMPLE-1920-02",
        "SAMPLE-1920-03",
    ]
    autumn = json.loads(
        forumbot("training", "utilisation", "--to", "2019-10-08", "--json").stdout
    )
    assert [e["ref"] for e in autumn["events"]] == [
        "SAMPLE-1920-01"
    ]  # --to is inclusive
    course = figures["events"][2]["course_id"]
    one = json.loads(
        forumbot("training", "utilisation", "--course", str(course), "--json").stdout
    )
    assert [c["utilisation"] for c in one["courses"]] == [80.0]
    shown = forumbot("training", "utilisation").stdout
    assert "85.0%" in shown and "█" * 32 in shown  # 80% of the 40-character bar

    absent = json.loads(
        forumbot("training", "nonattendance", "SAMPLE-1920-01", "--json").stdout
    )
    assert [a["email"] for a in absent] == [
        "delegate14@sample.example.org",
        "delegate15@sample.example.org",
    ]
    out = tmp_path / "absent.csv"
    forumbot("training", "nonattendance", "SAMPLE-1920-01", "--output", str(out))
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 3 and rows[1][0] == "SAMPLE-1920-01"


def test_bad_input_is_one_plain_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("ref,course,start,end,places\nE1,X,tomorrow,2020-01-01 10:00,5\n")
    result = forumbot("training", "import", str(bad))
    assert "rejected 1" in result.stdout
    assert "line 2: the start 'tomorrow' is not a date and time" in result.stderr
    with pytest.raises(InvalidInputError, match="Give dates as 2020-03-31"):
        forumbot("training", "utilisation", "--from", "April")
    with pytest.raises(NotFoundError, match="No training event has the reference 'E9'"):
        forumbot("training", "nonattendance", "E9")
    with pytest.raises(InvalidInputError, match="Cannot read"):
        forumbot("training", "import", str(tmp_path / "none.csv"))
