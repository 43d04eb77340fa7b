"""Learning briefings: Learning Lessons Briefings, audit notes, bulletins, practice updates.

Authored as Markdown (files with front matter, or the web admin form), approved by a second
person, published once to Slack and by email, and kept in the public archive and RSS feed.
"""

from bot.domain.briefings.files import ImportResult, import_folder
from bot.domain.briefings.kinds import KINDS, Draft, check
from bot.domain.briefings.publishing import Published, preview, publish
from bot.domain.briefings.records import (
    APPROVED,
    DRAFT,
    PUBLISHED,
    WITHDRAWN,
    approve,
    create,
    edit,
    get_briefing,
    list_briefings,
    published_between,
    withdraw,
)

__all__ = [
    "APPROVED",
    "DRAFT",
    "KINDS",
    "PUBLISHED",
    "WITHDRAWN",
    "Draft",
    "ImportResult",
    "Published",
    "approve",
    "check",
    "create",
    "edit",
    "get_briefing",
    "import_folder",
    "list_briefings",
    "preview",
    "publish",
    "published_between",
    "withdraw",
]
