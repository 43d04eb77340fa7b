"""`forumbot sessions feedback ID [--json]`: the chair's summary of a session's feedback.

Registered on the `sessions` sub-app (importing this module adds the command), beside the
sessions' own commands. Comments are shown as typed, without names.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import JSON_OPTION, echo_json, run_in_session
from bot.cli.sessions import app
from bot.domain.forum import feedback
from bot.runtime import Services

BAR = 30  # the longest bar of the ratings chart, in characters


@app.command("feedback")
def show_feedback(
    ctx: typer.Context, session_id: int, as_json: bool = JSON_OPTION
) -> None:
    """Feedback on a session: how many answered, the average rating, each rating, comments."""

    async def work(_services: Services, session: AsyncSession) -> feedback.Summary:
        return await feedback.summary(session, session_id)

    summary = run_in_session(ctx.obj, work)
    if as_json:
        echo_json(summary.as_dict())
        return
    console = Console()
    if not summary.count:
        console.print(f"No feedback on {summary.title!r} yet.", markup=False)
        return
    console.print(
        f"{summary.title}: {summary.count} answered, average {summary.average} out of 5",
        markup=False,
    )
    most = max(summary.ratings.values())
    table = Table("Rating", "Answers", "", title="Ratings")
    for rating, count in sorted(summary.ratings.items(), reverse=True):
        table.add_row(str(rating), str(count), "█" * round(BAR * count / most))
    console.print(table)
    for comment in summary.comments:
        console.print(f"• {comment}", markup=False, highlight=False)
