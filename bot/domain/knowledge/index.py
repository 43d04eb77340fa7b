"""BM25 retrieval over passages (bm25s), with abbreviations, synonyms and typo correction."""

from __future__ import annotations

from dataclasses import dataclass, field

import bm25s
import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.domain.knowledge.terms import STOP_WORDS, Terms, words

SYNONYM_WEIGHT = 0.35  # a synonym match counts for about a third of the word itself


@dataclass(frozen=True)
class Entry:
    """A passage as the index holds it."""

    id: int
    document: str
    title: str
    section: str
    text: str
    source_url: str | None = None


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float
    coverage: float  # share of the question's own words found in the passage


@dataclass
class KnowledgeIndex:
    entries: list[Entry]
    terms: Terms
    _bm25: bm25s.BM25 = field(init=False)
    _tokens: list[set[str]] = field(init=False)
    _vocabulary: list[str] = field(init=False)
    _known: set[str] = field(init=False)

    def __post_init__(self) -> None:
        corpus = [
            self.terms.index_tokens(f"{e.section}. {e.text}") for e in self.entries
        ]
        self._tokens = [set(tokens) for tokens in corpus]
        self._known = set().union(*self._tokens) if corpus else set()
        self._vocabulary = sorted(
            {w for e in self.entries for w in words(e.text) if len(w) > 3}
        )
        self._bm25 = bm25s.BM25()
        if corpus:
            self._bm25.index(corpus, show_progress=False)

    def _corrected(self, question: str) -> list[str]:
        """The question's words, with a misspelt word replaced by the nearest word of the corpus."""
        fixed = []
        for word in words(question):
            if (
                word in STOP_WORDS
                or len(word) <= 3
                or self.terms.stem([word])[0] in self._known
            ):
                fixed.append(word)
                continue
            match = process.extractOne(
                word,
                self._vocabulary,
                scorer=Levenshtein.normalized_similarity,
                score_cutoff=0.8,
            )
            fixed.append(match[0] if match else word)
        return fixed

    def _scores(self, tokens: list[str]) -> np.ndarray:
        known = [t for t in tokens if t in self._known]
        if not known:
            return np.zeros(len(self.entries))
        return np.asarray(self._bm25.get_scores(known), dtype=float)

    def search(self, question: str, k: int = 3) -> list[Hit]:
        """The best `k` passages for a question, best first."""
        if not self.entries:
            return []
        text = " ".join(self._corrected(question))
        own = self.terms.index_tokens(text)
        wider = [t for t in self.terms.query_tokens(text) if t not in own]
        scores = self._scores(own) + SYNONYM_WEIGHT * self._scores(wider)
        wanted = set(own)
        hits: list[Hit] = []
        chosen: list[int] = []
        for i in np.argsort(-scores)[: k * 4]:
            if scores[i] <= 0 or len(hits) == k:
                break
            if any(self._overlapping(int(i), j) for j in chosen):
                continue  # the next window of a passage already chosen says little new
            share = len(wanted & self._tokens[i]) / len(wanted) if wanted else 0.0
            hits.append(Hit(self.entries[i], float(scores[i]), share))
            chosen.append(int(i))
        return hits

    def _overlapping(self, i: int, j: int) -> bool:
        a, b = self.entries[i], self.entries[j]
        return a.document == b.document and abs(i - j) == 1 and a.section == b.section

    def known_share(self, question: str) -> float:
        """How much of a question the documents could speak to: its words found anywhere in them."""
        own = set(self.terms.index_tokens(" ".join(self._corrected(question))))
        return len(own & self._known) / len(own) if own else 0.0
