"""Keeping signed links out of the web server's access log.

A signed link's token decodes to the member it was sent to (itsdangerous signs, it does
not encrypt), so an access line such as `POST /surveys/TOKEN` would record who answered an
anonymous survey, and when. The access log stays useful (method, path shape, status) with
the token replaced by `[link]`.
"""

from __future__ import annotations

import logging
import re

# The first path segment of every page reached through a signed link.
LINK_PATHS = (
    "answers",
    "c",
    "confirm",
    "feedback",
    "forum",
    "preferences",
    "rsvp",
    "sign-in",
    "surveys",
    "tickets",
    "unsubscribe",
    "vote",
)
_PREFIXES = "|".join(map(re.escape, LINK_PATHS))
_AFTER_PREFIX = re.compile(rf"^(/(?:{_PREFIXES})/)[^/?#]+")
# Anything else shaped like a signed token (long, dotted base64), in a path or a query.
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-.]{16,}")
REDACTED = "[link]"


def redact_path(path: str) -> str:
    """`path` (with any query string) with signed-link tokens replaced by `[link]`."""
    return _TOKEN_LIKE.sub(REDACTED, _AFTER_PREFIX.sub(rf"\g<1>{REDACTED}", path))


class RedactLinks(logging.Filter):
    """Rewrites uvicorn's access records, whose arguments are (client, method, path,
    http version, status), so the path carries no token; other records pass unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


def redact_access_log(logger_name: str = "uvicorn.access") -> None:
    """Install the filter on the access logger (once, however often this is called)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactLinks) for f in logger.filters):
        logger.addFilter(RedactLinks())
