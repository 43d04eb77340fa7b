"""What commands share: running one unit of work in a session, printing JSON and tables."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer
from rich.table import Table
from rich.text import Text
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime import Services, open_services
from bot.settings import Settings

T = TypeVar("T")
JSON_OPTION = typer.Option(False, "--json", help="Print JSON.")


def run_in_session(
    settings: Settings, work: Callable[[Services, AsyncSession], Awaitable[T]]
) -> T:
    """Open the services without transports (commands only queue messages) and run `work`."""

    async def main() -> T:
        async with (
            open_services(settings, transports={}) as services,
            services.sessions() as session,
        ):
            return await work(services, session)

    return asyncio.run(main())


def echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def plain(value: object) -> Text:
    """Text shown exactly as stored: rich would read "[/b]" in a member's words as markup
    (and crash on it), so everything typed by people goes through here."""
    return Text("" if value is None else str(value))


def plain_table(*columns: str, title: object = None) -> Table:
    """A table whose title may hold typed text (a poll's question, say)."""
    return Table(*columns, title=None if title is None else plain(title))


def add_plain_row(table: Table, *cells: object) -> None:
    """A table row of plain text cells (see `plain`)."""
    table.add_row(*(plain(cell) for cell in cells))


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 member", "2 members"."""
    return f"{count} {word if count == 1 else many or word + 's'}"
