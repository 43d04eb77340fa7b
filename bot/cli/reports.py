"""`forumbot reports`: per-campaign figures (queued, sent, failed, bounced, unsubscribes)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import JSON_OPTION, echo_json, run_in_session
from bot.domain import campaigns

app = typer.Typer(help="Reports on what the bot sent.", no_args_is_help=True)
COLUMNS = ("queued", "sent", "failed", "bounced", "unsubscribes")


@app.command("campaigns")
def list_campaigns(
    ctx: typer.Context,
    limit: int = typer.Option(50, min=1, help="How many, newest first."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Every campaign's figures, newest first."""
    found = run_in_session(
        ctx.obj, lambda _s, session: campaigns.campaign_reports(session, limit=limit)
    )
    if as_json:
        echo_json([r.as_dict() for r in found])
        return
    table = Table("campaign", *COLUMNS, title=f"{len(found)} campaigns")
    if ctx.obj.click_tracking:
        table.add_column("clicks")
    for r in found:
        cells = [str(getattr(r, c)) for c in COLUMNS]
        table.add_row(
            r.campaign, *cells, *([str(r.clicks)] if ctx.obj.click_tracking else [])
        )
    Console().print(table)


@app.command("campaign")
def show_campaign(ctx: typer.Context, name: str, as_json: bool = JSON_OPTION) -> None:
    """One campaign's figures (e.g. newsletter:2027-01, poll:3, session:12)."""
    found = run_in_session(
        ctx.obj, lambda _s, session: campaigns.campaign_report(session, name)
    )
    if as_json:
        echo_json(found.as_dict())
        return
    for key, value in found.as_dict().items():
        typer.echo(f"{key:>14}  {value}")
