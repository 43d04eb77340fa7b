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
        # about a review, a course, a survey or a case long past: nothing to act on now
        "learning from the scr about the toddler with burns",
        "training on bruising in non mobile babies",
        "guidance on children whose parents are drunk when collecting them",
        "pupils told us in the survey they feel unsafe in the park",
        "a pupil disclosed abuse last year and it was missed, was it audited",
        "the practitioners said the domestic abuse conference was great",
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
        # a child's own words passed on, with no child named and no time given
        "she said to me 'my stepdad hurts me when mum is out'",
        "he keeps saying his dad hurts him",
        # an injury seen on a particular child is present harm, whatever the tense
        "a 10 month old came in with a swollen arm that nobody can explain",
        "my pupil has marks on her neck",
        # a carer unfit to look after a child who is still waiting
        "nobody has collected the little one and mum has turned up smelling of alcohol",
        "found a 4yo alone in the park, no parent around",
        # a threat of serious harm, or harm going on as the practitioner writes
        "we need a strategy discussion, her boyfriend has threatened to kill the baby",
        "a parent at reception is shouting and threatening to take the child",
        # a historic disclosure where the risk is still there
        "she told me her uncle abused her years ago and he is still living with them",
        # harm not named: a body in danger, an unfit carer, a child put out, despair, grooming
        "the baby is floppy and won't wake up, mum says she was fine this morning",
        "dad turned up to collect his 3 year old and he's passed out in the car park",
        "the children have been locked out of the flat since lunchtime",
        "my tutee messaged me 'i can't take it anymore, goodbye'",
        "teen girl in our youth club says the man she met on snapchat is picking her up tonight",
        "my pupil keeps flinching and has finger marks on her arm",
    ],
)
def test_clear_emergencies_are_urgent(message: str) -> None:
    assert is_urgent(message)


@pytest.mark.parametrize(
    "message",
    [
        "parents can't cope with their teenager's behaviour - is there family support?",
        "one of my pupils has an EHCP review overdue, who do I chase",
        "my student is walking out of lessons a lot, is that an early help thing",
        "a parent just told me their child has been diagnosed with autism, what support is there",
        pytest.param(
            "mum says she'll get him to the appointment next week",
            marks=pytest.mark.xfail(
                strict=True,
                reason="known false alarm of the semantic check: 'she'll get him' reads as a threat",
            ),
        ),
        "kids affected by domestic abuse - what is the partnership doing",
    ],
)
def test_reports_about_a_child_with_no_harm_in_them_are_not_urgent(
    message: str,
) -> None:
    """Safety first, but a child named in an ordinary message is no emergency."""
    assert not is_urgent(message)
