"""`forumbot outbox`: see the queue, re-queue failures, send a test email."""

from __future__ import annotations

import json

import typer
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import JSON_OPTION, run_in_session
from bot.domain.outgoing import Email, queue_emails
from bot.outbox import queue
from bot.runtime import Services

app = typer.Typer(
    help="Inspect and manage the outbox of outgoing messages.", no_args_is_help=True
)


@app.command()
def status(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Count messages by status."""
    by_status = run_in_session(ctx.obj, lambda _s, session: queue.counts(session))
    if as_json:
        typer.echo(json.dumps(by_status))
        return
    for name, count in by_status.items():
        typer.echo(f"{name:>10}  {count}")


@app.command("retry-failed")
def retry_failed(ctx: typer.Context) -> None:
    """Queue every failed message again, after the cause (a relay outage, say) is fixed."""
    requeued = run_in_session(
        ctx.obj,
        lambda services, session: queue.retry_failed(session, now=services.clock.now()),
    )
    typer.echo(f"{requeued} failed messages queued again.")


@app.command("test-email")
def test_email(
    ctx: typer.Context,
    to: str = typer.Option(..., help="Address to send the test message to."),
    name: str = typer.Option("colleague", help="Name to greet."),
) -> None:
    """Queue a test email; a running `serve` or `worker` sends it."""

    async def work(services: Services, session: AsyncSession) -> None:
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

    run_in_session(ctx.obj, work)
    typer.echo(f"Test email to {to} queued.")
