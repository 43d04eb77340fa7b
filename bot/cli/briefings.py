"""`forumbot briefings`: import Markdown briefings, list and show them, approve, publish,
withdraw and preview. Approving, publishing and withdrawing act for a configured admin
(`--by`), whose roles are checked as on the web pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import JSON_OPTION, echo_json, run_in_session
from bot.domain import briefings as b
from bot.domain.briefings.from_session import bulletin_briefing
from bot.errors import InvalidInputError
from bot.runtime import Services
from bot.store.tables import Briefing

app = typer.Typer(help="Learning briefings.", no_args_is_help=True)
BY = typer.Option(..., "--by", help="Your admin email address (its roles are checked).")


def briefing_data(row: Briefing, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row.id,
        "slug": row.slug,
        "kind": row.kind,
        "title": row.title,
        "status": row.status,
        "topics": row.topics,
        "approved_by": row.approved_by,
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "source": row.source_path,
    }
    if full:
        data |= {
            "summary": row.summary,
            "body": row.body,
            "report_url": row.report_url,
            "webinar_url": row.webinar_url,
        }
    return data


def _roles(services: Services, by: str) -> tuple[str, ...]:
    roles = services.settings.admin_roles.get(by.strip().lower())
    if not roles:
        raise InvalidInputError(f"{by} is not a configured admin.")
    return roles


@app.command("import")
def import_(
    ctx: typer.Context,
    folder: Path | None = typer.Argument(None, help="Default: settings.briefings_dir."),
    by: str = BY,
    as_json: bool = JSON_OPTION,
) -> None:
    """Import new and changed Markdown files; unchanged ones are skipped. The admin
    running the import (`--by`) is recorded as the files' writer, so someone else must
    approve what it creates or changes."""

    async def work(services: Services, session: AsyncSession) -> b.ImportResult:
        _roles(services, by)
        result = await b.import_folder(
            session,
            folder or services.settings.briefings_dir,
            topics=tuple(services.settings.topics),
            by=by.strip().lower(),
            now=services.clock.now(),
        )
        await session.commit()
        return result

    result = run_in_session(ctx.obj, work)
    if as_json:
        echo_json(result.__dict__)
        return
    for label in ("created", "updated", "unchanged"):
        typer.echo(f"{label}: {len(getattr(result, label))}")
    for name in result.changed_after_approval:
        typer.echo(
            f"changed after approval, not updated: {name} (withdraw it and import the "
            "file under a new name, or edit it on the web while still a draft)"
        )
    for name, why in result.failed:
        typer.echo(f"failed: {name}: {why}")
    if result.failed:
        raise typer.Exit(1)


@app.command("list")
def list_(
    ctx: typer.Context,
    status: str | None = typer.Option(
        None, help="draft, approved, published or withdrawn."
    ),
    kind: str | None = typer.Option(None, help=", ".join(b.KINDS)),
    as_json: bool = JSON_OPTION,
) -> None:
    """Briefings, newest first."""

    async def work(_services: Services, session: AsyncSession) -> list[Briefing]:
        return await b.list_briefings(session, status=status, kind=kind)

    rows = run_in_session(ctx.obj, work)
    if as_json:
        echo_json([briefing_data(r) for r in rows])
        return
    for row in rows:
        typer.echo(f"{row.id}\t{row.status}\t{row.kind}\t{row.slug}\t{row.title}")


@app.command()
def show(ctx: typer.Context, ref: str, as_json: bool = JSON_OPTION) -> None:
    """One briefing, by id or slug."""

    async def work(_services: Services, session: AsyncSession) -> Briefing:
        return await b.get_briefing(session, ref)

    data = briefing_data(run_in_session(ctx.obj, work), full=True)
    if as_json:
        echo_json(data)
        return
    for key, value in data.items():
        typer.echo(f"{key}: {value}")


@app.command()
def approve(ctx: typer.Context, ref: str, by: str = BY) -> None:
    """Approve a draft (admin or communications; not its own author)."""

    async def work(services: Services, session: AsyncSession) -> Briefing:
        row = await b.approve(
            session, ref, by=by, roles=_roles(services, by), now=services.clock.now()
        )
        await session.commit()
        return row

    typer.echo(f"Approved {run_in_session(ctx.obj, work).slug}.")


@app.command()
def publish(ctx: typer.Context, ref: str, by: str = BY) -> None:
    """Publish an approved briefing: Slack post and emails, once."""

    async def work(services: Services, session: AsyncSession) -> b.Published:
        done = await b.publish(
            session,
            ref,
            room=services.mailroom,
            roles=_roles(services, by),
            channel=services.settings.slack_forum_channel,
            now=services.clock.now(),
        )
        await session.commit()
        return done

    done = run_in_session(ctx.obj, work)
    if done.already:
        typer.echo(f"{done.briefing.slug} was already published; nothing sent.")
    else:
        typer.echo(
            f"Published {done.briefing.slug}: {done.emails} emails and "
            f"{done.posts} Slack posts queued."
        )


@app.command()
def withdraw(ctx: typer.Context, ref: str, by: str = BY) -> None:
    """Take a briefing out of the archive and feed (sent messages stay sent)."""

    async def work(services: Services, session: AsyncSession) -> Briefing:
        row = await b.withdraw(
            session, ref, roles=_roles(services, by), now=services.clock.now()
        )
        await session.commit()
        return row

    typer.echo(f"Withdrew {run_in_session(ctx.obj, work).slug}.")


@app.command()
def preview(
    ctx: typer.Context,
    ref: str,
    output: Path = typer.Option(..., "--output", help="Write the email's HTML here."),
) -> None:
    """The briefing's email as a member would see it."""

    async def work(services: Services, session: AsyncSession) -> str:
        return b.preview(services.mailroom, await b.get_briefing(session, ref))

    output.write_text(run_in_session(ctx.obj, work), encoding="utf-8")
    typer.echo(f"Preview written to {output}.")


@app.command("from-session")
def from_session(
    ctx: typer.Context,
    session_id: int,
    by: str = typer.Option("cli", "--by", help="Who drafts it (the author)."),
) -> None:
    """Draft a forum bulletin briefing from a session's stored notes, for approval."""

    async def work(services: Services, session: AsyncSession) -> Briefing:
        row = await bulletin_briefing(
            session,
            session_id,
            zone=services.settings.zone,
            by=by,
            now=services.clock.now(),
        )
        await session.commit()
        return row

    row = run_in_session(ctx.obj, work)
    typer.echo(f"Drafted {row.slug}: approve and publish it as any briefing.")
