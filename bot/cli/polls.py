"""`forumbot polls`: the chair's polls from the command line, and votes given by phone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import poll_actions
from bot.cli.common import (
    JSON_OPTION,
    add_plain_row,
    echo_json,
    plain_table,
    run_in_session,
)
from bot.domain import members as m
from bot.domain import polls
from bot.errors import InvalidInputError
from bot.runtime import Services
from bot.store.tables import Poll

app = typer.Typer(help="Polls of forum members.", no_args_is_help=True)


def poll_data(poll: Poll) -> dict[str, Any]:
    return {
        "id": poll.id,
        "question": poll.question,
        "options": poll.options,
        "multiple": poll.multiple,
        "anonymous": poll.anonymous,
        "status": poll.status,
        "closes_at": poll.closes_at.isoformat() if poll.closes_at else None,
        "closed_at": poll.closed_at.isoformat() if poll.closed_at else None,
        "created_by": poll.created_by,
    }


def _closes(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(
            f"Write the closing time as YYYY-MM-DD HH:MM (local time), not {text!r}.",
            field="closes",
        ) from None


@app.command()
def create(
    ctx: typer.Context,
    question: str = typer.Option(..., help="The question members answer."),
    option: list[str] = typer.Option(..., help="An option (repeat: 2 to 10)."),
    closes: str = typer.Option(..., help="Closing time, local: 'YYYY-MM-DD HH:MM'."),
    multiple: bool = typer.Option(False, help="Members may choose several options."),
    named: bool = typer.Option(False, help="The chair may see who chose what."),
    announce: bool = typer.Option(True, help="Post to Slack and email members now."),
    by: str = typer.Option("command line", help="Who creates it, for the record."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a poll, and announce it unless --no-announce."""
    draft = polls.PollDraft(question, option, _closes(closes), multiple, not named)

    async def work(services: Services, session: AsyncSession) -> tuple[Poll, Any]:
        poll = await polls.create_poll(
            session,
            draft,
            created_by=by,
            zone=services.settings.zone,
            now=services.clock.now(),
        )
        sent = (
            await poll_actions.announce(services, session, poll) if announce else None
        )
        return poll, sent

    poll, sent = run_in_session(ctx.obj, work)
    if as_json:
        echo_json(poll_data(poll) | {"announced": sent.__dict__ if sent else None})
        return
    typer.echo(f"poll {poll.id} created, closing {_local(poll, ctx.obj.zone)}")
    if sent:
        typer.echo(f"queued: {sent.slack_posts} Slack post, {sent.emails} emails")


def _local(poll: Poll, zone: ZoneInfo) -> str:
    """The closing time as members are told it: local (UK) time."""
    return polls.local_text(poll.closes_at, zone) if poll.closes_at else "not set"


@app.command("list")
def list_polls(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List polls, newest first."""
    found = run_in_session(ctx.obj, lambda _s, session: polls.list_polls(session))
    if as_json:
        echo_json([poll_data(p) for p in found])
        return
    table = Table("id", "question", "status", "closes", title=f"{len(found)} polls")
    for p in found:
        add_plain_row(table, p.id, p.question, p.status, _local(p, ctx.obj.zone))
    Console().print(table)


@app.command()
def announce(ctx: typer.Context, poll_id: int) -> None:
    """Post a poll to Slack and email it to members (again: nothing goes twice)."""

    async def work(services: Services, session: AsyncSession) -> polls.Announced:
        poll = await polls.get_poll(session, poll_id)
        return await poll_actions.announce(services, session, poll)

    sent = run_in_session(ctx.obj, work)
    typer.echo(
        f"poll {poll_id}: queued {sent.slack_posts} Slack post, {sent.emails} emails"
    )


@app.command()
def vote(
    ctx: typer.Context,
    poll_id: int,
    member: str = typer.Option(..., help="The member's email address."),
    choice: list[int] = typer.Option(
        ..., help="Option number, from 1 (repeat if allowed)."
    ),
) -> None:
    """Record a member's vote given by phone or in person (replaces any earlier vote)."""

    async def work(services: Services, session: AsyncSession) -> list[int]:
        who = await m.get_member(session, member)
        return await polls.vote(
            session,
            poll_id,
            who,
            [n - 1 for n in choice],
            channel="phone",
            now=services.clock.now(),
        )

    chosen = run_in_session(ctx.obj, work)
    typer.echo(
        f"{member}: vote recorded for option {', '.join(str(n + 1) for n in chosen)}"
    )


@app.command()
def close(ctx: typer.Context, poll_id: int) -> None:
    """Close a poll now and publish its results in Slack."""

    async def work(services: Services, session: AsyncSession) -> bool:
        return await poll_actions.close(services, session, poll_id)

    closed = run_in_session(ctx.obj, work)
    typer.echo(f"poll {poll_id}: {'closed' if closed else 'was already closed'}")


@app.command()
def results(
    ctx: typer.Context,
    poll_id: int,
    csv: Path | None = typer.Option(
        None, "--csv", help="Also write the results here as CSV."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show a poll's results as a bar chart (names per option for named polls)."""

    async def work(_services: Services, session: AsyncSession) -> polls.Results:
        poll = await polls.get_poll(session, poll_id)
        return await polls.poll_results(session, poll, for_admin=True)

    found = run_in_session(ctx.obj, work)
    if csv is not None:
        csv.write_text(polls.results_csv(found), encoding="utf-8", newline="")
    if as_json:
        echo_json(found.as_dict())
        return
    _print_chart(found)


def _print_chart(found: polls.Results) -> None:
    """Bars in the terminal; the numbers are printed too, so no one needs to read the bars."""
    console = Console()
    state = "closed" if found.closed else "open"
    title = f"{found.question} ({state})"
    table = plain_table("option", "", "votes", "%", title=title)
    for o in found.options:
        add_plain_row(
            table, o.label, "█" * round(o.percent / 5), o.votes, f"{o.percent:g}"
        )
        if o.names:
            table.add_row("", Text(", ".join(o.names), style="dim"), "", "")
    console.print(table)
    console.print(f"{found.voters} voters")
