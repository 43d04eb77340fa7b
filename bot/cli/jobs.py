"""`forumbot jobs`: the schedule and when each job runs next."""

from __future__ import annotations

import asyncio
import json

import typer
from rich.console import Console
from rich.table import Table

from bot.scheduling import JobInfo, job_infos, paused_scheduler
from bot.settings import Settings

app = typer.Typer(help="See the scheduled jobs.", no_args_is_help=True)


@app.command("list")
def list_jobs(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List every scheduled job with its trigger and next run time."""
    settings: Settings = ctx.obj
    infos = asyncio.run(_read(settings))
    if as_json:
        rows = [
            {**vars(i), "next_run": i.next_run.isoformat() if i.next_run else None}
            for i in infos
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    if not infos:
        typer.echo("No jobs stored yet: run `forumbot init`.")
        return
    table = Table("id", "next run", "trigger", "what it does")
    for info in infos:
        when = (
            info.next_run.strftime("%a %d %b %Y %H:%M %Z")
            if info.next_run
            else "paused"
        )
        table.add_row(info.id, when, info.trigger, info.description)
    Console().print(table)


async def _read(settings: Settings) -> list[JobInfo]:
    async with paused_scheduler(settings) as scheduler:
        return job_infos(scheduler)
