"""Replies to questions: triage first, then quotes from the best passages, or an honest handoff.

Nothing here generates text about procedures: an answer is the partnership's own words,
quoted, with where they come from. When retrieval is not confident the bot says so and
offers to pass the question on.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.knowledge.index import Hit, KnowledgeIndex
from bot.domain.knowledge.passages import sentences
from bot.domain.knowledge.redaction import REMINDER, Redacted, redact
from bot.domain.knowledge.terms import Terms
from bot.domain.knowledge.triage import is_urgent

ANSWER, URGENT, HANDOFF = "answer", "urgent", "handoff"
MIN_SCORE = 3.0  # BM25 score of the best passage below which we do not trust it
# Share of the question's words the best passage must hold (itself or a synonym). At 0.4 too
# many questions the documents do not answer got a quote beside the point (bench qa, handoff
# recall over all splits 0.86 -> 0.95; the blind heldout8 0.73 -> 1.0); the price, a few
# answerable questions handed off (0.97 -> 0.91 answered), is the safer mistake.
MIN_COVERAGE = 0.6
MIN_KNOWN = 0.75  # share of the question's words the documents must contain at all
QUOTE_CHARS = 420


@dataclass(frozen=True)
class Source:
    """One retrieved passage. `excerpt` is the whole passage, the unit retrieval ranks and the
    evaluation contract reports; `quote` is the few sentences of it that a reply quotes."""

    document: str
    title: str
    section: str
    excerpt: str
    score: float
    url: str | None = None
    quote: str = ""


@dataclass(frozen=True)
class Answer:
    kind: str
    text: str
    sources: tuple[Source, ...]
    redacted: Redacted

    def as_dict(self) -> dict[str, object]:
        """The evaluation contract: kind, text and sources, best first."""
        return {
            "kind": self.kind,
            "text": self.text,
            "sources": [
                {
                    "document": s.document,
                    "title": s.title,
                    "section": s.section,
                    "excerpt": s.excerpt,
                    "score": round(s.score, 3),
                }
                for s in self.sources
            ],
        }


@dataclass(frozen=True)
class Wording:
    """The partnership's contacts, as lines to put in replies."""

    urgent: str
    team: str


def quote(hit: Hit, terms: Terms, question: str) -> str:
    """The sentences of a passage that speak most to the question, at most ~420 characters."""
    wanted = set(terms.index_tokens(question))
    parts = sentences(hit.entry.text) or [hit.entry.text]
    best = max(
        range(len(parts)), key=lambda i: len(wanted & set(terms.index_tokens(parts[i])))
    )
    chosen, start = [parts[best]], best
    while sum(map(len, chosen)) < QUOTE_CHARS - 120 and start + len(chosen) < len(
        parts
    ):
        chosen.append(parts[start + len(chosen)])
    text = " ".join(chosen)
    return (
        text
        if len(text) <= QUOTE_CHARS
        else text[: QUOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    )


def _confident(index: KnowledgeIndex, hits: list[Hit], question: str) -> bool:
    return (
        bool(hits)
        and hits[0].score >= MIN_SCORE
        and hits[0].coverage >= MIN_COVERAGE
        and (index.known_share(question) >= MIN_KNOWN)
    )


def _where(s: Source) -> str:
    where = (
        f"{s.title}, “{s.section}”" if s.section and s.section != s.title else s.title
    )
    return f"{where}{', ' + s.url if s.url else ''}"


def _quotes(sources: tuple[Source, ...]) -> str:
    lines = ["Here is what the partnership's documents say:"]
    lines += [f"• “{s.quote}” ({_where(s)})" for s in sources[:2]]
    return "\n".join(lines)


def _handoff(team: str) -> str:
    return (
        "I could not find a clear answer to that in the partnership's documents, and I would rather "
        f"not guess. I can pass your question to {team}, who will reply to you."
    )


def answer_question(index: KnowledgeIndex, question: str, wording: Wording) -> Answer:
    """The reply to one question, with its kind: answer, urgent or handoff."""
    redacted = redact(question)
    query = redacted.searchable
    hits = index.search(query, k=3)
    sources = tuple(
        Source(
            h.entry.document,
            h.entry.title,
            h.entry.section,
            h.entry.text,
            h.score,
            url=h.entry.source_url,
            quote=quote(h, index.terms, query),
        )
        for h in hits
    )
    in_scope = not index.terms.scope.out_of_scope(query)
    confident = in_scope and _confident(index, hits, query)
    if is_urgent(question):
        kind = URGENT
        body = f"{wording.urgent}\n\nThen follow your agency's safeguarding procedure and tell your designated safeguarding lead."
        if confident:
            body += "\n\n" + _quotes(sources)
    elif confident:
        kind, body = ANSWER, _quotes(sources)
    else:
        kind, body = HANDOFF, _handoff(wording.team)
    if redacted.identifying:
        body = f"{REMINDER}\n\n{body}"
    # A handoff still lists what retrieval found (best first), but its text quotes none of it.
    return Answer(kind, body, sources, redacted)
