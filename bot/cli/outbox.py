"""`forumbot outbox`: see the queue, re-queue failures, send a test email."""

from __future__ import annotations

import asyncio
import json

import typer

from bot.domain.outgoing import Email, queue_emails
from bot.outbox import queue
from bot.runtime import open_services
from bot.settings import Settings

app = typer.Typer(
    help="Inspect and manage the outbox of outgoing messages.", no_args_is_help=True
)


@app.command()
def status(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Count messages by status."""
    by_status = asyncio.run(_counts(ctx.obj))
    if as_json:
        typer.echo(json.dumps(by_status))
        return
    for name, count in by_status.items():
        typer.echo(f"{name:>10}  {count}")


async def _counts(settings: Settings) -> dict[str, int]:
    async with (
        open_services(settings, transports={}) as services,
        services.sessions() as session,
    ):
        return await queue.counts(session)


@app.command("retry-failed")
def retry_failed(ctx: typer.Context) -> None:
    """Queue every failed message again, after the cause (a relay outage, say) is fixed."""
    typer.echo(f"{asyncio.run(_retry(ctx.obj))} failed messages queued again.")


async def _retry(settings: Settings) -> int:
    async with (
        open_services(settings, transports={}) as services,
        services.sessions() as session,
    ):
        return await queue.retry_failed(session, now=services.clock.now())


@app.command("test-email")
def test_email(
    ctx: typer.Context,
    to: str = typer.Option(..., help="Address to send the test message to."),
    name: str = typer.Option("colleague", help="Name to greet."),
) -> None:
    """Queue a test email; a running `serve` or `worker` sends it."""
    asyncio.run(_queue_test(ctx.obj, to, name))
    typer.echo(f"Test email to {to} queued.")


async def _queue_test(settings: Settings, to: str, name: str) -> None:
    async with (
        open_services(settings, transports={}) as services,
        services.sessions() as session,
    ):
        now = services.clock.now()
        email = Email(
            key=f"test:{to}:{now.isoformat()}",
            to_name=name,
            to_address=to,
            template="test_message",
            context={"sent_at": now.strftime("%d %b %Y %H:%M UTC")},
        )
        await queue_emails(
            session,
            [email],
            sender=services.sender,
            renderer=services.renderer,
            now=now,
        )
        await session.commit()
