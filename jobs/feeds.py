"""Feed jobs: poll the configured RSS and Atom feeds for new items."""

import logging

from bot.domain import feeds
from bot.runtime import current_services

log = logging.getLogger(__name__)


async def poll_feeds() -> dict[str, int]:
    """Poll every active feed once. A broken feed is logged and recorded on the feed, and
    the others are still polled; safe to re-run (items are stored once)."""
    services = current_services()
    results = await feeds.poll_all(
        services.sessions,
        services.feeds,
        time_limit=services.settings.feeds_timeout_seconds,
        now=services.clock.now(),
    )
    new = sum(r.new_items for r in results)
    failed = sum(1 for r in results if r.error)
    if new or failed:
        log.info("poll-feeds: %d new items, %d feeds failed", new, failed)
    return {"feeds": len(results), "new_items": new, "failed": failed}
