"""`forumbot surveys`: import definitions from YAML, list, open (inviting the audience) and
close surveys. (`surveys report` is added by bot/cli/survey_reports.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import JSON_OPTION, echo_json, run_in_session
from bot.domain import surveys
from bot.runtime import Services
from bot.store.tables import Survey

app = typer.Typer(
    help="Surveys of practitioners and course evaluations.", no_args_is_help=True
)


def survey_data(survey: Survey, responses: int | None = None) -> dict[str, Any]:
    data = {
        "id": survey.id,
        "slug": survey.slug,
        "title": survey.title,
        "kind": survey.kind,
        "anonymous": survey.anonymous,
        "status": survey.status,
        "opens_at": survey.opens_at.isoformat() if survey.opens_at else None,
        "closes_at": survey.closes_at.isoformat() if survey.closes_at else None,
        "reminder_days": survey.reminder_days,
        "sample": bool(survey.definition.get("sample")),
    }
    return data | ({"responses": responses} if responses is not None else {})


@app.command("import")
def import_(
    ctx: typer.Context,
    path: Path | None = typer.Argument(
        None, help="A survey .yaml file, or a folder of them (default: surveys_dir)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create or update draft surveys from YAML files (all files are checked first)."""
    folder = path or ctx.obj.surveys_dir
    definitions = [surveys.read_definition(p) for p in surveys.survey_files(folder)]

    async def work(services: Services, session: AsyncSession) -> list[Survey]:
        saved = [
            await surveys.save_definition(
                session, d, zone=services.settings.zone, now=services.clock.now()
            )
            for d in definitions
        ]
        await session.commit()
        return saved

    saved = run_in_session(ctx.obj, work)
    if as_json:
        echo_json([survey_data(s) for s in saved])
        return
    for survey in saved:
        typer.echo(f"survey {survey.id} {survey.slug!r} saved ({survey.status})")


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List surveys and evaluations, newest first, with their response counts."""

    async def work(_s: Services, session: AsyncSession) -> list[tuple[Survey, int]]:
        found = await surveys.list_surveys(session)
        return [(s, await surveys.response_count(session, s.id or 0)) for s in found]

    found = run_in_session(ctx.obj, work)
    if as_json:
        echo_json([survey_data(s, n) for s, n in found])
        return
    table = Table(
        "id", "title", "kind", "status", "responses", title=f"{len(found)} surveys"
    )  # titles are typed by people: rich Text, never markup
    for survey, count in found:
        table.add_row(
            str(survey.id), Text(survey.title), survey.kind, survey.status, str(count)
        )
    Console().print(table)


@app.command("open")
def open_(ctx: typer.Context, survey_id: int, as_json: bool = JSON_OPTION) -> None:
    """Open a survey and send invitations to its audience (Slack DM or email)."""

    async def work(services: Services, session: AsyncSession) -> tuple[Survey, int]:
        opened = await surveys.open_survey(
            session,
            survey_id,
            post=services.mailroom,
            zone=services.settings.zone,
            now=services.clock.now(),
        )
        await session.commit()
        return opened

    survey, invited = run_in_session(ctx.obj, work)
    if as_json:
        echo_json(survey_data(survey) | {"invited": invited})
        return
    typer.echo(f"survey {survey_id} is open; {invited} new invitations queued")


@app.command()
def close(ctx: typer.Context, survey_id: int, as_json: bool = JSON_OPTION) -> None:
    """Close a survey now: no more answers are taken."""

    async def work(services: Services, session: AsyncSession) -> Survey:
        now = services.clock.now()
        survey = await surveys.set_status(session, survey_id, surveys.CLOSED, now=now)
        await session.commit()
        return survey

    survey = run_in_session(ctx.obj, work)
    if as_json:
        echo_json(survey_data(survey))
        return
    typer.echo(f"survey {survey_id} is closed")
