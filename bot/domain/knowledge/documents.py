"""Reading documents of several formats into plain text with their metadata (pure: bytes in)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePath
from typing import ClassVar

import frontmatter
from pypdf import PdfReader

from bot.errors import InvalidInputError

SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf")
_HEADING_MD = re.compile(r"^#{1,6}\s+")


@dataclass(frozen=True)
class SourceDocument:
    name: str
    title: str
    text: str
    source_url: str | None = None
    owner: str | None = None
    review_date: str | None = None


def parse_document(name: str, data: bytes) -> SourceDocument:
    """A document from a file's name and bytes.

    Raises:
        InvalidInputError: The format is not supported or the file cannot be read.
    """
    suffix = PurePath(name).suffix.lower()
    if suffix in (".md", ".markdown"):
        return _markdown(name, data)
    if suffix in (".html", ".htm"):
        return _html(name, data)
    if suffix == ".pdf":
        return _pdf(name, data)
    if suffix == ".txt":
        text = data.decode("utf-8", errors="replace")
        return SourceDocument(name=name, title=guess_title(text, name), text=text)
    raise InvalidInputError(f"{name}: not a supported format ({', '.join(SUFFIXES)})")


def _markdown(name: str, data: bytes) -> SourceDocument:
    post = frontmatter.loads(data.decode("utf-8", errors="replace"))
    meta = {k: str(v) for k, v in post.metadata.items() if v is not None}
    # A Markdown heading ("## Escalation") becomes a plain heading line, as in PDF text.
    body = "\n".join(
        _HEADING_MD.sub("\n", line) + ("\n" if _HEADING_MD.match(line) else "")
        for line in post.content.splitlines()
    )
    return SourceDocument(
        name=name,
        title=meta.get("title") or guess_title(post.content, name),
        text=body,
        source_url=meta.get("source_url") or meta.get("url"),
        owner=meta.get("owner"),
        review_date=meta.get("review_date"),
    )


class _TextOfHtml(HTMLParser):
    BLOCKS: ClassVar[set[str]] = {
        "p",
        "div",
        "li",
        "br",
        "tr",
        "section",
        "article",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "title",
    }
    SKIP: ClassVar[set[str]] = {"script", "style", "nav", "footer", "head"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP and tag != "head":
            self._skip += 1
        self._in_title = tag == "title"
        if tag in self.BLOCKS:
            self.parts.append("\n\n" if tag.startswith("h") else "\n")
        if tag == "li":  # a list item, not a heading, however short
            self.parts.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and tag != "head" and self._skip:
            self._skip -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n\n" if tag.startswith("h") else "\n")
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)


def _html(name: str, data: bytes) -> SourceDocument:
    parser = _TextOfHtml()
    parser.feed(data.decode("utf-8", errors="replace"))
    text = "".join(parser.parts)
    return SourceDocument(
        name=name, title=parser.title.strip() or guess_title(text, name), text=text
    )


def _pdf(name: str, data: bytes) -> SourceDocument:
    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n\n".join(page.extract_text() or "" for page in reader.pages)
        title = str(reader.metadata.title or "") if reader.metadata else ""
    except Exception as error:  # noqa: BLE001  (pypdf raises many kinds of error on damaged files)
        raise InvalidInputError(
            f"{name}: cannot read this PDF ({type(error).__name__})"
        ) from None
    return SourceDocument(
        name=name, title=title.strip() or guess_title(text, name), text=text
    )


def guess_title(text: str, name: str) -> str:
    """The first line that looks like a title (4 to 14 words, mostly capitalised, not a sentence)."""
    for raw in text.splitlines()[:60]:
        line = " ".join(raw.replace("*", "").replace("#", "").split())
        words = line.split()
        if (
            not 4 <= len(words) <= 14
            or ". " in line
            or line.endswith((".", ",", ";", ":"))
        ):
            continue
        capitalised = sum(
            w[:1].isupper() or w[:1].isdigit() for w in words if len(w) > 3
        )
        if capitalised >= 0.7 * sum(len(w) > 3 for w in words):
            return line
    return PurePath(name).stem.replace("_", " ").replace("-", " ")
