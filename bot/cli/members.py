"""`forumbot members`: the business support team's membership commands."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import JSON_OPTION, add_plain_row, echo_json, run_in_session
from bot.domain import imports, membership, privacy
from bot.domain import members as m
from bot.runtime import Services

app = typer.Typer(help="Manage forum members and subscribers.", no_args_is_help=True)


@app.command()
def add(
    ctx: typer.Context,
    email: str,
    name: str = typer.Option(..., help="Full name."),
    organisation: str | None = typer.Option(
        None, help="One of the configured organisations."
    ),
    role: str | None = typer.Option(None, help="Role or job title."),
    topic: list[str] = typer.Option([], help="A topic to follow (repeat for more)."),
    send_confirmation: bool = typer.Option(
        False,
        "--send-confirmation",
        help="Make them confirm by email first (double opt-in).",
    ),
) -> None:
    """Add a member (active at once, or pending until they confirm with --send-confirmation)."""
    profile = m.Profile(
        name=name, organisation=organisation, role=role, topics=tuple(topic)
    )

    async def work(services: Services, session: AsyncSession) -> str:
        now = services.clock.now()
        if send_confirmation:
            member = await membership.request_join(
                session,
                services.mailroom,
                email=email,
                profile=profile,
                method="admin",
                now=now,
            )
            if member.status == m.ACTIVE:
                return "already a member: nothing changed (they are reminded by email)"
            return "pending: a confirmation email is queued"
        member, created = await membership.add_member(
            session, services.mailroom, email=email, profile=profile, now=now
        )
        return (
            "added" if created else f"already known ({member.status}); details updated"
        )

    typer.echo(f"{email}: {run_in_session(ctx.obj, work)}")


@app.command("list")
def list_members(
    ctx: typer.Context,
    search: str = typer.Option("", help="Part of a name or address."),
    status: str | None = typer.Option(
        None, help="pending, active, unsubscribed or bounced."
    ),
    organisation: str | None = typer.Option(None),
    topic: str | None = typer.Option(None),
    as_json: bool = JSON_OPTION,
) -> None:
    """List members, filtered."""
    found = run_in_session(
        ctx.obj,
        lambda _s, session: m.list_members(
            session,
            search=search,
            status=status,
            organisation=organisation,
            topic=topic,
            limit=10**9,
        ),
    )
    if as_json:
        echo_json([m.member_data(x) for x in found])
        return
    table = Table(
        "email", "name", "organisation", "status", title=f"{len(found)} members"
    )
    for x in found:
        add_plain_row(table, x.email, x.name, x.organisation, x.status)
    Console().print(table)


@app.command()
def show(ctx: typer.Context, email: str) -> None:
    """Show one member's record as JSON."""
    echo_json(
        m.member_data(
            run_in_session(ctx.obj, lambda _s, session: m.get_member(session, email))
        )
    )


@app.command()
def remove(ctx: typer.Context, email: str) -> None:
    """Take someone off the forum's mailings (their record stays; see `erase` to delete it)."""

    async def work(services: Services, session: AsyncSession) -> bool:
        return await membership.leave(
            session, await m.get_member(session, email), now=services.clock.now()
        )

    typer.echo(
        f"{email}: {'removed' if run_in_session(ctx.obj, work) else 'had already left'}"
    )


@app.command("import")
def import_file(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        readable=True,
        help="CSV: email,name,organisation,role,topics",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import members from CSV; bad rows are reported by line and the good ones still land."""
    data = file.read_bytes()
    with Progress(console=Console(stderr=True), transient=True, disable=as_json) as bar:
        task = bar.add_task("importing", total=max(1, data.count(b"\n")))

        async def work(
            services: Services, session: AsyncSession
        ) -> imports.ImportReport:
            return await imports.import_members(
                session,
                data,
                choices=services.mailroom.choices,
                source=file.name,
                now=services.clock.now(),
                progress=lambda done: bar.update(task, completed=done),
            )

        report = run_in_session(ctx.obj, work)
    if as_json:
        typer.echo(json.dumps(report.as_dict()))
        return
    typer.echo(
        f"imported {report.imported}, updated {report.updated}, unchanged {report.unchanged}, "
        f"rejected {len(report.rejected)}"
    )
    for rejected in report.rejected:
        typer.echo(f"  line {rejected.line}: {rejected.reason}")


@app.command()
def export(
    ctx: typer.Context,
    fmt: str = typer.Option("csv", "--format", help="csv or json."),
    output: Path | None = typer.Option(None, help="File to write (default: print)."),
    status: str | None = typer.Option(None, help="Only members with this status."),
) -> None:
    """Export the member list (CSV cells are safe to open in a spreadsheet)."""
    if fmt not in ("csv", "json"):
        raise typer.BadParameter("use csv or json", param_hint="--format")
    text = run_in_session(
        ctx.obj,
        lambda _s, session: imports.export_members(session, fmt=fmt, status=status),
    )
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"Written to {output}.")


@app.command()
def count(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Count members by status, and active members by organisation and topic."""
    counts = run_in_session(ctx.obj, lambda _s, session: m.count_members(session))
    if as_json:
        echo_json(counts)
        return
    for heading, values in counts.items():
        typer.echo(f"By {heading}:")
        for key, value in values.items():
            typer.echo(f"  {value:>6}  {key}")


@app.command("export-data")
def export_data(ctx: typer.Context, email: str) -> None:
    """Print everything held about a person as JSON (a subject access request)."""
    echo_json(
        run_in_session(
            ctx.obj, lambda _s, session: privacy.export_member_data(session, email)
        )
    )


@app.command()
def erase(
    ctx: typer.Context,
    email: str,
    yes: bool = typer.Option(False, "--yes", help="Do not ask to confirm."),
) -> None:
    """Erase a person's personal data everywhere and cancel anything queued for them."""
    if not yes:
        typer.confirm(
            f"Erase everything held about {email}? This cannot be undone.", abort=True
        )

    async def work(services: Services, session: AsyncSession) -> privacy.Erased:
        return await privacy.erase_member(session, email, now=services.clock.now())

    erased = run_in_session(ctx.obj, work)
    typer.echo(
        f"Erased {email}: member record {'cleared' if erased.members else 'none'}, "
        f"{erased.messages} messages and {erased.bounces} bounce records deleted."
    )
