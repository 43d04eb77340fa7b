"""`forumbot feeds ...` as an operator runs it, against the local feed server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.errors import InvalidInputError
from tests.cli.test_members_cli import (
    cli_database,  # noqa: F401  (a fixture)
    forumbot,
    forumbot_json,
)
from tests.servers.feeds import FeedServer, feed_server_thread

SAMPLE = Path(__file__).parents[2] / "config" / "feeds.toml"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    monkeypatch.setenv("FORUMBOT_FEEDS_TIMEOUT_SECONDS", "1")
    with feed_server_thread() as running:
        yield running


@pytest.mark.usefixtures("cli_database")
def test_add_poll_list_choose_remove(server: FeedServer) -> None:
    news = forumbot_json(
        "feeds", "add", "Partnership news", server.url("news.rss"), "--json"
    )
    broken = forumbot_json("feeds", "add", "Broken", server.url("error.xml"), "--json")
    assert news["url"] == server.url("news.rss") and news["active"] is True

    polled = {r["name"]: r for r in forumbot_json("feeds", "poll", "--json")}
    assert polled["Partnership news"]["new_items"] == 3
    assert "HTTP 500" in polled["Broken"]["error"]
    again = forumbot_json("feeds", "poll", str(news["id"]), "--json")
    assert again == [
        {
            "feed_id": news["id"],
            "name": "Partnership news",
            "new_items": 0,
            "not_modified": True,
            "error": None,
        }
    ]
    listed = {f["name"]: f for f in forumbot_json("feeds", "list", "--json")}
    assert listed["Broken"]["last_error"] == polled["Broken"]["error"]

    items = forumbot_json("feeds", "items", "--feed", str(news["id"]), "--json")
    assert len(items) == 3 and not any(i["chosen"] for i in items)
    out = forumbot("feeds", "choose", str(items[0]["id"])).stdout
    assert "is in the next newsletter" in out
    chosen = [i for i in forumbot_json("feeds", "items", "--json") if i["chosen"]]
    assert [i["id"] for i in chosen] == [items[0]["id"]]

    forumbot("feeds", "remove", str(broken["id"]))
    assert [f["name"] for f in forumbot_json("feeds", "list", "--json")] == [
        "Partnership news"
    ]


@pytest.mark.usefixtures("cli_database")
def test_poll_prints_a_summary_table(server: FeedServer) -> None:
    forumbot("feeds", "add", "Panel", server.url("panel.atom"))
    forumbot("feeds", "add", "Web page", server.url("page.html"))
    out = forumbot("feeds", "poll").stdout
    assert "feeds polled" in out and "Panel" in out and "web page" in out
    assert "not changed" in forumbot("feeds", "poll").stdout


@pytest.mark.usefixtures("cli_database")
def test_the_sample_feed_list_is_added_once() -> None:
    first = forumbot_json(
        "feeds", "add", "--from-config", "--file", str(SAMPLE), "--json"
    )
    again = forumbot_json(
        "feeds", "add", "--from-config", "--file", str(SAMPLE), "--json"
    )
    assert len(first["added"]) >= 4 and again == {
        "added": [],
        "skipped": first["added"],
    }
    listed = forumbot_json("feeds", "list", "--json")
    assert any("lscpbirmingham.org.uk" in f["url"] for f in listed)


@pytest.mark.usefixtures("cli_database")
def test_bad_input_is_refused_plainly() -> None:
    runner = CliRunner()
    refused = runner.invoke(app, ["feeds", "add", "News", "javascript:alert(1)"])
    assert isinstance(refused.exception, InvalidInputError)
    assert "http://" in str(refused.exception)
    missing = runner.invoke(app, ["feeds", "add"])
    assert "Give the feed's name and address" in str(missing.exception)
    unknown = runner.invoke(app, ["feeds", "choose", "404"])
    assert "no feed item number 404" in str(unknown.exception)
