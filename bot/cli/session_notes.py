"""`forumbot sessions recur|notes|bulletin`: a year's sessions from a pattern, and afterwards
the notes and the bulletin made from them. Registered on the `sessions` sub-app."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import JSON_OPTION, echo_json, run_in_session
from bot.cli.sessions import AUDIENCE_ORG, AUDIENCE_TOPIC, ITEM, JOIN_URL, app, post_for
from bot.domain.forum import bulletin, recurrence
from bot.domain.forum import sessions as s
from bot.errors import InvalidInputError
from bot.runtime import Services


def _months(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise InvalidInputError(
            f"Give months as numbers separated by commas, like 1,4,7,10 (not {text!r})."
        ) from None


def _start(text: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), "%H:%M")
    except ValueError:
        raise InvalidInputError(
            f"Give the start time like 14:00 (not {text!r})."
        ) from None


@app.command()
def recur(
    ctx: typer.Context,
    year: int = typer.Option(..., help="The year to fill."),
    weekday: str = typer.Option(..., help="Day of the week, like tuesday."),
    week: int = typer.Option(
        ..., help="Which one in the month: 1-4, or -1 for the last."
    ),
    months: str = typer.Option("1,4,7,10", help="Months, like 1,4,7,10."),
    start: str = typer.Option(..., help="Local start time, like 14:00."),
    minutes: int | None = typer.Option(None, help="Length (default from settings)."),
    title: str = typer.Option(..., help="Title of every session."),
    topic: str | None = typer.Option(None),
    join_url: str | None = JOIN_URL,
    items: list[str] | None = ITEM,
    audience_topics: list[str] | None = AUDIENCE_TOPIC,
    audience_organisations: list[str] | None = AUDIENCE_ORG,
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a year's sessions from a pattern; dates that already have one are skipped."""

    async def work(services: Services, session: AsyncSession) -> recurrence.RecurResult:
        rules = s.ForumRules.from_settings(services.settings)
        at = _start(start)
        pattern = recurrence.Pattern(
            year=year,
            weekday=recurrence.weekday_number(weekday),
            week=week,
            months=_months(months),
            start=at.time(),
            minutes=minutes or rules.default_minutes,
        )
        template = s.SessionDetails(
            title=title,
            starts=at,
            ends=at,
            topic=topic,
            join_url=join_url,
            capacity=rules.default_capacity,
            items=tuple(items or ()),
            audience_topics=tuple(audience_topics or ()),
            audience_organisations=tuple(audience_organisations or ()),
        )
        result = await recurrence.create_recurring(
            session,
            rules,
            pattern,
            template,
            created_by="cli",
            now=services.clock.now(),
        )
        await session.commit()
        return result

    result = run_in_session(ctx.obj, work)
    if as_json:
        echo_json(
            {
                "created": [
                    {"id": r.id, "starts_at": r.starts_at.isoformat()}
                    for r in result.created
                ],
                "skipped": [
                    {"date": d.isoformat(), "reason": why} for d, why in result.skipped
                ],
            }
        )
        return
    for row in result.created:
        typer.echo(f"created {row.id}: {row.starts_at:%Y-%m-%d}")
    for day, why in result.skipped:
        typer.echo(f"skipped {day}: {why}")


@app.command()
def notes(
    ctx: typer.Context,
    session_id: int,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
) -> None:
    """Store the session's notes from a text file (no details that identify a child)."""
    text = file.read_text(encoding="utf-8")

    async def work(services: Services, session: AsyncSession) -> None:
        await bulletin.store_notes(session, session_id, text, now=services.clock.now())
        await session.commit()

    run_in_session(ctx.obj, work)
    typer.echo(f"Notes stored for session {session_id}.")


@app.command("bulletin")
def send_bulletin(
    ctx: typer.Context,
    session_id: int,
    preview: Path | None = typer.Option(
        None, help="Write the HTML here instead of sending."
    ),
    send: bool = typer.Option(False, "--send", help="Queue the bulletin to everyone."),
) -> None:
    """Turn the notes into a bulletin for attendees and the audience: preview it, then send."""
    if (preview is None) == (not send):
        raise typer.BadParameter("give either --preview FILE or --send")

    async def work(services: Services, session: AsyncSession) -> str | int:
        post = post_for(services)
        if preview is not None:
            return bulletin.preview(post, await s.get_session(session, session_id))
        queued = await bulletin.send_bulletin(
            session, post, session_id, now=services.clock.now()
        )
        await session.commit()
        return queued

    outcome = run_in_session(ctx.obj, work)
    if isinstance(outcome, str) and preview is not None:
        preview.write_text(outcome, encoding="utf-8")
        typer.echo(f"Preview written to {preview}.")
    else:
        typer.echo(f"{outcome} emails queued.")
