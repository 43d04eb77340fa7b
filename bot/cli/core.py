"""init, serve and worker: setting up the database and running the bot."""

from __future__ import annotations

import asyncio
import signal

import typer
import uvicorn

from bot.errors import ConfigError
from bot.host import run_background
from bot.runtime import open_services
from bot.scheduling import paused_scheduler, sync_schedules
from bot.settings import Settings
from bot.store.db import MIGRATIONS, schema_revision, upgrade_schema

SLACK_MODES = {
    "off": "off (no FORUMBOT_SLACK_BOT_TOKEN); everything else works by email and the web",
    "http": "on, receiving events at /slack/events",
    "socket": "on, over Socket Mode",
}


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(serve)
    app.command()(worker)


def init(ctx: typer.Context) -> None:
    """Create or upgrade the database schema and store the job schedule. Safe to run again."""
    settings: Settings = ctx.obj
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_schema(settings.effective_database_url)
    asyncio.run(_store_schedules(settings))
    typer.echo(
        f"Database ready at schema {schema_revision(settings.effective_database_url)}."
    )


async def _store_schedules(settings: Settings) -> None:
    import jobs

    async with paused_scheduler(settings) as scheduler:
        sync_schedules(scheduler, jobs.SCHEDULES, settings)


def _ensure_schema(settings: Settings) -> None:
    """Development upgrades the schema by itself; production insists on an explicit `init`."""
    head = _head_revision()
    if schema_revision(settings.effective_database_url) == head:
        return
    if settings.environment == "production":
        raise ConfigError(
            "the database schema is not up to date: run `forumbot init` first"
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_schema(settings.effective_database_url)


def _head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(
        None, help="Interface to listen on (default: FORUMBOT_WEB_HOST)."
    ),
    port: int | None = typer.Option(
        None, help="Port to listen on (default: FORUMBOT_WEB_PORT)."
    ),
    socket_mode: bool = typer.Option(
        False,
        "--socket-mode",
        help="Reach Slack over Socket Mode (no public URL needed).",
    ),
) -> None:
    """Run the web app, the delivery worker and the scheduler in one process."""
    from bot.slack.hosting import check_slack
    from bot.web.app import create_app
    from bot.web.logs import redact_access_log

    settings: Settings = ctx.obj
    slack = check_slack(settings, socket_mode=socket_mode)
    _ensure_schema(settings)
    typer.echo(f"Slack: {SLACK_MODES[slack]}")
    if settings.uses_catcher:
        typer.echo(
            f"No SMTP relay set: mail is caught locally; see {settings.base_url}mail"
        )
    redact_access_log()  # signed links name their member: keep them out of the log
    uvicorn.run(
        create_app(settings, socket_mode=socket_mode),
        host=host or settings.web_host,
        port=settings.web_port if port is None else port,
        log_level=settings.log_level.lower(),
        log_config=None,
    )


def worker(ctx: typer.Context) -> None:
    """Run only the delivery worker (add these beside `serve` to share a PostgreSQL outbox)."""
    settings: Settings = ctx.obj
    _ensure_schema(settings)
    asyncio.run(_run_worker(settings))


async def _run_worker(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with (
        open_services(settings) as services,
        run_background(services, scheduler=False, catcher=False, inbound=False),
    ):
        await stop.wait()
