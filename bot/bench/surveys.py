"""`forumbot bench surveys`: record generated responses to the sample survey, then build its
full report (figures, ratios, CSV, web page, chair's summary), timing each step.

On a temporary SQLite database, so nothing touches the real one. Responses go through the
engine's `submit`, as the web form and the Slack modal send them, one transaction each.
Their shape follows the 2019 survey: about 60% aware, half of those had used the Protocol,
most of those resolved their concern; a fifth leave a comment, some with HTML in it.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.domain import surveys
from bot.domain.surveys import reports
from bot.domain.surveys.report_summary import (
    email_context,
    rate_line,
    report_url,
    summary_blocks,
)
from bot.runtime import Services, open_services
from bot.settings import Settings
from bot.store.db import upgrade_schema
from bot.store.tables import SurveyInvitation

SAMPLE = "resolution-and-escalation-protocol.yaml"
TARGET_SECONDS = 2.0
Progress = Callable[[int], None]
COMMENTS = (
    "The Protocol worked well once managers were involved.",
    "I did not know where to find it.",
    "More training please <b>urgently</b>.",
    "=1+1 should stay text",
)


def sample_path(settings: Settings) -> Path:
    """The shipped sample survey: in the configured surveys folder, else the checkout's."""
    configured = settings.surveys_dir / SAMPLE
    if configured.is_file():
        return configured
    return Path(__file__).resolve().parents[2] / "config" / "surveys" / SAMPLE


def generate(count: int, seed: int = 2019) -> list[dict[str, object]]:
    """`count` answer sets shaped like the 2019 survey (deterministic for a given seed)."""
    pick = random.Random(seed)
    return [_one(pick) for _ in range(count)]


def _one(pick: random.Random) -> dict[str, object]:
    aware = pick.random() < 0.6
    used = aware and pick.random() < 0.49
    resolved = used and pick.random() < 0.83
    answers: dict[str, object] = {
        "aware": "yes" if aware else "no",
        "confidence": pick.choice(
            [1, 2, 3, 3, 4, 4, 4, 5] if aware else [1, 2, 2, 3, 3, 4]
        ),
        "sector": pick.choice(
            ["Children's social care", "Health", "Education", "Police"]
        ),
        "role": pick.choice(["Frontline practitioner", "Manager or supervisor"]),
        "promotion": pick.sample(
            ["The partnership website", "My manager", "Training"], 2
        ),
    }
    if aware:
        answers["used"] = "yes" if used else "no"
    if used:
        answers["resolved"] = "yes" if resolved else "no"
    if resolved:
        answers["stage"] = pick.choice(
            ["Between the practitioners involved", "With managers"]
        )
    if pick.random() < 0.2:
        answers["comments"] = pick.choice(COMMENTS)
    return answers


async def _open_sample(services: Services, path: Path, invited: int) -> int:
    now = services.clock.now()
    async with services.sessions() as session:
        survey = await surveys.save_definition(
            session, surveys.read_definition(path), zone=services.settings.zone, now=now
        )
        assert survey.id is not None
        await surveys.set_status(session, survey.id, surveys.OPEN, now=now)
        session.add_all(
            SurveyInvitation(
                survey_id=survey.id, respondent=f"booking:{n}", invited_at=now
            )
            for n in range(invited)
        )
        await session.commit()
        return survey.id


async def _record(
    services: Services,
    survey_id: int,
    answers: list[dict[str, object]],
    progress: Progress,
) -> None:
    for n, given in enumerate(answers):
        async with services.sessions() as session:
            await surveys.submit(
                session, survey_id, f"booking:{n}", given, now=services.clock.now()
            )
        progress(n + 1)


async def _report(services: Services, survey_id: int) -> dict[str, float]:
    """Build every part of the report, returning the seconds each took."""
    times: dict[str, float] = {}
    start = time.perf_counter()
    async with services.sessions() as session:
        collected = await reports.collect_survey(session, survey_id)
        report = reports.build_report(collected)
        times["report_seconds"] = time.perf_counter() - start
        start = time.perf_counter()
        await reports.responses_csv(session, collected)
    times["csv_seconds"] = time.perf_counter() - start
    start = time.perf_counter()
    url = report_url(services.links.base_url, report)
    services.renderer.render(
        "web/admin/survey_report.html.j2",
        {
            "admin": ("bench", ("chair",)),
            "report": report,
            "rate_line": rate_line(report),
            "csv_url": url + ".csv",
            "zone": services.settings.zone,
        },
    )
    times["page_seconds"] = time.perf_counter() - start
    start = time.perf_counter()
    summary_blocks(report, url)
    services.renderer.render_email(
        "survey_report",
        email_context(report, url)
        | {"recipient_name": "Chair", "sender": services.sender},
    )
    times["summary_seconds"] = time.perf_counter() - start
    times["full_report_seconds"] = sum(times.values())
    return times


async def run_surveys(
    settings: Settings, count: int, progress: Progress
) -> dict[str, Any]:
    """Record `count` responses and build the report; the figures as one dict."""
    path = sample_path(settings)
    answers = generate(count)
    with tempfile.TemporaryDirectory() as tmp:
        local = settings.model_copy(
            update={"data_dir": Path(tmp), "database_url": None}
        )
        upgrade_schema(local.effective_database_url)
        async with open_services(local, transports={}) as services:
            survey_id = await _open_sample(services, path, count)
            start = time.perf_counter()
            await _record(services, survey_id, answers, progress)
            recorded = time.perf_counter() - start
            times = await _report(services, survey_id)
            async with services.sessions() as session:
                stored = await surveys.response_count(session, survey_id)
    figures = {k: round(v, 3) for k, v in times.items()}
    return {
        "responses": stored,
        "recorded_with": "bot.domain.surveys.submit",
        "record_seconds": round(recorded, 3),
        "record_per_second": round(count / recorded, 1) if recorded else None,
        **figures,
        "report_target_seconds": TARGET_SECONDS,
        "report_within_target": times["full_report_seconds"] < TARGET_SECONDS,
        "database": "sqlite (temporary)",
    }
