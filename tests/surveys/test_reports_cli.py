"""`forumbot surveys report` and `forumbot bench surveys` as an operator runs them."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.bench.surveys import generate
from bot.cli import app
from bot.domain import surveys
from bot.runtime import open_services
from bot.settings import load_settings
from tests.cli.test_members_cli import (
    cli_database,  # noqa: F401  (a fixture)
    count_rows,
    forumbot,
    forumbot_json,
)
from tests.surveys.report_data import FORMULA, SAMPLE, answer, shaped_2019

MARKUP = "[red]not red[/red] <i>as typed</i>"


def record(responses: list[dict[str, object]], survey_id: int) -> None:
    """Answers sent as the web form would, into the database the commands use."""

    async def main() -> None:
        async with open_services(load_settings(), transports={}) as services:
            await answer(services, survey_id, responses)

    asyncio.run(main())


def test_report_as_json_text_and_csv(
    cli_database: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "FORUMBOT_ADMINS", '[{"email": "chair@example.org", "roles": ["chair"]}]'
    )
    [imported] = forumbot_json("surveys", "import", str(SAMPLE), "--json")
    survey_id = imported["id"]
    forumbot("surveys", "open", str(survey_id))
    responses = shaped_2019()
    responses[0]["comments"] = MARKUP
    responses[1]["comments"] = FORMULA
    record(responses, survey_id)

    found = forumbot_json("surveys", "report", str(survey_id), "--json")
    assert found["responses"] == 123 and found["anonymous"] is True
    aware = found["questions"][0]
    assert aware["options"][0] == {
        "option": "Yes",
        "count": 74,
        "of": 123,
        "percent": 60.2,
    }
    assert [
        (r["numerator"], r["denominator"], r["percent"]) for r in found["ratios"]
    ] == [
        (36, 74, 48.6),
        (30, 36, 83.3),
    ]
    assert sorted(found["questions"][-1]["answers"]) == sorted([MARKUP, FORMULA])

    out = tmp_path / "responses.csv"
    shown = forumbot("surveys", "report", str(survey_id), "--csv", str(out)).stdout
    assert MARKUP in shown  # rich printed it as text, not as markup
    assert "60% " in shown and "49%" in shown and "83%" in shown
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 124 and "'" + FORMULA in [row[-1] for row in rows]

    posted = forumbot_json("surveys", "report", str(survey_id), "--post", "--json")
    assert posted["posted"] == {"slack": 0, "emails": 1}
    again = forumbot_json("surveys", "report", str(survey_id), "--post", "--json")
    assert again["posted"] == {"slack": 0, "emails": 0}
    sql = "SELECT count(*) FROM outbox WHERE recipient = 'chair@example.org'"
    assert count_rows(cli_database, sql) == 1


@pytest.mark.usefixtures("cli_database")
def test_an_unknown_survey_is_reported_plainly() -> None:
    with pytest.raises(surveys.SurveyNotFoundError, match="no survey number 42"):
        forumbot("surveys", "report", "42")


FIGURES = {
    "responses",
    "recorded_with",
    "record_seconds",
    "record_per_second",
    "report_seconds",
    "csv_seconds",
    "page_seconds",
    "summary_seconds",
    "full_report_seconds",
    "report_target_seconds",
    "report_within_target",
    "database",
}


def test_bench_surveys_records_and_reports(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no config of the checkout; a temporary database
    args = ["bench", "surveys", "--responses", "25", "--json"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert set(figures) == FIGURES
    assert figures["responses"] == 25
    assert figures["recorded_with"] == "bot.domain.surveys.submit"
    steps = ("record", "report", "csv", "page", "summary", "full_report")
    assert all(isinstance(figures[f"{s}_seconds"], float) for s in steps)
    assert not list(tmp_path.iterdir())


def test_generated_answers_follow_the_survey_conditions() -> None:
    answers = generate(1000)
    aware = [a for a in answers if a["aware"] == "yes"]
    used = [a for a in aware if a.get("used") == "yes"]
    assert 550 < len(aware) < 650 and 0.4 < len(used) / len(aware) < 0.6
    assert all("used" not in a for a in answers if a["aware"] == "no")
    assert all("resolved" not in a for a in answers if a.get("used") != "yes")
    assert all("stage" not in a for a in answers if a.get("resolved") != "yes")
