"""`forumbot feeds`: follow RSS and Atom feeds, poll them, choose items for the newsletter."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import JSON_OPTION, echo_json, run_in_session
from bot.domain import feeds
from bot.errors import InvalidInputError
from bot.runtime import Services, open_services
from bot.settings import Settings
from bot.store.tables import Feed, FeedItem

app = typer.Typer(
    help="RSS and Atom feeds, and items for the newsletter.", no_args_is_help=True
)

SAMPLE_FILE = Path("config/feeds.toml")


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def feed_data(feed: Feed) -> dict[str, Any]:
    return {
        "id": feed.id,
        "name": feed.name,
        "url": feed.url,
        "active": feed.active,
        "last_polled_at": _when(feed.last_polled_at),
        "last_error": feed.last_error,
    }


def item_data(item: FeedItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "feed_id": item.feed_id,
        "title": item.title,
        "link": item.link,
        "summary": item.summary,
        "published_at": _when(item.published_at),
        "chosen": item.chosen,
    }


@app.command()
def add(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="What to call the feed."),
    url: str | None = typer.Argument(None, help="The feed's http(s) address."),
    from_config: bool = typer.Option(
        False, "--from-config", help="Add every feed listed in the feeds file instead."
    ),
    file: Path = typer.Option(SAMPLE_FILE, "--file", help="The feeds file (TOML)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Follow a feed, or (with --from-config) every feed in config/feeds.toml."""
    if from_config:
        _add_listed(ctx.obj, feeds.read_feed_list(file), as_json)
        return
    if not name or not url:
        raise InvalidInputError("Give the feed's name and address, or --from-config.")

    async def work(services: Services, session: AsyncSession) -> Feed:
        feed = await feeds.add_feed(session, name, url, now=services.clock.now())
        await session.commit()
        return feed

    feed = run_in_session(ctx.obj, work)
    if as_json:
        echo_json(feed_data(feed))
    else:
        typer.echo(f"feed {feed.id} added: {feed.name} <{feed.url}>")


def _add_listed(settings: Settings, listed: list[feeds.Listed], as_json: bool) -> None:
    async def work(services: Services, session: AsyncSession) -> feeds.Imported:
        done = await feeds.add_listed(session, listed, now=services.clock.now())
        await session.commit()
        return done

    done = run_in_session(settings, work)
    if as_json:
        echo_json({"added": done.added, "skipped": done.skipped})
        return
    typer.echo(f"{len(done.added)} feeds added, {len(done.skipped)} already followed")


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the feeds, with when each was last polled and its last problem."""
    found = run_in_session(ctx.obj, lambda _s, session: feeds.list_feeds(session))
    if as_json:
        echo_json([feed_data(f) for f in found])
        return
    table = Table(
        "id",
        "name",
        "active",
        "last polled (UTC)",
        "problem",
        title=f"{len(found)} feeds",
    )
    for f in found:
        polled = f"{f.last_polled_at:%Y-%m-%d %H:%M}" if f.last_polled_at else "never"
        table.add_row(
            str(f.id),
            f.name,
            "yes" if f.active else "paused",
            polled,
            f.last_error or "",
        )
    Console().print(table)


@app.command()
def remove(ctx: typer.Context, feed_id: int) -> None:
    """Stop following a feed and forget its items."""

    async def work(_services: Services, session: AsyncSession) -> Feed:
        feed = await feeds.remove_feed(session, feed_id)
        await session.commit()
        return feed

    feed = run_in_session(ctx.obj, work)
    typer.echo(f"feed {feed_id} removed: {feed.name}")


@app.command()
def poll(
    ctx: typer.Context,
    feed_id: int | None = typer.Argument(None, help="One feed (default: all active)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Fetch new items now. A broken feed is reported and the others still polled."""
    results = asyncio.run(_poll(ctx.obj, feed_id, show_progress=not as_json))
    if as_json:
        echo_json([r.__dict__ for r in results])
        return
    table = Table("feed", "new items", "result", title="feeds polled")
    for r in results:
        outcome = r.error or ("not changed" if r.not_modified else "ok")
        table.add_row(f"{r.feed_id} {r.name}", str(r.new_items), outcome)
    Console().print(table)


async def _poll(
    settings: Settings, feed_id: int | None, *, show_progress: bool
) -> list[feeds.PollResult]:
    async with open_services(settings, transports={}) as services:
        options: dict[str, Any] = {
            "time_limit": settings.feeds_timeout_seconds,
            "now": services.clock.now(),
        }
        if feed_id is not None:
            return [
                await feeds.poll_feed(
                    services.sessions, feed_id, services.feeds, **options
                )
            ]
        async with services.sessions() as session:
            total = len(await feeds.list_feeds(session, active_only=True))
        console = Console(stderr=True)
        with Progress(
            console=console, transient=True, disable=not show_progress
        ) as bar:
            task = bar.add_task("polling feeds", total=total)
            return await feeds.poll_all(
                services.sessions,
                services.feeds,
                on_result=lambda _r: bar.advance(task),
                **options,
            )


@app.command()
def items(
    ctx: typer.Context,
    feed: int | None = typer.Option(None, "--feed", help="Only this feed's items."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
    as_json: bool = JSON_OPTION,
) -> None:
    """List the newest feed items; chosen ones go into the next newsletter."""
    found = run_in_session(
        ctx.obj,
        lambda _s, session: feeds.list_items(session, feed_id=feed, limit=limit),
    )
    if as_json:
        echo_json([item_data(i) for i in found])
        return
    table = Table(
        "id", "feed", "published (UTC)", "title", "chosen", title=f"{len(found)} items"
    )
    for i in found:
        when = f"{i.published_at:%Y-%m-%d}" if i.published_at else ""
        table.add_row(
            str(i.id), str(i.feed_id), when, i.title, "yes" if i.chosen else ""
        )
    Console().print(table)


@app.command()
def choose(ctx: typer.Context, item_id: int) -> None:
    """Put a feed item in the next newsletter."""
    _set_chosen(ctx.obj, item_id, chosen=True)


@app.command()
def unchoose(ctx: typer.Context, item_id: int) -> None:
    """Take a feed item out of the next newsletter."""
    _set_chosen(ctx.obj, item_id, chosen=False)


def _set_chosen(settings: Settings, item_id: int, *, chosen: bool) -> None:
    async def work(_services: Services, session: AsyncSession) -> FeedItem:
        act = feeds.choose if chosen else feeds.unchoose
        item = await act(session, item_id)
        await session.commit()
        return item

    item = run_in_session(settings, work)
    state = "in" if chosen else "out of"
    typer.echo(f"item {item_id} is {state} the next newsletter: {item.title}")
