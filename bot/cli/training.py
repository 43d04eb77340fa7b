"""`forumbot training`: the learning team's booking imports, utilisation and non-attendance."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import JSON_OPTION, echo_json, run_in_session
from bot.domain.forum.times import to_utc
from bot.domain.training import utilisation as u
from bot.domain.training.csv_rows import KINDS
from bot.domain.training.importing import TrainingImport, import_training
from bot.errors import InvalidInputError
from bot.runtime import Services
from bot.settings import Settings

app = typer.Typer(
    help="Training events, bookings, attendance and utilisation.", no_args_is_help=True
)
BAR = 40  # the longest bar in the terminal chart (100% utilisation), in characters


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as error:
        raise InvalidInputError(f"Cannot read {file}: {error.strerror}.") from None


@app.command("import")
def import_file(
    ctx: typer.Context,
    file: Path = typer.Argument(..., dir_okay=False, help="A booking system's CSV."),
    kind: str | None = typer.Option(
        None, help=f"{', '.join(KINDS)} (default: guessed from the columns)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import events, bookings or attendance; bad rows are reported by line, good ones land."""
    data = _read(file)
    with Progress(console=Console(stderr=True), transient=True, disable=as_json) as bar:
        task = bar.add_task("importing", total=max(1, data.count(b"\n")))

        async def work(_services: Services, session: AsyncSession) -> TrainingImport:
            return await import_training(
                session,
                data,
                kind=kind,
                zone=ctx.obj.zone,
                progress=lambda done: bar.update(task, completed=done),
            )

        report = run_in_session(ctx.obj, work)
    if as_json:
        echo_json(report.as_dict())
        return
    typer.echo(
        f"{report.kind}: imported {report.imported}, updated {report.updated}, "
        f"unchanged {report.unchanged}, rejected {len(report.rejected)}"
    )
    for rejected in report.rejected:
        typer.echo(f"  line {rejected.line}: {rejected.reason}", err=True)


def _day(text: str | None, settings: Settings, *, after: bool) -> datetime | None:
    """A local date as the UTC instant its day starts (`after`: the next day's start)."""
    if text is None:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(f"Give dates as 2020-03-31, not {text!r}.") from None
    day += timedelta(days=1) if after else timedelta()
    return to_utc(datetime(day.year, day.month, day.day), settings.zone)


def _table(title: str, first: tuple[str, ...], rows: list[tuple[Any, ...]]) -> Table:
    """Rows of (label..., counts): the labels' columns (the last may wrap), then figures."""
    table = Table(title=title, box=box.SIMPLE_HEAD)  # narrow: fits 80 columns
    for name in first[:-1]:
        table.add_column(name, no_wrap=True)
    table.add_column(first[-1], min_width=10)
    for name in ("Places", "Booked", "Came", "No-show", "Use"):
        table.add_column(name, justify="right", no_wrap=True)
    for *labels, c in rows:
        percent = "–" if c.utilisation is None else f"{c.utilisation:.1f}%"
        figures = (c.places, c.booked, c.attended, c.non_attended)
        table.add_row(*labels, *map(str, figures), percent)
    return table


def _chart(console: Console, courses: list[u.CourseFigures]) -> None:
    """One bar per course, its length the utilisation (a full bar is 100%)."""
    console.print("Utilisation by course (█ = attended / places; a full bar is 100%)")
    for c in courses:
        value = c.counts.utilisation or 0.0
        bar = "█" * round(BAR * min(value, 100.0) / 100)
        console.print(f"{c.course[:32]:<32} {bar} {value:.1f}%", markup=False)


@app.command()
def utilisation(
    ctx: typer.Context,
    course: int | None = typer.Option(None, help="Only this course (its number)."),
    since: str | None = typer.Option(
        None, "--from", help="First day, e.g. 2019-04-01."
    ),
    until: str | None = typer.Option(None, "--to", help="Last day, e.g. 2020-03-31."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Places offered, booked, attended and utilisation per event and per course."""
    settings: Settings = ctx.obj
    start = _day(since, settings, after=False)
    end = _day(until, settings, after=True)
    events = run_in_session(
        settings,
        lambda _s, session: u.event_figures(
            session, course_id=course, since=start, until=end
        ),
    )
    courses = u.by_course(events)
    if as_json:
        echo_json(
            {
                "events": [e.as_dict() for e in events],
                "courses": [c.as_dict() for c in courses],
                "total": u.total(events).as_dict(),
            }
        )
        return
    console = Console()
    if not events:
        console.print("No training events in that period.")
        return
    rows = [
        (
            f"{e.ref}\n{e.starts_at.astimezone(settings.zone):%Y-%m-%d}",
            e.course,
            e.counts,
        )
        for e in events
    ]
    console.print(_table("By event", ("Event", "Course"), rows), markup=False)
    by_course = [(c.course, c.counts) for c in courses] + [("All", u.total(events))]
    console.print(_table("By course", ("Course",), by_course), markup=False)
    _chart(console, courses)


@app.command()
def nonattendance(
    ctx: typer.Context,
    event_ref: str,
    csv: bool = typer.Option(False, "--csv", help="Print CSV (safe in a spreadsheet)."),
    output: Path | None = typer.Option(None, help="Write the CSV to this file."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Delegates booked on an event who did not attend (charged for non-attendance)."""
    settings: Settings = ctx.obj

    async def work(_s: Services, session: AsyncSession) -> tuple[list[Any], str]:
        rows = await u.non_attendance(session, event_ref)
        return rows, await u.non_attendance_csv(session, event_ref, settings.zone)

    rows, text = run_in_session(settings, work)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"{len(rows)} delegates written to {output}.")
    elif csv:
        typer.echo(text, nl=False)
    elif as_json:
        echo_json(
            [
                {"email": b.email, "name": b.name, "organisation": b.organisation}
                for b in rows
            ]
        )
    else:
        table = Table(
            "Name", "Email", "Organisation", title=f"Not attended: {event_ref}"
        )
        for b in rows:
            table.add_row(b.name or "", b.email, b.organisation or "")
        Console().print(table if rows else "Everyone booked attended.", markup=False)
