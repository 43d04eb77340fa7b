"""Safety triage: a child at risk now is `urgent`; a question about procedure is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.domain.knowledge.triage import is_urgent

EVAL = Path(__file__).parents[1] / "data" / "qa_eval.jsonl"


def labelled() -> list[tuple[str, str, str]]:
    """(id, question, kind) of every question in the repo's own labelled set."""
    cases = [
        json.loads(line)
        for line in EVAL.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [(c["id"], c["question"], c["kind"]) for c in cases]


def test_the_labelled_set_has_urgent_and_other_messages() -> None:
    kinds = [kind for _, _, kind in labelled()]
    assert kinds.count("urgent") >= 10
    assert kinds.count("answer") >= 50 and kinds.count("handoff") >= 10


@pytest.mark.parametrize(
    ("question", "kind"),
    [pytest.param(q, k, id=i) for i, q, k in labelled()],
)
def test_every_labelled_urgent_message_is_urgent_and_no_other_is(
    question: str, kind: str
) -> None:
    """A regression guard over tests/data/qa_eval.jsonl: a miss here could cost a child."""
    assert is_urgent(question) is (kind == "urgent")


@pytest.mark.parametrize(
    "question",
    [
        "what should I do if a child discloses abuse?",
        "is there training on self-harm?",
        "What training is there on neglect?",
        "how do I report a concern about a child being hit at home",
        "where is the policy on children missing from home",
        "what are the signs of child sexual exploitation",
        "Is there guidance on children left home alone?",
        "who do I tell if a pupil discloses that they are being abused",
        "how do i escalate a disagreement with another agency",
        "what are the rapid review timescales",
        "",
    ],
)
def test_procedure_questions_that_mention_abuse_or_harm_are_not_urgent(
    question: str,
) -> None:
    assert not is_urgent(question)


@pytest.mark.parametrize(
    "message",
    [
        "the 6 year old next door is home alone tonight",
        "a pupil just told me her dad hit her and she is scared to go home",
        "A pupil just told me her dad hit her and she is scared to go home.",
        "there is a toddler on his own in a car outside the shop",
        "a boy took a load of pills at lunch and is unresponsive",
        "my pupil says her stepdad touched her, she is in my office now",
        "a 14 year old girl in my class has not come home since friday",
        "a child has bruises on her face and said daddy did it",
        "a child in reception just told me mummy’s boyfriend hurts her",
        # an ongoing situation, or the practitioner there as it happens
        "the baby upstairs has been screaming and crying all night",
        "the kids next door have been crying for hours and nobody answers",
        "dad is outside the nursery drunk and threatening the children",
        "I'm at the school gate and a mum is hitting her son",
        "a year 9 has taken a load of tablets",
        "pupil with a black eye says his brother did it",
        "a 13 year old says he won't go home because his dad beats him",
    ],
)
def test_clear_emergencies_are_urgent(message: str) -> None:
    assert is_urgent(message)
