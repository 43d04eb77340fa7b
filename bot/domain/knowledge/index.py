"""BM25 retrieval over passages (bm25s), with abbreviations, synonyms and typo correction.

A passage scores on the question's own words (section heading included), on synonyms at a
third of the weight, and on adjacent word pairs ("executive board", "rapid review"), which
rank a passage that uses the question's phrase above one that has its words scattered. Of
near-identical passages (a report reproduced inside another) only the best is returned.
Each measure was kept because it won on the development questions; see `bench qa`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import bm25s
import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.domain.knowledge.terms import STOP_WORDS, Terms, words

SYNONYM_WEIGHT = 0.35  # a synonym match counts for about a third of the word itself
# A pair of the question's words side by side counts about three quarters as much again.
PAIR_WEIGHT = 0.75
# b near 1: a long window (a flattened table) is not favoured for its length; k1 below the
# usual 1.2: a word repeated down a flattened table soon stops adding to the score.
K1, B = 0.9, 0.9
SAME_TEXT = 0.7  # word overlap (Jaccard) above which two passages say the same thing


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
    # share of the question's own words found in the passage, itself or by a synonym
    coverage: float


def _bm25(corpus: list[list[str]]) -> bm25s.BM25:
    model = bm25s.BM25(k1=K1, b=B)
    if corpus:
        model.index(corpus, show_progress=False)
    return model


@dataclass
class KnowledgeIndex:
    entries: list[Entry]
    terms: Terms
    _bm25: bm25s.BM25 = field(init=False)
    _pair_bm25: bm25s.BM25 = field(init=False)
    _tokens: list[set[str]] = field(init=False)
    _vocabulary: list[str] = field(init=False)
    _known: set[str] = field(init=False)
    _known_pairs: set[str] = field(init=False)

    def __post_init__(self) -> None:
        corpus = [
            self.terms.index_tokens(f"{e.section}. {e.text}") for e in self.entries
        ]
        pairs = [self.terms.pairs(e.text) for e in self.entries]
        self._tokens = [set(tokens) for tokens in corpus]
        self._known = set().union(*self._tokens) if corpus else set()
        self._known_pairs = {p for found in pairs for p in found}
        self._vocabulary = sorted(
            {w for e in self.entries for w in words(e.text) if len(w) > 3}
        )
        self._bm25, self._pair_bm25 = _bm25(corpus), _bm25(pairs)

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

    def _scores(
        self, model: bm25s.BM25, tokens: list[str], known: set[str]
    ) -> np.ndarray:
        present = [t for t in tokens if t in known]
        if not present:
            return np.zeros(len(self.entries))
        return np.asarray(model.get_scores(present), dtype=float)

    def search(self, question: str, k: int = 3) -> list[Hit]:
        """The best `k` passages for a question, best first."""
        if not self.entries:
            return []
        text = " ".join(self._corrected(question))
        own = self.terms.index_tokens(text)
        wider = [t for t in self.terms.query_tokens(text) if t not in own]
        scores = (
            self._scores(self._bm25, own, self._known)
            + SYNONYM_WEIGHT * self._scores(self._bm25, wider, self._known)
            + PAIR_WEIGHT
            * self._scores(self._pair_bm25, self.terms.pairs(text), self._known_pairs)
        )
        # each of the question's words with its synonyms, for coverage
        wanted = [self.terms.alike(w) for w in set(own)]
        hits: list[Hit] = []
        chosen: list[int] = []
        for i in map(int, np.argsort(-scores)[: k * 8]):
            if scores[i] <= 0 or len(hits) == k:
                break
            if any(self._overlapping(i, j) or self._same(i, j) for j in chosen):
                continue  # a passage already chosen says the same, or nearly
            share = self._coverage(wanted, self._tokens[i])
            hits.append(Hit(self.entries[i], float(scores[i]), share))
            chosen.append(i)
        return hits

    @staticmethod
    def _coverage(wanted: list[tuple[str, ...]], tokens: set[str]) -> float:
        """Share of the question's words the passage holds, itself or by a synonym."""
        if not wanted:
            return 0.0
        return sum(not tokens.isdisjoint(alike) for alike in wanted) / len(wanted)

    def _overlapping(self, i: int, j: int) -> bool:
        """The next window of the same section: it repeats half of the one chosen."""
        a, b = self.entries[i], self.entries[j]
        return a.document == b.document and abs(i - j) == 1 and a.section == b.section

    def _same(self, i: int, j: int) -> bool:
        """Near-identical text, as when one report is reproduced inside another."""
        a, b = self._tokens[i], self._tokens[j]
        return bool(a | b) and len(a & b) / len(a | b) >= SAME_TEXT

    def known_share(self, question: str) -> float:
        """How much of a question the documents could speak to: its words found anywhere in them."""
        own = set(self.terms.index_tokens(" ".join(self._corrected(question))))
        return len(own & self._known) / len(own) if own else 0.0
