"""Words as the index sees them: lower-cased, stop words dropped, stemmed, abbreviations expanded."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from pathlib import Path

import Stemmer

from bot.domain.knowledge.scope import Scope

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "aren't",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "can't",
        "cannot",
        "could",
        "couldn't",
        "did",
        "didn't",
        "do",
        "does",
        "doesn't",
        "doing",
        "don't",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "get",
        "got",
        "had",
        "hadn't",
        "has",
        "hasn't",
        "have",
        "haven't",
        "having",
        "he",
        "he'd",
        "he'll",
        "he's",
        "her",
        "here",
        "here's",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "how's",
        "i",
        "i'd",
        "i'll",
        "i'm",
        "i've",
        "if",
        "in",
        "into",
        "is",
        "isn't",
        "it",
        "it's",
        "its",
        "itself",
        "let's",
        "me",
        "more",
        "most",
        "mustn't",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "ought",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "shan't",
        "she",
        "she'd",
        "she'll",
        "she's",
        "should",
        "shouldn't",
        "so",
        "some",
        "such",
        "than",
        "that",
        "that's",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "there's",
        "these",
        "they",
        "they'd",
        "they'll",
        "they're",
        "they've",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "wasn't",
        "we",
        "we'd",
        "we'll",
        "we're",
        "we've",
        "were",
        "weren't",
        "what",
        "what's",
        "when",
        "when's",
        "where",
        "where's",
        "which",
        "while",
        "who",
        "who's",
        "whom",
        "why",
        "why's",
        "will",
        "with",
        "won't",
        "would",
        "wouldn't",
        "you",
        "you'd",
        "you'll",
        "you're",
        "you've",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "please",
        "tell",
        "know",
        "want",
        "need",
        "find",
        "thanks",
        "hi",
        "hello",
        "us",
        "also",
    ]
)


# Contractions as people type them without the apostrophe ("dont", "whats"), except where
# that spells another word ("ill", "well", "wed", "shed", "hell", "shell").
STOP_WORDS = STOP_WORDS | frozenset(
    w.replace("'", "")
    for w in STOP_WORDS
    if "'" in w
    and w.replace("'", "") not in {"ill", "well", "wed", "shed", "hell", "shell"}
)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'").replace("&", " and "))


@dataclass(frozen=True)
class Terms:
    """Abbreviations (both ways) and synonym groups (question side), from a TOML file."""

    abbreviations: dict[str, str] = field(default_factory=dict)
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Areas whose procedures are not in these documents: questions about them go to the team.
    other_places: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path) -> Terms:
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        abbreviations = {
            k.lower(): str(v).lower() for k, v in data.get("abbreviations", {}).items()
        }
        synonyms = {
            k.lower(): tuple(str(w).lower() for w in v)
            for k, v in data.get("synonyms", {}).items()
        }
        places = tuple(str(p) for p in data.get("scope", {}).get("other_places", ()))
        return cls(abbreviations, synonyms, places)

    @cached_property
    def scope(self) -> Scope:
        return Scope(self.other_places)

    @cached_property
    def _stemmer(self) -> Stemmer.Stemmer:
        return Stemmer.Stemmer("english")

    def stem(self, tokens: list[str]) -> list[str]:
        return list(self._stemmer.stemWords(tokens))

    @cached_property
    def _expansions(self) -> list[tuple[str, list[str]]]:
        return [(short, words(long)) for short, long in self.abbreviations.items()]

    @cached_property
    def _groups(self) -> dict[str, tuple[str, ...]]:
        """Each stemmed word of a synonym group -> every stemmed word of its group."""
        found: dict[str, tuple[str, ...]] = {}
        for head, others in self.synonyms.items():
            group = tuple(dict.fromkeys(self.stem([head, *others])))
            for stem in group:
                found[stem] = tuple(dict.fromkeys([*found.get(stem, ()), *group]))
        return found

    def expand(self, raw: list[str]) -> list[str]:
        """Abbreviations both ways: "lcspr" adds the long form, the long form adds "lcspr"."""
        extra: list[str] = []
        joined = f" {' '.join(raw)} "
        for short, long in self._expansions:
            if short in raw:
                extra += long
            elif long and f" {' '.join(long)} " in joined:
                extra.append(short)
        return raw + extra

    def index_tokens(self, text: str) -> list[str]:
        """Tokens of a passage: expanded, stop words out, stemmed."""
        return self.stem([w for w in self.expand(words(text)) if w not in STOP_WORDS])

    def pairs(self, text: str) -> list[str]:
        """Adjacent stemmed words ("execut_board"): a phrase found beats its words found apart."""
        stems = self.stem([w for w in words(text) if w not in STOP_WORDS])
        return [f"{a}_{b}" for a, b in pairwise(stems)]

    def alike(self, stem: str) -> tuple[str, ...]:
        """A stemmed word and the stems of its synonym group ("disagr" -> "escal", "disput"...)."""
        return (stem, *self._groups.get(stem, ()))

    def query_tokens(self, text: str) -> list[str]:
        """Tokens of a question: as for passages, plus synonyms, once each."""
        stems = self.index_tokens(text)
        widened = [s for stem in stems for s in self.alike(stem)]
        return list(dict.fromkeys(widened))
