"""Feed items are de-duplicated by link as well as by id: a site that re-publishes an
article under a new guid (a CMS migration, an edited post) does not put it in twice."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from bot.domain import feeds
from bot.runtime import Services
from bot.store.tables import FeedItem
from tests.feeds.conftest import AddFeed, poll
from tests.servers.feeds import FeedServer


def _rss(*items: tuple[str, str]) -> bytes:
    body = "".join(
        f"<item><title>{guid}</title><guid>{guid}</guid><link>{link}</link></item>"
        for guid, link in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"{body}</channel></rss>"
    ).encode()


def test_a_document_listing_one_link_under_two_ids_gives_one_entry() -> None:
    document = _rss(("g1", "https://example.org/a"), ("g2", "https://example.org/a"))
    assert [e.guid for e in feeds.read_entries(document)] == ["g1"]


async def test_an_article_republished_under_a_new_id_is_not_stored_again(
    services: Services, served: FeedServer, add: AddFeed, tmp_path: Path
) -> None:
    version = tmp_path / "site.rss"
    served.files["site.rss"] = str(version)  # an absolute path: served as it changes
    await add("Site", served.url("site.rss"))
    version.write_bytes(_rss(("g1", "https://example.org/a")))
    assert (await poll(services))["Site"].new_items == 1

    version.write_bytes(
        _rss(("g2", "https://example.org/a"), ("g3", "https://example.org/b"))
    )
    assert (await poll(services))["Site"].new_items == 1
    async with services.sessions() as session:
        rows = (await session.exec(select(FeedItem).order_by(col(FeedItem.id)))).all()
    assert [(r.guid, r.link) for r in rows] == [
        ("g1", "https://example.org/a"),
        ("g3", "https://example.org/b"),
    ]
