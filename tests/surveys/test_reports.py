"""Survey reports: the 2019 figures reproduced, conditional questions counted over those asked,
each question type summarised, course reports across events, CSV export; SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

from rich.console import Console

from bot.cli.survey_reports import show
from bot.domain.surveys import reports
from bot.domain.surveys.definition import Definition
from bot.domain.surveys.report_model import Report
from bot.runtime import Services
from tests.polls.conftest import add_member
from tests.surveys.report_data import (
    FORMULA,
    HOSTILE,
    answer,
    course_with_evaluations,
    open_sample,
    open_survey,
    shaped_2019,
)


def shown(report: Report) -> str:
    console = Console(record=True, width=120)
    show(console, report)
    return console.export_text()


async def test_the_2019_figures_come_out_of_the_sample_survey(
    services: Services,
) -> None:
    survey_id = await open_sample(services)
    await answer(services, survey_id, shaped_2019())
    async with services.sessions() as session:
        report = await reports.survey_report(session, survey_id)
    assert (report.responses, report.invited, report.answered) == (123, 123, 123)
    by_id = {q.id: q for q in report.questions}
    aware = {b.label: b.share for b in by_id["aware"].bars}
    assert (aware["Yes"].count, aware["Yes"].of, aware["Yes"].whole) == (74, 123, 60)
    used, resolved = report.ratios
    assert (used.share.count, used.share.of, used.share.whole) == (36, 74, 49)
    assert (resolved.share.count, resolved.share.of, resolved.share.whole) == (
        30,
        36,
        83,
    )
    data = report.as_dict()
    assert [r["percent"] for r in data["ratios"]] == [48.6, 83.3]
    text = shown(report)
    assert "60%" in text and "49%" in text and "83%" in text
    assert "36 of 74" in text and "30 of 36" in text


async def test_conditional_questions_count_only_those_asked(services: Services) -> None:
    survey_id = await open_sample(services)
    await answer(services, survey_id, shaped_2019(), invite_more=77)
    async with services.sessions() as session:
        report = await reports.survey_report(session, survey_id)
    by_id = {q.id: q for q in report.questions}
    assert [(by_id[q].shown, by_id[q].answered) for q in ("used", "resolved")] == [
        (74, 74),
        (36, 36),
    ]
    assert {b.label: b.share.whole for b in by_id["used"].bars}["Yes"] == 49
    assert by_id["stage"].shown == 30 and by_id["stage"].answered == 0
    assert by_id["comments"].shown == 123  # unconditional: everyone was asked
    assert (report.invited, report.answered) == (200, 123)
    assert report.response_rate is not None and report.response_rate.whole == 62


EVERY_TYPE = {
    "slug": "every-type",
    "title": "Every type",
    "anonymous": False,
    "questions": [
        {"id": "team", "type": "single", "text": "Team?", "options": ["A", "B"]},
        {
            "id": "tools",
            "type": "multiple",
            "text": "Tools?",
            "options": ["X", "Y", "Z"],
        },
        {"id": "mood", "type": "likert", "text": "Mood?"},
        {"id": "years", "type": "number", "text": "Years?", "min": 0, "max": 60},
        {"id": "note", "type": "text", "text": "Notes?"},
    ],
}


async def named_survey(services: Services) -> int:
    return await open_survey(services, Definition.model_validate(EVERY_TYPE))


async def test_each_question_type_is_summarised(services: Services) -> None:
    survey_id = await named_survey(services)
    await answer(
        services,
        survey_id,
        [
            {"team": "A", "tools": ["X", "Y"], "mood": 5, "years": 2, "note": HOSTILE},
            {"team": "A", "tools": ["Y"], "mood": 4, "years": 10},
            {"team": "B", "tools": ["Y", "Z"], "mood": 4, "years": 3, "note": FORMULA},
            {"mood": 1},
        ],
    )
    async with services.sessions() as session:
        report = await reports.survey_report(session, survey_id)
    team, tools, mood, years, note = report.questions
    assert team.counts() == {"A": 2, "B": 1} and team.skipped == 1
    assert [b.share.whole for b in team.bars] == [50, 25]  # of the 4 asked
    assert tools.counts() == {"X": 1, "Y": 3, "Z": 1}  # shares add up to over 100%
    assert tools.bars[1].share.whole == 75
    assert (
        mood.counts() == {"1": 1, "2": 0, "3": 0, "4": 2, "5": 1} and mood.mean == 3.5
    )
    assert years.numbers is not None
    assert (years.numbers.mean, years.numbers.median) == (5.0, 3.0)
    assert (years.numbers.min, years.numbers.max) == (2.0, 10.0)
    assert sorted(note.texts) == [HOSTILE, FORMULA]  # as typed; escaped where shown
    assert not report.anonymous


async def test_the_csv_has_a_row_per_response_and_cannot_run_a_formula(
    services: Services,
) -> None:
    survey_id = await named_survey(services)
    kim = await add_member(services, "kim@example.org", "Kim Lee")
    await answer(
        services,
        survey_id,
        [{"team": "A", "tools": ["X", "Z"], "note": FORMULA}, {"note": HOSTILE}],
        respondents=[f"member:{kim.id}", "booking:77"],  # a booking since removed
    )
    async with services.sessions() as session:
        collected = await reports.collect_survey(session, survey_id)
        text = await reports.responses_csv(session, collected)
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == [
        "respondent",
        "submitted at (UTC)",
        "Team?",
        "Tools?",
        "Mood?",
        "Years?",
        "Notes?",
    ]
    first, second = sorted(rows, key=lambda row: row[2], reverse=True)
    assert first[2:4] == ["A", "X; Z"] and second[2:4] == ["", ""]
    assert (first[0], second[0]) == ("Kim Lee <kim@example.org>", "")
    assert first[1] == "2026-03-01T09:00:00+00:00"  # the test clock's time
    assert first[-1] == "'" + FORMULA  # a spreadsheet shows it as text
    assert second[-1] == HOSTILE
    assert not any(cell.startswith("=") for row in rows for cell in row)


async def test_an_anonymous_csv_has_no_respondent_column(services: Services) -> None:
    survey_id = await open_sample(services)
    await answer(services, survey_id, shaped_2019()[:5])
    async with services.sessions() as session:
        collected = await reports.collect_survey(session, survey_id)
        text = await reports.responses_csv(session, collected)
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[0] == "Are you aware of the Resolution and Escalation Protocol?"
    assert not any("respondent" in h or "submitted" in h for h in header)
    assert len(rows) == 5 and {row[0] for row in rows} == {"yes"}
    assert "booking:1" not in text


async def test_a_course_report_takes_all_its_events_together(
    services: Services,
) -> None:
    course_id, survey_ids = await course_with_evaluations(services)
    first, second = survey_ids
    await answer(services, first, [{"overall": 5, "objectives_met": "yes"}] * 3)
    await answer(
        services,
        second,
        [{"overall": 3, "objectives_met": "no"}],
        respondents=["booking:50"],
        invite_more=2,
    )
    async with services.sessions() as session:
        report = await reports.course_report(session, course_id)
    assert report.survey_ids == survey_ids and report.course_id == course_id
    assert (report.responses, report.invited, report.answered) == (4, 6, 4)
    overall = report.questions[0]
    assert overall.counts()["5 Excellent"] == 3 and overall.mean == 4.5
    assert report.utilisation is not None
    assert (report.utilisation["places"], report.utilisation["attended"]) == (20, 16)
    assert report.utilisation["utilisation"] == 80.0
    assert len(report.utilisation["per_event"]) == 2
    assert "Utilisation: 80.0%" in shown(report)
