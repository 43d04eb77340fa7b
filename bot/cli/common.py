"""What commands share: running one unit of work in a session, printing JSON."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer
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
