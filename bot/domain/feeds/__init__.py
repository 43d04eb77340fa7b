"""Feeds: RSS and Atom feeds the partnership follows, and items chosen for the newsletter.

`registry` (add, list, remove, pause feeds), `fetching` (the fetcher port), `entries`
(feed documents to plain, safe entries), `polling` (conditional fetch, store once, record
errors per feed), `listing` (a TOML list of feeds) and `items` (listing and choosing items; the newsletter reads
`chosen_items` and `recent_items`).
"""

from bot.domain.feeds.entries import Entry, FeedFormatError, plain_text, read_entries
from bot.domain.feeds.fetching import (
    MAX_FEED_BYTES,
    FeedFetcher,
    FeedFetchError,
    Fetched,
)
from bot.domain.feeds.items import (
    FeedItemNotFoundError,
    choose,
    chosen_items,
    get_item,
    list_items,
    recent_items,
    unchoose,
)
from bot.domain.feeds.listing import Imported, Listed, add_listed, read_feed_list
from bot.domain.feeds.polling import PollResult, poll_all, poll_feed
from bot.domain.feeds.registry import (
    FEED_ROLES,
    MAX_NAME,
    MAX_URL,
    FeedNotFoundError,
    add_feed,
    check_feed,
    get_feed,
    list_feeds,
    remove_feed,
    set_active,
    web_address,
)

__all__ = [
    "FEED_ROLES",
    "MAX_FEED_BYTES",
    "MAX_NAME",
    "MAX_URL",
    "Entry",
    "FeedFetchError",
    "FeedFetcher",
    "FeedFormatError",
    "FeedItemNotFoundError",
    "FeedNotFoundError",
    "Fetched",
    "Imported",
    "Listed",
    "PollResult",
    "add_feed",
    "add_listed",
    "check_feed",
    "choose",
    "chosen_items",
    "get_feed",
    "get_item",
    "list_feeds",
    "list_items",
    "plain_text",
    "poll_all",
    "poll_feed",
    "read_entries",
    "read_feed_list",
    "recent_items",
    "remove_feed",
    "set_active",
    "unchoose",
    "web_address",
]
