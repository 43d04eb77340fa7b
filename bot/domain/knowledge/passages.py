"""Cleaning text extracted from PDFs and cutting it into passages under their section headings.

PDF text arrives with lines broken mid-sentence, words hyphenated across lines, page numbers
and running headers repeated on every page, and tables flattened into short lines. We drop
the furniture, rejoin paragraphs, recognise headings, and cut each section into overlapping
windows of whole sentences, so an answer is a few sentences that stand on their own.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

WINDOW_WORDS = 200
STRIDE_WORDS = 100
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'(•-])")
_PAGE_NUMBER = re.compile(r"^(page\s+)?\d{1,3}(\s+of\s+\d{1,3})?$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*([-•▪●◦*]|\d{1,2}[.)]|[a-z][.)])\s+")
_NOISE = re.compile(r"\*\*|<\/?u>|\[\d+\]")


@dataclass(frozen=True)
class Passage:
    section: str
    position: int
    text: str


def _furniture(lines: list[str]) -> set[str]:
    """Short lines repeated on many pages: running headers and footers."""
    counts = Counter(line for line in lines if 0 < len(line) <= 80)
    return {line for line, n in counts.items() if n >= 4}


def _is_heading(block: str) -> bool:
    words = block.split()
    if not 1 <= len(words) <= 10 or len(block) > 90:
        return False
    if block.endswith((".", ",", ";", ":", "?")) or not block[:1].isalnum():
        return False
    capitalised = sum(w[:1].isupper() or w[:1].isdigit() for w in words)
    return block[:1].isupper() or block[:1].isdigit() and capitalised >= len(words) / 2


def _join(lines: list[str]) -> str:
    text = ""
    for line in lines:
        if (
            text.endswith("-") and line[:1].islower()
        ):  # "Multi-" + "agency": joined, keeping the hyphen
            text += line
        else:
            text = f"{text} {line}" if text else line
    return text


def blocks(text: str) -> list[str]:
    """Paragraphs and headings, with page furniture gone and broken lines rejoined."""
    lines = [
        _NOISE.sub("", line).strip() for line in text.replace("\r", "").split("\n")
    ]
    furniture = _furniture(lines)
    found: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if not line or line in furniture or _PAGE_NUMBER.match(line):
            if current:
                found.append(_join(current))
                current = []
            continue
        if current and _BULLET.match(line):  # a list item starts a new block
            found.append(_join(current))
            current = []
        current.append(line)
    return [" ".join(b.split()) for b in found if b.strip()]


def sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]


def split_passages(text: str, title: str) -> list[Passage]:
    """Overlapping windows of sentences, each labelled with the heading it falls under."""
    passages: list[Passage] = []
    section, pending = title, list[str]()
    headed = body = False  # a heading seen; text under the current section
    for block in blocks(text):
        if not _is_heading(block):
            pending += sentences(block)
            body = True
            continue
        if body:
            passages += _windows(section, pending, len(passages))
            pending = []
        elif headed:
            # A heading with nothing under it (a flattened table row, a figure, a list of
            # names) is kept as text of the next section rather than lost.
            pending.append(section)
        section, headed, body = block, True, False
    if headed and not body:
        pending.append(section)
    passages += _windows(section, pending, len(passages))
    return passages


def _windows(section: str, items: list[str], start: int) -> list[Passage]:
    if not items:
        return []
    found: list[Passage] = []
    i = 0
    while i < len(items):
        words, j = 0, i
        while j < len(items) and (words < WINDOW_WORDS or j == i):
            words += len(items[j].split())
            j += 1
        found.append(Passage(section, start + len(found), " ".join(items[i:j])))
        if j >= len(items):
            break
        advance, k = 0, i
        while k < j - 1 and advance < STRIDE_WORDS:
            advance += len(items[k].split())
            k += 1
        i = max(k, i + 1)
    return found
