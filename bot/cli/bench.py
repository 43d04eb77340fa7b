"""`forumbot bench`: benchmarks that print figures."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress

from bot.bench.newsletter import run_newsletter_bench
from bot.bench.qa import run_qa
from bot.bench.send import run_send
from bot.bench.slack import run_slack_bench
from bot.bench.surveys import run_surveys
from bot.settings import Settings

app = typer.Typer(
    help="Measure throughput and latency; each prints its figures.",
    no_args_is_help=True,
)


@app.command()
def send(
    ctx: typer.Context,
    recipients: int = typer.Option(
        10_000, min=1, help="How many personalised messages to send."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Raw aiosmtplib against render -> outbox -> worker, both into a local SMTP sink."""
    settings: Settings = ctx.obj
    with Progress(console=Console(stderr=True), transient=True, disable=as_json) as bar:
        task = bar.add_task("pipeline: sent", total=recipients)
        figures = asyncio.run(
            run_send(
                settings, recipients, lambda done: bar.update(task, completed=done)
            )
        )
    _print(figures.as_dict(), as_json=as_json)


@app.command()
def newsletter(
    ctx: typer.Context,
    members: int = typer.Option(10_000, min=1, help="How many members get the issue."),
    kill_after: int | None = typer.Option(
        None,
        min=1,
        help="SIGKILL the sending process after this many members, then resume.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """An issue to N members via a real SMTP sink: one copy each, each with its own link."""
    with Console(stderr=True).status("sending the newsletter", spinner="dots"):
        figures = asyncio.run(run_newsletter_bench(ctx.obj, members, kill_after))
    _print(figures.as_dict(), as_json=as_json)


@app.command()
def slack(
    ctx: typer.Context,
    requests: int = typer.Option(200, min=1, help="How many /forum commands to send."),
    concurrency: int = typer.Option(
        20, min=1, help="How many may be in flight at once."
    ),
    url: str | None = typer.Option(
        None,
        help="An app already running there (signed with FORUMBOT_SLACK_SIGNING_SECRET); "
        "by default the app is started here, on a temporary database.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Signed /forum commands to /slack/events: how fast each is acknowledged, and errors."""
    settings: Settings = ctx.obj
    with Progress(console=Console(stderr=True), transient=True, disable=as_json) as bar:
        task = bar.add_task("acknowledged", total=requests)
        figures = asyncio.run(
            run_slack_bench(
                settings,
                requests,
                concurrency,
                lambda done: bar.update(task, completed=done),
                url=url,
            )
        )
    _print(figures.as_dict(), as_json=as_json)


@app.command()
def qa(
    ctx: typer.Context,
    questions: Path = typer.Option(
        Path("tests/data/qa_eval.jsonl"),
        exists=True,
        dir_okay=False,
        help="Labelled questions (JSON lines).",
    ),
    documents: list[Path] = typer.Option(
        [Path("../shared/seeds")],
        "--documents",
        exists=True,
        help="Documents to ingest first.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Hit rate in the top 3 by kind, MRR, urgent recall, handoff precision, latency, ingest time."""
    _print(asyncio.run(run_qa(ctx.obj, questions, documents)), as_json=as_json)


@app.command()
def surveys(
    ctx: typer.Context,
    responses: int = typer.Option(1000, min=1, help="How many responses to record."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Record generated responses to the sample survey, then build its full report."""
    with Progress(console=Console(stderr=True), transient=True, disable=as_json) as bar:
        task = bar.add_task("responses recorded", total=responses)
        figures = asyncio.run(
            run_surveys(
                ctx.obj, responses, lambda done: bar.update(task, completed=done)
            )
        )
    _print(figures, as_json=as_json)


def _print(result: Mapping[str, object], *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result))
        return
    for key, value in result.items():
        typer.echo(f"{key:>20}  {value}")
