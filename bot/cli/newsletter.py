"""`forumbot newsletter`: drafts, preview, test send to admins, schedule and send.

Sending queues one copy per member with a progress bar; stop it (or lose the machine)
midway and run `send` again: it carries on, and nobody gets the issue twice.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import JSON_OPTION, echo_json, run_in_session
from bot.domain import newsletters as nl
from bot.errors import InvalidInputError
from bot.runtime import Services, open_services
from bot.settings import Settings
from bot.store.tables import Newsletter

app = typer.Typer(help="The members' newsletter.", no_args_is_help=True)
NOTE_OPTION = typer.Option(None, "--chair-note", help="The chair's note (or @FILE).")


def newsletter_data(row: Newsletter) -> dict[str, Any]:
    data = row.model_dump(exclude={"content"})
    data = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}
    data["frozen"] = row.content is not None
    return data


def _note(text: str | None) -> str | None:
    """The note itself, or the text of a file named @FILE."""
    if text is not None and text.startswith("@"):
        return Path(text[1:]).read_text(encoding="utf-8")
    return text


@app.command()
def create(
    ctx: typer.Context,
    month: str | None = typer.Option(None, help="YYYY-MM (default: this month)."),
    title: str | None = typer.Option(None, help="The title (default from the month)."),
    chair_note: str | None = NOTE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Create the month's draft (it carries what was published the month before)."""

    async def work(
        services: Services, session: AsyncSession
    ) -> tuple[Newsletter, bool]:
        zone, now = services.settings.zone, services.clock.now()
        row, new = await nl.create_draft(
            session,
            month=month or nl.month_of(now, zone),
            zone=zone,
            title=title,
            chair_note=_note(chair_note),
            now=now,
        )
        await session.commit()
        return row, new

    row, new = run_in_session(ctx.obj, work)
    if as_json:
        echo_json(newsletter_data(row) | {"created": new})
        return
    typer.echo(
        f"newsletter {row.id} ({row.campaign}) {'created' if new else 'exists already'}"
    )


@app.command()
def edit(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Number or month (2027-01)."),
    title: str | None = typer.Option(None),
    chair_note: str | None = NOTE_OPTION,
) -> None:
    """Change a draft's title or chair's note."""

    async def work(_services: Services, session: AsyncSession) -> Newsletter:
        row = await nl.get_newsletter(session, ref, lock=True)
        nl.edit_draft(row, title=title, chair_note=_note(chair_note) or row.chair_note)
        await session.commit()
        return row

    row = run_in_session(ctx.obj, work)
    typer.echo(f"newsletter {row.id} ({row.campaign}) saved")


@app.command("list")
def list_issues(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List issues, newest first."""
    rows = run_in_session(ctx.obj, lambda _s, session: nl.list_newsletters(session))
    if as_json:
        echo_json([newsletter_data(r) for r in rows])
        return
    table = Table(
        "id", "campaign", "title", "status", "recipients", title="Newsletters"
    )
    for r in rows:
        table.add_row(str(r.id), r.campaign, r.title, r.status, str(r.recipients))
    Console().print(table)


async def _content(
    services: Services, session: AsyncSession, row: Newsletter
) -> dict[str, Any]:
    return await nl.content_for(
        session,
        row,
        zone=services.settings.zone,
        base_url=services.links.base_url,
        now=services.clock.now(),
    )


@app.command()
def show(ctx: typer.Context, ref: str, as_json: bool = JSON_OPTION) -> None:
    """An issue and its sections (as frozen, or as they would be composed now)."""

    async def work(services: Services, session: AsyncSession) -> dict[str, Any]:
        row = await nl.get_newsletter(session, ref)
        return newsletter_data(row) | {
            "content": await _content(services, session, row)
        }

    data = run_in_session(ctx.obj, work)
    if as_json:
        echo_json(data)
        return
    typer.echo(f"{data['campaign']}: {data['title']} [{data['status']}]")
    for section in data["content"]["sections"]:
        typer.echo(f"  {section['heading']}: {len(section['items'])} items")
    if data["content"].get("chair_note"):
        typer.echo("  with a note from the chair")


@app.command()
def preview(
    ctx: typer.Context,
    ref: str,
    output: Path = typer.Option(..., "--output", help="Write the HTML here."),
    eml: Path | None = typer.Option(None, help="Also write the whole email (.eml)."),
) -> None:
    """Write the issue's HTML as a sample member would get it."""

    async def work(services: Services, session: AsyncSession) -> bytes:
        row = await nl.get_newsletter(session, ref)
        topics = list(services.settings.topics[:2])
        return nl.preview_message(
            services.mailroom,
            await _content(services, session, row),
            campaign=row.campaign,
            topics=topics,
            now=services.clock.now(),
        )

    message = run_in_session(ctx.obj, work)
    output.write_text(nl.html_part(message), encoding="utf-8")
    if eml is not None:
        eml.write_bytes(message)
    typer.echo(f"wrote {output} (the whole email is {len(message) / 1024:.1f} KB)")


@app.command("test-send")
def test_send(ctx: typer.Context, ref: str) -> None:
    """Email the issue as it stands to every admin (outside the campaign's figures)."""
    admins = sorted(ctx.obj.admin_roles)
    if not admins:
        raise InvalidInputError("No admins are configured (FORUMBOT_ADMINS).")

    async def work(services: Services, session: AsyncSession) -> int:
        row = await nl.get_newsletter(session, ref)
        zone, now = services.settings.zone, services.clock.now()
        queued = await nl.queue_test_copies(
            session, services.mailroom, row, admins, zone=zone, now=now
        )
        await session.commit()
        return queued

    queued = run_in_session(ctx.obj, work)
    typer.echo(f"queued {queued} test copies to {', '.join(admins)}")


@app.command("schedule")
def schedule_issue(
    ctx: typer.Context,
    ref: str,
    at: str = typer.Argument(..., help="Local time 'YYYY-MM-DD HH:MM', or 'none'."),
) -> None:
    """Send at a time (the scheduler sends it then), or 'none' to unschedule."""

    async def work(services: Services, session: AsyncSession) -> Newsletter:
        row = await nl.get_newsletter(session, ref, lock=True)
        when = None if at.strip().lower() == "none" else _local(at, services.settings)
        nl.schedule(row, when, now=services.clock.now())
        await session.commit()
        return row

    row = run_in_session(ctx.obj, work)
    typer.echo(f"{row.campaign}: {row.status} {row.scheduled_for or ''}".rstrip())


def _local(text: str, settings: Settings) -> datetime:
    try:
        naive = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(
            f"Write the time as YYYY-MM-DD HH:MM (local time), not {text!r}.",
            field="at",
        ) from None
    return naive.replace(tzinfo=settings.zone) if naive.tzinfo is None else naive


@app.command()
def send(
    ctx: typer.Context,
    ref: str,
    batch_size: int = typer.Option(
        nl.BATCH, min=1, help="Members per committed batch."
    ),
    take_over: bool = typer.Option(
        False,
        "--take-over",
        help="Resume at once an issue whose last sender died (killed, machine lost), "
        "instead of waiting for its lease to lapse. Never while it is still running.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Send now: freeze the issue and queue every member's copy (resumable; one sender
    at a time: a second run is refused while the first holds the issue's lease)."""
    settings: Settings = ctx.obj

    async def main(bar: Progress) -> nl.SendResult:
        async with open_services(settings, transports={}) as services:
            async with services.sessions() as session:
                total = await nl.count_recipients(session)
            task = bar.add_task("queuing copies", total=total)
            return await nl.send_newsletter(
                services.sessions,
                services.mailroom,
                ref,
                zone=settings.zone,
                now=services.clock.now,
                track_clicks=services.settings.click_tracking,
                progress=lambda done: bar.update(task, completed=done),
                batch_size=batch_size,
                take_over=take_over,
            )

    with Progress(console=Console(stderr=True), transient=True, disable=as_json) as bar:
        result = asyncio.run(main(bar))
    if as_json:
        echo_json(result.__dict__)
        return
    typer.echo(
        f"{result.campaign}: {result.members} copies queued in all, {result.queued} new now; "
        "the delivery worker sends them"
    )
