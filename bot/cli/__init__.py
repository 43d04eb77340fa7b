"""The `forumbot` command: one short function per command; errors become one line and an exit code."""

from __future__ import annotations

import logging
import sys

import typer

from bot.cli import bench, core, jobs, knowledge, members, outbox, sessions
from bot.cli import briefings as briefings_cli
from bot.cli import feeds as feeds_cli
from bot.cli import forum_places as _forum_places  # noqa: F401  (sessions feedback)
from bot.cli import newsletter as newsletter_cli
from bot.cli import polls as polls_cli
from bot.cli import reports as reports_cli
from bot.cli import session_notes as _session_notes  # noqa: F401  (adds recur, notes, bulletin)
from bot.cli import session_questions as _session_questions  # noqa: F401  (questions, attendance, figures)
from bot.cli import survey_reports as _survey_reports  # noqa: F401  (surveys report)
from bot.cli import surveys as surveys_cli
from bot.cli import training as training_cli
from bot.errors import BotError, ConfigError
from bot.settings import load_settings

app = typer.Typer(
    name="forumbot",
    help="Runs a safeguarding children partnership's Practitioner Forum by Slack and email.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
core.register(app)
app.add_typer(jobs.app, name="jobs")
app.add_typer(outbox.app, name="outbox")
app.add_typer(members.app, name="members")
app.add_typer(polls_cli.app, name="polls")
app.add_typer(knowledge.kb, name="kb")
app.add_typer(knowledge.tickets_app, name="tickets")
app.command()(knowledge.ask)
app.add_typer(bench.app, name="bench")
app.add_typer(sessions.app, name="sessions")
app.add_typer(briefings_cli.app, name="briefings")
app.add_typer(newsletter_cli.app, name="newsletter")
app.add_typer(reports_cli.app, name="reports")
app.add_typer(feeds_cli.app, name="feeds")
app.add_typer(surveys_cli.app, name="surveys")
app.add_typer(training_cli.app, name="training")


@app.callback()
def _load(ctx: typer.Context) -> None:
    """Build the settings once, before any command, and hand them down through the context."""
    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if settings.log_level != "DEBUG":
        for chatty in ("alembic", "apscheduler", "mail.log", "bm25s"):
            logging.getLogger(chatty).setLevel(logging.WARNING)
    ctx.obj = settings


def main() -> None:
    try:
        app()
    except ConfigError as exc:
        typer.echo(f"forumbot: configuration error: {exc}", err=True)
        raise SystemExit(2) from None
    except BotError as exc:
        typer.echo(f"forumbot: {exc}", err=True)
        raise SystemExit(1) from None
