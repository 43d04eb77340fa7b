"""Retrieval: word pairs, near-identical passages, coverage by synonyms, and contractions typed
without apostrophes."""

from __future__ import annotations

from pathlib import Path

from bot.domain.knowledge.index import Entry, KnowledgeIndex
from bot.domain.knowledge.terms import STOP_WORDS, Terms

TERMS = Terms.load(Path(__file__).parents[2] / "config" / "knowledge-terms.toml")
FILLER = "Partners across the city work together on many things every year."


def entry(i: int, text: str, document: str = "a.txt", section: str = "") -> Entry:
    return Entry(i, document, "Title", section or f"Section {i}", text)


def test_a_passage_with_the_questions_phrase_ranks_above_one_with_its_words_apart() -> (
    None
):
    apart = entry(
        1, f"The board said the executive would decide. {FILLER} It will meet."
    )
    together = entry(2, f"The executive board will meet six times a year. {FILLER}")
    index = KnowledgeIndex([apart, together], TERMS)

    hits = index.search("when does the executive board meet")

    assert [h.entry.id for h in hits][:1] == [2]


def test_a_synonym_in_the_passage_covers_the_questions_word() -> None:
    # "disagreement" and "dispute" are one synonym group in the shipped terms: a passage
    # on dispute resolution holds the whole question, and so may be quoted as an answer.
    index = KnowledgeIndex(
        [entry(1, f"Escalating concerns and dispute resolution. {FILLER}")], TERMS
    )

    (hit,) = index.search("how do I escalate a disagreement")

    assert hit.coverage == 1.0
    (unrelated,) = index.search("how do I escalate a complaint")
    assert unrelated.coverage == 0.5


def test_a_passage_reproduced_in_another_document_takes_one_place_in_the_results() -> (
    None
):
    text = "Rapid Reviews are submitted to the National Panel within 15 working days."
    index = KnowledgeIndex(
        [
            entry(1, text, "report.txt"),
            entry(2, text + " Figure 15.", "pack.txt"),
            entry(3, "The National Panel responds to Rapid Reviews.", "other.txt"),
        ],
        TERMS,
    )

    hits = index.search("rapid review national panel working days")

    assert [h.entry.document for h in hits] == ["report.txt", "other.txt"] or [
        h.entry.document for h in hits
    ] == ["pack.txt", "other.txt"]


def test_contractions_typed_without_an_apostrophe_are_stop_words_but_real_words_are_not() -> (
    None
):
    assert {"dont", "whats", "cant", "isnt", "im"} <= STOP_WORDS
    assert not {"ill", "well", "shed", "wed"} & STOP_WORDS
    assert TERMS.pairs("what's the Executive Board") == ["execut_board"]
