"""Out of scope: questions that sound like the documents but are not for them go to the team."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.knowledge.answers import HANDOFF, Wording, answer_question
from bot.domain.knowledge.index import Entry, KnowledgeIndex
from bot.domain.knowledge.scope import Scope
from bot.domain.knowledge.terms import Terms

TERMS = Terms.load(Path(__file__).parents[2] / "config" / "knowledge-terms.toml")
SCOPE = Scope(["solihull", "sandwell", "staffordshire", "wales", "milton keynes"])


@pytest.mark.parametrize(
    "question",
    [
        "how do I make a referral to the Solihull MASH?",
        "what is Sandwell's escalation protocol",
        "what is sandwells escalation policy when agencies disagree",  # possessive, typed bare
        "what does guidance in Wales say about core groups",
        "who chairs the partnership in Milton  Keynes",
        "what salary band is a senior practitioner",
        "can I claim overtime for the evening forum",
        "my account is locked, who do I ring",
        "how do I get my DBS check renewed",
        "do you think the new guidance is any good",
        "what do you reckon to the annual report",
        "what was decided at the core group for the family I'm working with",
        "any news on the referral I made yesterday",
        # plurals, a practitioner's own records and private life, recommendations
        "who does the DBS checks for our volunteers",
        "where do I download my certificates from the neglect course",
        "I need legal advice about my own divorce",
        "could you recommend a parenting programme",
        "what time does the Council House open on Saturday",
        # another board's own rules: named in the documents, not held by them
        "what is the escalation policy of the Birmingham Safeguarding Adults Board",
        "what are the adults board's thresholds for a referral",
        # contact rotas, employment terms and system access: for a manager or IT
        "what's the on-call social worker's mobile",
        "am I entitled to flexi time",
        "how do I get Eclipse access for a new starter",
    ],
)
def test_other_areas_personal_matters_opinions_and_case_facts_are_out_of_scope(
    question: str,
) -> None:
    assert SCOPE.out_of_scope(question)


@pytest.mark.parametrize(
    "question",
    [
        "who sits on the board for NHS Birmingham and Solihull ICB",
        "is Staffordshire and West Midlands CRC a relevant agency",
        "how do I escalate a disagreement with another agency",
        "what should I do for a family I'm working with who won't engage",
        "what was decided about the neglect strategy",
        "how often does the executive board meet",
        "what does the safeguarding adults board do with the partnership",
        "what time does a child get visited after a strategy meeting",
        "is there a course on checking a child's records before a conference",
        "",
    ],
)
def test_procedure_questions_and_joint_bodies_with_birmingham_stay_in_scope(
    question: str,
) -> None:
    assert not SCOPE.out_of_scope(question)


def test_the_shipped_terms_list_other_areas_and_not_birmingham() -> None:
    assert "solihull" in TERMS.other_places and "wales" in TERMS.other_places
    assert "birmingham" not in TERMS.other_places
    assert TERMS.scope.out_of_scope("what is the threshold document for Coventry")
    assert not TERMS.scope.out_of_scope("what is the threshold document for Birmingham")


def test_a_well_matched_question_about_another_area_is_handed_off() -> None:
    text = "Partners resolve disputes through the Resolution and Escalation Protocol."
    others = [
        f"Note {n}: the forum meets quarterly and training is free." for n in range(30)
    ]
    index = KnowledgeIndex(
        [
            Entry(i, "a.txt", "Arrangements", "Section", t)
            for i, t in enumerate([text, *others])
        ],
        TERMS,
    )
    wording = Wording("Call 999.", "the business support team")

    ours = answer_question(
        index, "what is the escalation protocol for disputes", wording
    )
    theirs = answer_question(
        index, "what is the escalation protocol for disputes in Sandwell", wording
    )

    assert ours.kind != HANDOFF
    assert theirs.kind == HANDOFF and theirs.sources  # still lists what it found
