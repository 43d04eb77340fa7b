"""`forumbot surveys report ID`: a survey's report (or, with --course, a course's evaluations
together) as rich tables with bars, as JSON, as CSV, or posted to the chair.

Everything people typed is printed as rich `Text`, never as markup, so an answer such as
'[bold]' or '<script>' shows exactly as typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import JSON_OPTION, echo_json, run_in_session
from bot.cli.surveys import app
from bot.domain.surveys import reports
from bot.domain.surveys.report_model import QuestionReport, Report
from bot.domain.surveys.report_summary import Posted, post_summary, rate_line, text_bar
from bot.runtime import Services


@dataclass(frozen=True)
class Done:
    report: Report
    csv: str | None
    posted: Posted | None


async def _make(
    services: Services,
    session: AsyncSession,
    number: int,
    *,
    course: bool,
    want_csv: bool,
    post: bool,
) -> Done:
    if course:
        collected = await reports.collect_course(session, number)
        report = await reports.with_utilisation(
            session, reports.build_report(collected)
        )
    else:
        collected = await reports.collect_survey(session, number)
        report = reports.build_report(collected)
    text = await reports.responses_csv(session, collected) if want_csv else None
    posted = None
    if post:
        posted = await post_summary(
            session,
            report,
            room=services.mailroom,
            slack_enabled=services.settings.slack_enabled,
            now=services.clock.now(),
        )
        await session.commit()
    return Done(report, text, posted)


@app.command()
def report(
    ctx: typer.Context,
    number: int = typer.Argument(
        ..., help="The survey's id (a course's with --course)."
    ),
    course: bool = typer.Option(
        False, "--course", help="NUMBER is a course: all its events' evaluations."
    ),
    csv: Path | None = typer.Option(
        None, "--csv", help="Also write every response here as CSV."
    ),
    post: bool = typer.Option(
        False, "--post", help="Send the summary to the chair (Slack DM, else email)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """A survey's report: response rate, answers per question, ratios, free text."""
    done = run_in_session(
        ctx.obj,
        lambda s, db: _make(
            s, db, number, course=course, want_csv=csv is not None, post=post
        ),
    )
    if csv is not None and done.csv is not None:
        csv.write_text(done.csv, encoding="utf-8-sig", newline="")
    if as_json:
        data = done.report.as_dict()
        echo_json(data | ({"posted": done.posted.__dict__} if done.posted else {}))
        return
    show(Console(), done.report)
    if done.posted:
        typer.echo(
            f"summary queued: {done.posted.slack} Slack messages, "
            f"{done.posted.emails} emails"
        )


def show(console: Console, report: Report) -> None:
    """The report in the terminal: a heading, the ratios, then one table per question."""
    console.print(Text(report.title, style="bold"))
    console.print(Text(rate_line(report)))
    if report.ratios:
        table = Table("ratio", "%", "of", title="Conditional percentages")
        for r in report.ratios:
            table.add_row(
                Text(r.label), f"{r.share.whole}%", f"{r.share.count} of {r.share.of}"
            )
        console.print(table)
    for question in report.questions:
        console.print(question_view(question))
    if report.utilisation is not None:
        console.print(Text(utilisation_line(report.utilisation)))


def utilisation_line(figures: dict[str, Any]) -> str:
    places, attended = figures.get("places", 0), figures.get("attended", 0)
    if figures.get("utilisation") is None:
        return "Utilisation: no places offered on a held event yet"
    return f"Utilisation: {figures['utilisation']}% ({attended} attended of {places} places)"


def question_view(question: QuestionReport) -> Table | Group:
    """A table of bars for a choice or scale question; figures or answers for the others."""
    asked = f"{question.answered} of {question.shown} asked answered"
    if question.condition:
        asked += f" (asked when {question.condition})"
    title = Text.assemble((question.text, "bold"), "\n", asked)
    if question.bars:
        table = Table("answer", "", "%", "n", title=title, title_justify="left")
        for bar in question.bars:
            share = bar.share
            table.add_row(
                Text(bar.label), text_bar(share), f"{share.whole}%", str(share.count)
            )
        if question.mean is not None:
            table.caption = f"mean {question.mean}"
        return table
    lines: list[Text] = [title]
    if question.numbers is not None:
        n = question.numbers
        lines.append(
            Text(f"mean {n.mean:g} · median {n.median:g} · {n.min:g} to {n.max:g}")
        )
    lines += [Text(f"• {answer}") for answer in question.texts]
    return Group(*lines, Text(""))
