"""`forumbot bench`: benchmarks that print figures."""

from __future__ import annotations

import asyncio
import json

import typer
from rich.console import Console
from rich.progress import Progress

from bot.bench.send import run_send
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
    result = figures.as_dict()
    if as_json:
        typer.echo(json.dumps(result))
        return
    for key, value in result.items():
        typer.echo(f"{key:>20}  {value}")
