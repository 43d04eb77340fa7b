"""The kinds of briefing, their house style, and the checks a briefing must pass.

Every channel (files, web form, CLI) validates through `check`, so an author sees the same
plain-English problems wherever they write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.domain.briefings.markup import images_in, links_in, safe_link, sections
from bot.errors import InvalidInputError


@dataclass(frozen=True)
class Kind:
    """A kind's name in the house style, its accent colour and the sections it must have."""

    label: str
    colour: str
    required: tuple[str, ...] = ()
    suggested: tuple[str, ...] = ()


KINDS: dict[str, Kind] = {
    "learning_lessons": Kind(
        "Learning Lessons Briefing",
        "#1d3f6e",
        required=("Key learning",),
        suggested=("Background", "Key learning", "Points for practice"),
    ),
    "audit": Kind(
        "Audit briefing note",
        "#005a30",
        suggested=("What we looked at", "What we found", "What happens next"),
    ),
    "bulletin": Kind("Forum bulletin", "#6f3c8e"),
    "practice_update": Kind(
        "Practice update", "#a33b00", suggested=("What has changed", "What to do")
    ),
}

MAX_TITLE = 300
MAX_SUMMARY = 1_000
MAX_BODY = 50_000
SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Draft:
    """A briefing's content as an author gives it, before it is stored."""

    kind: str
    title: str
    body: str
    summary: str = ""
    report_url: str | None = None
    webinar_url: str | None = None
    topics: tuple[str, ...] = field(default_factory=tuple)


def slugify(text: str) -> str:
    """Lower-case words joined by hyphens; never all digits, which would read as an id."""
    slug = SLUG.sub("-", text.lower()).strip("-")[:120]
    return f"briefing-{slug}" if slug.isdigit() else slug


def kind_of(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        allowed = ", ".join(KINDS)
        raise InvalidInputError(
            f"Unknown kind of briefing {name!r}: use one of {allowed}.", field="kind"
        ) from None


def _url(value: str | None, label: str, name: str) -> None:
    if value and not (safe_link(value) and not value.startswith("mailto:")):
        raise InvalidInputError(
            f"The {label} link {value!r} is not a web address: it must start with "
            "https:// (or http://).",
            field=name,
        )


def _lengths(draft: Draft) -> None:
    for value, limit, label, name in (
        (draft.title, MAX_TITLE, "title", "title"),
        (draft.summary, MAX_SUMMARY, "summary", "summary"),
        (draft.body, MAX_BODY, "text", "body"),
    ):
        if len(value) > limit:
            raise InvalidInputError(
                f"The {label} is too long ({len(value)} characters; at most {limit}).",
                field=name,
            )


def _required(draft: Draft, kind: Kind) -> None:
    headings = [s.heading.lower() for s in sections(draft.body)]
    for needed in kind.required:
        if not any(h.startswith(needed.lower()) for h in headings):
            raise InvalidInputError(
                f"A {kind.label} needs a section headed '## {needed}'.", field="body"
            )


def _links(draft: Draft) -> None:
    for href in links_in(draft.body):
        if not safe_link(href):
            raise InvalidInputError(
                f"The link {href!r} in the text is not allowed: links must start with "
                "https://, http:// or mailto:.",
                field="body",
            )


def _images(draft: Draft) -> None:
    found = images_in(draft.body)
    if found:
        raise InvalidInputError(
            f"Pictures cannot go in a briefing (the picture at {found[0]!r}): emails must "
            "not load anything from elsewhere. Take out the ![...](...) and link to the "
            "picture instead, like [Chart of referrals](https://...).",
            field="body",
        )


def check(draft: Draft, topics: tuple[str, ...] = ()) -> Draft:
    """The draft, tidied, or the first problem with it in plain English.

    Args:
        topics: The partnership's topics; when given, a briefing's topics must be among them.
    """
    kind = kind_of(draft.kind)
    tidy = Draft(
        kind=draft.kind,
        title=" ".join(draft.title.split()),
        body=draft.body.replace("\r\n", "\n").strip(),
        summary=draft.summary.replace("\r\n", "\n").strip(),
        report_url=(draft.report_url or "").strip() or None,
        webinar_url=(draft.webinar_url or "").strip() or None,
        topics=tuple(t.strip() for t in draft.topics if t.strip()),
    )
    if not tidy.title:
        raise InvalidInputError("The briefing has no title.", field="title")
    _lengths(tidy)
    _required(tidy, kind)
    _images(tidy)  # first: with images off, `![..](..)` reads as "!" and a link
    _links(tidy)
    _url(tidy.report_url, "report", "report_url")
    _url(tidy.webinar_url, "webinar", "webinar_url")
    unknown = [t for t in tidy.topics if topics and t not in topics]
    if unknown:
        raise InvalidInputError(
            f"Unknown topic {unknown[0]!r}: use one of {', '.join(topics)}.",
            field="topics",
        )
    return tidy
