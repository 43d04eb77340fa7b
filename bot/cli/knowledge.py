"""`forumbot kb`, `forumbot ask`, `forumbot tickets`: the knowledge base from the command line."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import JSON_OPTION, add_plain_row, run_in_session
from bot.domain.knowledge import asking, store, tickets
from bot.domain.knowledge.documents import SUFFIXES
from bot.runtime import Services

kb = typer.Typer(
    help="Manage the knowledge base answers come from.", no_args_is_help=True
)
tickets_app = typer.Typer(
    help="Questions passed to the team, and their answers.", no_args_is_help=True
)


def _files(paths: list[Path]) -> tuple[list[store.SourceFile], list[str]]:
    """Supported files under the given paths, and the roots whose removed files are dropped."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUFFIXES
                and p.stem.lower() != "readme"
            )
        elif path.is_file():
            found.append(path)
        else:
            raise typer.BadParameter(f"{path} does not exist")
    roots = [str(p.resolve()) + "/" for p in paths if p.is_dir()]
    return [store.SourceFile(str(p.resolve()), p.read_bytes()) for p in found], roots


@kb.command()
def ingest(ctx: typer.Context, paths: list[Path], as_json: bool = JSON_OPTION) -> None:
    """Add or update documents (Markdown, text, HTML, PDF; folders are searched). Unchanged files are skipped."""
    files, roots = _files(paths)

    async def work(services: Services, session: AsyncSession) -> store.IngestReport:
        with Progress(
            console=Console(stderr=True), transient=True, disable=as_json
        ) as bar:
            task = bar.add_task("ingesting", total=len(files))
            return await store.ingest(
                session,
                files,
                roots=roots,
                now=services.clock.now(),
                progress=lambda n: bar.update(task, completed=n),
            )

    report = run_in_session(ctx.obj, work)
    if as_json:
        typer.echo(json.dumps(vars(report)))
        return
    typer.echo(
        f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
        f"removed {len(report.removed)}; {report.passages} new passages"
    )
    for name, reason in report.failed.items():
        typer.echo(f"  skipped {name}: {reason}", err=True)


@kb.command("list")
def list_documents(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the documents with their passages, owner and review date."""
    found = run_in_session(ctx.obj, lambda _s, session: store.documents(session))
    rows = [
        {
            "document": d.name,
            "title": d.title,
            "passages": n,
            "owner": d.owner,
            "review_date": d.review_date,
            "source_url": d.source_url,
        }
        for d, n in found
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(
        "document", "title", "passages", "review date", title=f"{len(rows)} documents"
    )
    for row in rows:
        add_plain_row(
            table, row["document"], row["title"], row["passages"], row["review_date"]
        )
    Console().print(table)


@kb.command()
def stats(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Documents, passages and the questions asked in the last 30 days."""

    async def work(services: Services, session: AsyncSession) -> dict[str, int]:
        found = await store.documents(session)
        recent = await asking.report(
            session, since=services.clock.now() - timedelta(days=30)
        )
        return {
            "documents": len(found),
            "passages": sum(n for _, n in found),
            "unanswered_30_days": len(recent["unanswered"]),
            "unhelpful_30_days": len(recent["unhelpful"]),
            "open_tickets": len(await tickets.list_tickets(session)),
        }

    figures = run_in_session(ctx.obj, work)
    typer.echo(
        json.dumps(figures)
        if as_json
        else "\n".join(f"{k:>20}  {v}" for k, v in figures.items())
    )


def ask(
    ctx: typer.Context,
    question: str = typer.Argument("", help="The question (or use --batch)."),
    batch: Path | None = typer.Option(
        None, "--batch", exists=True, dir_okay=False, help="One question per line."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Ask a question as a practitioner would; the answer quotes its sources."""
    questions = batch.read_text(encoding="utf-8").splitlines() if batch else [question]

    async def work(
        services: Services, session: AsyncSession
    ) -> list[dict[str, object]]:
        wording = services.conversation.wording()
        answers = []
        for text in questions:
            asked = await asking.ask(
                session,
                services.knowledge,
                text,
                wording=wording,
                channel="cli",
                now=services.clock.now(),
            )
            answers.append(asked.answer.as_dict())
        return answers

    for answer in run_in_session(ctx.obj, work):
        typer.echo(
            json.dumps(answer, ensure_ascii=False)
            if as_json
            else f"[{answer['kind']}]\n{answer['text']}\n"
        )


@tickets_app.command("list")
def list_tickets(
    ctx: typer.Context,
    every: bool = typer.Option(False, "--all", help="Answered ones too."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Questions waiting for the team."""
    found = run_in_session(
        ctx.obj,
        lambda _s, session: tickets.list_tickets(
            session, status=None if every else tickets.OPEN
        ),
    )
    rows = [
        {
            "id": t.id,
            "channel": t.channel,
            "status": t.status,
            "question": t.text,
            "answer": t.answer,
        }
        for t in found
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        typer.echo(
            f"#{row['id']} [{row['status']}, {row['channel']}] {row['question']}"
        )


@tickets_app.command()
def answer(
    ctx: typer.Context,
    ticket_id: int,
    text: str,
    by: str = typer.Option("the business support team", help="Who answers."),
    save: bool = typer.Option(
        False, "--save", help="Also add the question and answer to the knowledge base."
    ),
) -> None:
    """Answer a ticket; the answer goes back to the asker on the channel they used."""

    async def work(services: Services, session: AsyncSession) -> None:
        await tickets.answer_ticket(
            session,
            services.mailroom,
            ticket_id,
            text,
            by=by,
            now=services.clock.now(),
            save=save,
        )

    run_in_session(ctx.obj, work)
    typer.echo(
        f"Ticket {ticket_id} answered{' and saved to the knowledge base' if save else ''}."
    )
