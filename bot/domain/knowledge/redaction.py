"""The personal data guard: the bot must never become a store of case details about a child.

A question that seems to identify a child or family (a name with an age, a date of birth, an
address or postcode, an NHS number, a phone number) is stored only with those details
replaced, and the asker is reminded of the information-sharing rules. The procedural part
of the question is still answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = r"[A-Z][a-z]+(?:[- ][A-Z][a-z]+)?"
_AGE = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen)"
_YEARS = r"(?:\s*(?:years?|yrs?|months?)\b(?:[- ]old)?)"
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("NHS number", re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b")),
    ("phone number", re.compile(r"(?:\+44\s?|\b0)(?:\d[\s-]?){9,10}\b")),
    (
        "date of birth",
        re.compile(
            r"\b(?:born|dob|d\.o\.b\.?|date of birth)\b[:\s]*(?:on\s+)?[\w/.,\- ]{4,20}?\d{2,4}\b(?![/.-]\d)"
            r"|\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}\b",
            re.IGNORECASE,
        ),
    ),
    ("postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)),
    (
        "address",
        re.compile(
            r"\b\d{1,4}[a-z]?\s+(?:[A-Z][a-z]+\s){1,3}(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|"
            r"Way|Grove|Crescent|Court|Place|Gardens|Terrace|Walk|Hill|Square)\b"
        ),
    ),
    (
        "name and age",
        re.compile(
            # "Jack, 7" / "Jack (aged 7)"; "Jack aged 7" / "Jack who is 7"; "Jack is 7 years old";
            # "7-year-old Jack". A capitalised word and a bare number ("Section 11", "Year 7",
            # "Priority 2", "March 2024") is not a child's name and age.
            rf"\b{_NAME}\s*[,(]\s*(?:aged?\s+)?{_AGE}\b{_YEARS}?(?:\s*\))?"
            rf"|\b{_NAME}\s+(?:aged?|who is)\s+{_AGE}\b{_YEARS}?"
            rf"|\b{_NAME}\s+(?:is\s+)?{_AGE}\s*(?:years?|yrs?|months?)\b(?:[- ]old)?"
            rf"|\b{_AGE}[- ](?:year|month)[- ]old\s+(?:called\s+|named\s+)?{_NAME}\b"
        ),
    ),
    (
        "name",
        re.compile(
            rf"\b(?:called|named|name is|child is|pupil is|boy|girl)\s+{_NAME}\b"
        ),
    ),
]
_PLACEHOLDER = re.compile("|".join(re.escape(f"[{label}]") for label, _ in PATTERNS))
REMINDER = (
    "Please do not share details that could identify a child or family (names with ages, dates "
    "of birth, addresses, NHS numbers) with this bot. Share them only through your agency's "
    "secure channels, as the information-sharing rules require. I have kept your question "
    "without those details."
)


@dataclass(frozen=True)
class Redacted:
    text: str
    found: tuple[str, ...]

    @property
    def identifying(self) -> bool:
        return bool(self.found)

    @property
    def searchable(self) -> str:
        """The redacted text without its placeholders: their words ("name", "postcode") are
        not what the asker wants to know about, and would make retrieval look unsure."""
        return " ".join(_PLACEHOLDER.sub(" ", self.text).split())


def redact(text: str) -> Redacted:
    """The text with identifying details replaced by [what they were], and what was found."""
    found: list[str] = []
    for label, pattern in PATTERNS:
        text, count = pattern.subn(f"[{label}]", text)
        if count:
            found.append(label)
    return Redacted(text, tuple(found))
