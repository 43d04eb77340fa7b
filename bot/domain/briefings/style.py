"""The house style of a briefing, shared by every rendering: email, Slack, web and print.

`facts` is the one view of a briefing the templates read; `slack_blocks` builds the Slack
post on the domain side (it is queued through the outbox). `OnceRenderer` renders an email
once with placeholders and only fills in each member's name and links, so a briefing to
thousands of members is not thousands of template renders and CSS inlinings.
"""

from __future__ import annotations

from typing import Any

from markupsafe import escape

from bot.domain.blockkit import Block
from bot.domain.blockkit import escape as mrkdwn_escape
from bot.domain.briefings.kinds import kind_of
from bot.domain.briefings.markup import sections, to_html, to_mrkdwn
from bot.domain.chat import MAX_TEXT, clip
from bot.domain.outgoing import EmailRenderer
from bot.rendering import Rendered
from bot.store.tables import Briefing

TEMPLATE = "briefing"
PERSONAL = ("recipient_name", "unsubscribe_url", "preferences_url")
BLANK = {"recipient_name": "forum member"}  # as the templates say when a field is empty


def page_url(base_url: str, row: Briefing) -> str:
    return f"{base_url.rstrip('/')}/briefings/{row.slug}"


def facts(row: Briefing, base_url: str) -> dict[str, Any]:
    """What every template shows: kind label and colour, summary, sections, links."""
    kind = kind_of(row.kind)
    return {
        "briefing": row,
        "kind_label": kind.label,
        "colour": kind.colour,
        "summary_html": to_html(row.summary) if row.summary else "",
        "sections": sections(row.body),
        "page_url": page_url(base_url, row),
        "print_url": page_url(base_url, row) + "/print",
    }


def fallback_text(row: Briefing) -> str:
    return f"{kind_of(row.kind).label}: {row.title}"


def _links(row: Briefing, base_url: str) -> str:
    pairs = [
        (row.report_url, "Read the full report"),
        (row.webinar_url, "Watch the webinar"),
        (page_url(base_url, row), "Read it on the web or print it"),
    ]
    return " · ".join(f"<{mrkdwn_escape(url)}|{label}>" for url, label in pairs if url)


def slack_blocks(row: Briefing, base_url: str) -> list[Block]:
    """Header, summary, one section per heading, then the links."""
    kind = kind_of(row.kind)
    blocks: list[Block] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": clip(row.title, 150)},
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": kind.label}]},
    ]
    if row.summary:
        blocks.append(_section(to_mrkdwn(row.summary)))
    for part in sections(row.body):
        heading = f"*{mrkdwn_escape(part.heading)}*\n" if part.heading else ""
        blocks.append(_section(heading + part.mrkdwn))
    blocks += [{"type": "divider"}, _section(_links(row, base_url))]
    return blocks


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_TEXT)}}


class OnceRenderer:
    """An EmailRenderer for one briefing: the first render uses placeholders for the
    personal fields; every render after that only substitutes them (escaped for HTML)."""

    def __init__(self, renderer: EmailRenderer) -> None:
        self._renderer = renderer
        self._base: dict[str, Rendered] = {}

    def render_email(self, name: str, context: dict[str, Any]) -> Rendered:
        if name not in self._base:
            marked = {**context, **{k: _mark(k) for k in PERSONAL}}
            self._base[name] = self._renderer.render_email(name, marked)
        base = self._base[name]
        html, text = base.html, base.text
        for key in PERSONAL:
            value = str(context.get(key) or BLANK.get(key, ""))
            html = html.replace(_mark(key), str(escape(value)))
            text = text.replace(_mark(key), value)
        return Rendered(subject=base.subject, text=text, html=html)


def _mark(key: str) -> str:
    return f"PERSONAL0{key.replace('_', '0')}0MARK"
