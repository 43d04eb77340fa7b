"""Briefing Markdown made safe: HTML for email and the web, mrkdwn for Slack, plain text.

Raw HTML typed into Markdown is shown as text, never passed through; links go only to
http(s) and mailto addresses; images are off (no external resources in email). The body is
split into sections at `#`/`##` headings so every rendering can show them its own way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from bot.domain.blockkit import escape as mrkdwn_escape

SAFE_SCHEMES = ("http", "https", "mailto")
HEADING = re.compile(r"^#{1,2}[ \t]+(.+?)[ \t#]*$")


def safe_link(url: str) -> bool:
    """An absolute http(s) address with a host, or a mailto address."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() == "mailto":
        return bool(parts.path)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _parser(validate: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False})
    md.disable("image")
    check: Callable[[str], bool] = safe_link if validate else _any
    md.validateLink = check  # type: ignore[method-assign,assignment]
    return md


def _any(_url: str) -> bool:
    return True


SAFE = _parser(validate=True)
LOOSE = _parser(
    validate=False
)  # only to find every link an author wrote, to report bad ones


@dataclass(frozen=True)
class Section:
    heading: str  # "" for text before the first heading
    markdown: str

    @property
    def html(self) -> Markup:
        """Safe HTML: the parser escapes all text, so marking its output safe is sound."""
        return Markup(SAFE.render(self.markdown))

    @property
    def mrkdwn(self) -> str:
        return to_mrkdwn(self.markdown)

    @property
    def text(self) -> str:
        return self.markdown.strip()


def sections(body: str) -> list[Section]:
    """The body split at top-level headings; empty sections are dropped."""
    found: list[tuple[str, list[str]]] = [("", [])]
    fenced = False
    for line in body.replace("\r\n", "\n").split("\n"):
        fenced = fenced != line.lstrip().startswith("```")
        heading = None if fenced else HEADING.match(line)
        if heading:
            found.append((heading.group(1).strip(), []))
        else:
            found[-1][1].append(line)
    return [
        Section(title, "\n".join(lines).strip())
        for title, lines in found
        if title or "\n".join(lines).strip()
    ]


def links_in(markdown: str) -> list[str]:
    """Every link target written in the Markdown, safe or not."""
    return [
        str(child.attrGet("href") or "")
        for token in LOOSE.parse(markdown)
        for child in token.children or []
        if child.type == "link_open"
    ]


def images_in(markdown: str) -> list[str]:
    """Every image (`![alt](url)`) written in the Markdown, by its address: the rendering
    parsers have images off, so an author must be told rather than see `!` and a link."""
    pictures = MarkdownIt("commonmark", {"html": False})
    pictures.validateLink = _any  # type: ignore[method-assign,assignment]
    return [
        str(child.attrGet("src") or "")
        for token in pictures.parse(markdown)
        for child in token.children or []
        if child.type == "image"
    ]


def to_html(markdown: str) -> Markup:
    return Markup(SAFE.render(markdown))


INLINE = {
    "strong_open": "*",
    "strong_close": "*",
    "em_open": "_",
    "em_close": "_",
    "softbreak": "\n",
    "hardbreak": "\n",
}


def _inline(children: Iterable[Token]) -> str:
    """Inline tokens as mrkdwn: text escaped, links as <url|text> (safe ones only)."""
    out: list[str] = []
    href: str | None = None
    label: list[str] = []
    for child in children:
        if child.type == "link_open":
            href, label = str(child.attrGet("href") or ""), []
        elif child.type == "link_close" and href is not None:
            shown = "".join(label) or href
            out.append(f"<{mrkdwn_escape(href)}|{shown.replace('|', '¦')}>")
            href = None
        else:
            piece = _piece(child)
            (label if href is not None else out).append(piece)
    return "".join(out)


def _piece(child: Token) -> str:
    if child.type in ("text", "html_inline"):
        return mrkdwn_escape(child.content)
    if child.type == "code_inline":
        return f"`{mrkdwn_escape(child.content)}`"
    return INLINE.get(child.type, "")


def to_mrkdwn(markdown: str) -> str:
    """Slack mrkdwn from Markdown: paragraphs, bullet and numbered lists, emphasis, links."""
    lines: list[str] = []
    numbers: list[int | None] = []
    for token in SAFE.parse(markdown):
        if token.type == "bullet_list_open":
            numbers.append(None)
        elif token.type == "ordered_list_open":
            numbers.append(0)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            numbers.pop()
        elif token.type == "list_item_open" and numbers:
            if numbers[-1] is not None:
                numbers[-1] += 1
            lines.append("  " * (len(numbers) - 1) + _marker(numbers[-1]))
        elif token.type == "inline":
            _add_inline(lines, _inline(token.children or []))
        elif token.type in ("fence", "code_block"):
            lines.append(f"```{mrkdwn_escape(token.content.rstrip())}```")
        elif token.type == "heading_open":
            lines.append("*")
        elif token.type == "heading_close":
            lines[-1] += "*"
    return "\n".join(line for line in lines).strip()


def _marker(number: int | None) -> str:
    return "• " if number is None else f"{number}. "


def _add_inline(lines: list[str], text: str) -> None:
    """Join text to a pending list marker or heading star, else start a new line."""
    if lines and lines[-1].rstrip().endswith(("•", ".", "*")) and _pending(lines[-1]):
        lines[-1] += text
    else:
        lines.append(text)


def _pending(line: str) -> bool:
    stripped = line.strip()
    return stripped in ("•", "*") or bool(re.fullmatch(r"\d+\.", stripped))
