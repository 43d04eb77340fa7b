"""`forumbot sessions questions|attendance|figures`: the chair's ranked questions, attendance
imports and figures. Registered on the `sessions` sub-app, beside the sessions' own commands."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import (
    JSON_OPTION,
    add_plain_row,
    echo_json,
    plural,
    run_in_session,
)
from bot.cli.sessions import app
from bot.domain.forum import attendance, questions
from bot.domain.forum.sessions import get_session
from bot.errors import InvalidInputError
from bot.runtime import Services

BAR = 40  # the longest bar in the terminal chart, in characters


@app.command("questions")
def list_questions(
    ctx: typer.Context,
    session_id: int,
    hidden: bool = typer.Option(False, "--hidden", help="Include hidden questions."),
    as_json: bool = JSON_OPTION,
) -> None:
    """A session's questions in advance, most upvoted first (then oldest first)."""

    async def work(
        _services: Services, session: AsyncSession
    ) -> list[questions.Ranked]:
        await get_session(session, session_id)
        return await questions.ranked(session, session_id, include_hidden=hidden)

    ranked = run_in_session(ctx.obj, work)
    if as_json:
        echo_json([q.as_dict() for q in ranked])
        return
    table = Table("Votes", "Question", "Asked by", "Status", "Id", title="Questions")
    for q in ranked:
        add_plain_row(table, q.votes, q.text, q.asker or "anonymous", q.status, q.id)
    Console().print(table if ranked else "No questions yet.", markup=False)


@app.command("attendance")
def import_attendance(
    ctx: typer.Context,
    session_id: int,
    report: Path = typer.Option(
        ...,
        "--import",
        help="An attendance report from Teams, Zoom or Google Meet (CSV/TSV).",
    ),
    force: bool = typer.Option(
        False, "--force", help="Import even if the report's date is not the session's."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Record who came from a meeting tool's attendance report (importing again is harmless)."""
    try:
        data = report.read_bytes()
    except OSError as error:
        raise InvalidInputError(f"Cannot read {report}: {error.strerror}.") from None

    async def work(services: Services, session: AsyncSession) -> attendance.Imported:
        result = await attendance.import_report(
            session,
            session_id,
            data,
            zone=services.settings.zone,
            now=services.clock.now(),
            force=force,
        )
        await session.commit()
        return result

    result = run_in_session(ctx.obj, work)
    if as_json:
        echo_json(result.as_dict())
        return
    typer.echo(
        f"{result.format} report: {plural(result.attended, 'member')} attended, "
        f"{plural(result.no_shows, 'no-show')}, {plural(result.guests, 'guest')}."
    )
    for rejected in result.rejected:
        typer.echo(f"line {rejected.line}: {rejected.reason}", err=True)


@app.command()
def figures(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Invited, accepted, attended, no-shows and guests for every session held, with a chart."""

    async def work(
        services: Services, session: AsyncSession
    ) -> list[attendance.Figures]:
        return await attendance.all_figures(session, now=services.clock.now())

    every = run_in_session(ctx.obj, work)
    if as_json:
        echo_json([f.as_dict() for f in every])
        return
    console, zone = Console(), ctx.obj.zone
    if not every:
        console.print("No forum session has been held yet.")
        return
    table = Table(
        "Session", "Date", "Invited", "Accepted", "Attended", "No-shows", "Guests"
    )
    for f in every:
        add_plain_row(
            table,
            f.title,
            f"{f.starts_at.astimezone(zone):%Y-%m-%d}",
            *(f.invited, f.accepted, f.attended, f.no_shows, f.guests),
        )
    console.print(table, markup=False)
    top = max(f.attended + f.guests for f in every) or 1
    console.print("Attended (members █, guests ░)")
    for f in every:
        members, guests = (round(BAR * n / top) for n in (f.attended, f.guests))
        label = f"{f.starts_at.astimezone(zone):%Y-%m-%d} {f.title[:24]:<24}"
        console.print(
            f"{label} {'█' * members}{'░' * guests} {f.attended}+{f.guests}",
            markup=False,
        )
