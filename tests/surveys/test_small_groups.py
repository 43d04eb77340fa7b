"""An anonymous survey's answers stay hidden while fewer than three people have answered
(with one or two, knowing who answered is knowing the answers): on the report, in JSON,
the CSV, the web page and the terminal. A named survey shows them from the first."""

from __future__ import annotations

import csv
import io
from typing import Any

from rich.console import Console

from bot.cli.survey_reports import show
from bot.domain.surveys import reports
from bot.domain.surveys.report_model import MIN_ANONYMOUS_RESPONSES
from bot.runtime import Services
from tests.polls.test_web import CHAIR, Site, sign_in, site  # noqa: F401
from tests.surveys.report_data import answer, open_sample

SECRET = "I reported my own manager"
FEW: list[dict[str, object]] = [
    {"aware": "yes", "used": "no", "comments": SECRET},
    {"aware": "no"},
]


async def _report_and_csv(
    services: Services, survey_id: int
) -> tuple[dict[str, Any], list[list[str]]]:
    async with services.sessions() as session:
        collected = await reports.collect_survey(session, survey_id)
        text = await reports.responses_csv(session, collected)
    report = reports.build_report(collected)
    console = Console(record=True, width=120)
    show(console, report)
    data = report.as_dict() | {"printed": console.export_text()}
    return data, list(csv.reader(io.StringIO(text)))


async def test_two_anonymous_answers_are_withheld_until_a_third(
    services: Services,
) -> None:
    assert MIN_ANONYMOUS_RESPONSES == 3
    survey_id = await open_sample(services)
    await answer(services, survey_id, FEW)
    data, rows = await _report_and_csv(services, survey_id)
    assert (data["responses"], data["questions"], data["ratios"]) == (2, [], [])
    assert "at least 3 people" in data["withheld"]
    assert "at least 3 people" in data["printed"] and SECRET not in data["printed"]
    assert len(rows) == 1 and "comments" not in rows[0][0]  # the header only

    await answer(services, survey_id, [{"aware": "no"}], respondents=["booking:9"])
    data, rows = await _report_and_csv(services, survey_id)
    assert data["withheld"] is None and data["questions"][0]["answered"] == 3
    assert SECRET in data["printed"] and len(rows) == 4


async def test_a_named_survey_shows_its_first_answers(services: Services) -> None:
    survey_id = await open_sample(services, anonymous=False)
    await answer(services, survey_id, FEW)
    data, rows = await _report_and_csv(services, survey_id)
    assert data["withheld"] is None and SECRET in data["printed"] and len(rows) == 3


async def test_the_report_page_says_why_answers_are_hidden(site: Site) -> None:  # noqa: F811
    survey_id = await open_sample(site.services)
    await answer(site.services, survey_id, FEW)
    await sign_in(site, CHAIR)
    page = await site.http.get(f"/admin/surveys/{survey_id}/report")
    assert page.status_code == 200
    assert "Answers are hidden until at least 3 people have answered" in page.text
    assert SECRET not in page.text
    csv_page = await site.http.get(f"/admin/surveys/{survey_id}/report.csv")
    assert SECRET not in csv_page.text
