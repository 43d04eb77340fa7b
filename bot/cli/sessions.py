"""`forumbot sessions`: the chair's forum sessions from the command line.

Times are typed as local wall times ("2027-01-19 14:00", UK time). Creating, editing and
cancelling only change the record; `invite` queues invitations, updates or the cancellation
to everyone due one (edits and cancellations also do so with --notify once invitations have
gone out). Recurring sessions, notes and bulletins live in bot/cli/session_notes.py.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import JSON_OPTION, add_plain_row, echo_json, run_in_session
from bot.domain.forum import sessions as s
from bot.domain.forum.calendar import invitation
from bot.domain.forum.invitations import InviteResult, send_due
from bot.domain.forum.notices import ForumPost
from bot.domain.forum.times import describe_when, parse_local
from bot.runtime import Services
from bot.store.tables import ForumSession

app = typer.Typer(
    help="Forum sessions: schedule, invite, cancel.", no_args_is_help=True
)

TITLE = typer.Option(None, help="The session's title.")
START = typer.Option(None, help='Local start, like "2027-01-19 14:00".')
END = typer.Option(None, help="Local end (default: start plus --minutes).")
MINUTES = typer.Option(None, help="Length in minutes (default from settings).")
TOPIC = typer.Option(None, help="This session's topic.")
DESCRIPTION = typer.Option(None, help="A paragraph or two about the session.")
JOIN_URL = typer.Option(None, "--join-url", help="The online joining link.")
CAPACITY = typer.Option(None, help="Places (default from settings).")
ITEM = typer.Option(
    None, "--item", help="An agenda item after the fixed ones (repeat)."
)
AUDIENCE_TOPIC = typer.Option(
    None, "--audience-topic", help="Invite members with this topic (repeat)."
)
AUDIENCE_ORG = typer.Option(
    None, "--audience-organisation", help="Invite this organisation (repeat)."
)
NOTIFY = typer.Option(
    True, "--notify/--no-notify", help="Send updates to those invited."
)


def post_for(services: Services) -> ForumPost:
    return ForumPost.of(services.mailroom, services.settings)


def _echo_session(row: ForumSession, services: Services, as_json: bool) -> None:
    zone = services.settings.zone
    if as_json:
        echo_json(s.session_data(row, zone))
        return
    typer.echo(f"{row.id}: {row.title} ({row.status}, sequence {row.sequence})")
    typer.echo(f"  {describe_when(row.starts_at, row.ends_at, zone)}")
    for item in row.agenda:
        typer.echo(f"  - {item}")
    if row.join_url:
        typer.echo(f"  join: {row.join_url}")


def _changes(
    given: dict[str, Any], base: s.SessionDetails, rules: s.ForumRules
) -> s.SessionDetails:
    """`base` with the options the chair gave; the end follows a moved start."""
    fields = {
        k: v
        for k, v in given.items()
        if v is not None and k not in ("start", "end", "minutes")
    }
    for name in ("items", "audience_topics", "audience_organisations"):
        if name in fields:
            fields[name] = tuple(fields[name]) if fields[name] else getattr(base, name)
    details = replace(base, **fields)
    if given.get("start"):
        length = int((base.ends - base.starts).total_seconds() // 60)
        starts = parse_local(given["start"])
        details = replace(
            details,
            starts=starts,
            ends=s.default_end(starts, rules, given.get("minutes") or length),
        )
    elif given.get("minutes"):
        details = replace(
            details, ends=s.default_end(details.starts, rules, given["minutes"])
        )
    if given.get("end"):
        details = replace(details, ends=parse_local(given["end"], field="end"))
    return details


def _report(result: InviteResult) -> str:
    return f"{result.recipients} due: {result.emails} emails and {result.chats} Slack messages queued"


@app.command()
def create(
    ctx: typer.Context,
    title: str = typer.Option(..., help="The session's title."),
    start: str = typer.Option(..., help='Local start, like "2027-01-19 14:00".'),
    end: str | None = END,
    minutes: int | None = MINUTES,
    topic: str | None = TOPIC,
    description: str = typer.Option("", help="A paragraph or two about the session."),
    join_url: str | None = JOIN_URL,
    capacity: int | None = CAPACITY,
    items: list[str] | None = ITEM,
    audience_topics: list[str] | None = AUDIENCE_TOPIC,
    audience_organisations: list[str] | None = AUDIENCE_ORG,
    as_json: bool = JSON_OPTION,
) -> None:
    """Schedule a session (invitations go out with `forumbot sessions invite ID`)."""
    given = dict(locals())
    del given["ctx"], given["as_json"]

    async def work(services: Services, session: AsyncSession) -> ForumSession:
        rules = s.ForumRules.from_settings(services.settings)
        starts = parse_local(start)
        base = s.SessionDetails(
            title=title,
            starts=starts,
            ends=s.default_end(starts, rules),
            capacity=rules.default_capacity,
        )
        details = _changes(given, base, rules)
        row = await s.create_session(
            session, rules, details, created_by="cli", now=services.clock.now()
        )
        await session.commit()
        _echo_session(row, services, as_json)
        return row

    run_in_session(ctx.obj, work)


@app.command()
def edit(
    ctx: typer.Context,
    session_id: int,
    title: str | None = TITLE,
    start: str | None = START,
    end: str | None = END,
    minutes: int | None = MINUTES,
    topic: str | None = TOPIC,
    description: str | None = DESCRIPTION,
    join_url: str | None = JOIN_URL,
    capacity: int | None = CAPACITY,
    items: list[str] | None = ITEM,
    audience_topics: list[str] | None = AUDIENCE_TOPIC,
    audience_organisations: list[str] | None = AUDIENCE_ORG,
    notify: bool = NOTIFY,
    as_json: bool = JSON_OPTION,
) -> None:
    """Change a session; calendar changes raise its sequence and (with --notify) send updates."""
    given = dict(locals())
    for name in ("ctx", "session_id", "notify", "as_json"):
        del given[name]

    async def work(services: Services, session: AsyncSession) -> None:
        rules = s.ForumRules.from_settings(services.settings)
        base = s.details_of(await s.get_session(session, session_id), rules)
        now = services.clock.now()
        row, changed = await s.edit_session(
            session,
            ForumPost(services.mailroom, rules),
            session_id,
            _changes(given, base, rules),
            now=now,
        )
        if changed and notify and row.invited_at is not None:
            result = await send_due(
                session, services.mailroom, services.settings, session_id, now=now
            )
            typer.echo(f"update: {_report(result)}", err=as_json)
        await session.commit()
        _echo_session(row, services, as_json)

    run_in_session(ctx.obj, work)


@app.command("list")
def list_sessions(
    ctx: typer.Context,
    past: bool = typer.Option(False, "--past", help="Past sessions, latest first."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Upcoming sessions, soonest first (or past ones)."""

    async def work(services: Services, session: AsyncSession) -> None:
        rows = await s.list_sessions(
            session, now=services.clock.now(), when="past" if past else "upcoming"
        )
        zone = services.settings.zone
        if as_json:
            echo_json([s.session_data(r, zone) for r in rows])
            return
        table = Table("id", "when", "title", "status", title=f"{len(rows)} sessions")
        for r in rows:
            add_plain_row(
                table,
                r.id,
                describe_when(r.starts_at, r.ends_at, zone),
                r.title,
                r.status,
            )
        Console().print(table)

    run_in_session(ctx.obj, work)


@app.command()
def show(ctx: typer.Context, session_id: int, as_json: bool = JSON_OPTION) -> None:
    """One session in full."""

    async def work(services: Services, session: AsyncSession) -> None:
        _echo_session(await s.get_session(session, session_id), services, as_json)

    run_in_session(ctx.obj, work)


@app.command()
def cancel(
    ctx: typer.Context,
    session_id: int,
    notify: bool = NOTIFY,
    as_json: bool = JSON_OPTION,
) -> None:
    """Cancel a session; with --notify (the default) everyone invited is told."""

    async def work(services: Services, session: AsyncSession) -> None:
        now = services.clock.now()
        row = await s.cancel_session(session, session_id, now=now)
        if notify:
            result = await send_due(
                session, services.mailroom, services.settings, session_id, now=now
            )
            typer.echo(f"cancellation: {_report(result)}", err=as_json)
        await session.commit()
        if as_json:
            _echo_session(row, services, as_json)
        else:
            typer.echo(f"{row.id}: {row.title} is cancelled.")

    run_in_session(ctx.obj, work)


@app.command()
def invite(ctx: typer.Context, session_id: int) -> None:
    """Send the invitations (or the latest update or the cancellation) to everyone due one."""

    async def work(services: Services, session: AsyncSession) -> None:
        result = await send_due(
            session,
            services.mailroom,
            services.settings,
            session_id,
            now=services.clock.now(),
        )
        await session.commit()
        typer.echo(_report(result))

    run_in_session(ctx.obj, work)


@app.command()
def ics(ctx: typer.Context, session_id: int) -> None:
    """Print the session's iCalendar invitation (or cancellation)."""

    async def work(services: Services, session: AsyncSession) -> str:
        row = await s.get_session(session, session_id)
        sender = services.sender
        return invitation(
            row, zone=services.settings.zone, organizer=(sender.name, sender.address)
        )

    typer.echo(run_in_session(ctx.obj, work), nl=False)
