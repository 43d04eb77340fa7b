"""The personal data guard: identifying details are replaced and reported; procedure is untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.domain.knowledge.redaction import REMINDER, redact

EVAL = Path(__file__).parents[1] / "data" / "qa_eval.jsonl"


@pytest.mark.parametrize(
    ("text", "label", "gone", "kept"),
    [
        (
            "I am worried about Jack, 7, who lives with his nan",
            "name and age",
            "Jack",
            "who lives with his nan",
        ),
        (
            "Jack (aged 7) has not been in school since Monday",
            "name and age",
            "Jack",
            "has not been in school",
        ),
        ("a 7-year-old Jack keeps arriving hungry", "name and age", "Jack", "hungry"),
        ("Jack aged 7 told me about it", "name and age", "Jack", " told me about it"),
        ("Amy is 14 years old and has run away", "name and age", "Amy", "run away"),
        (
            "a two-month-old Terri Rae was seen at the clinic",
            "name and age",
            "Terri",
            "seen at the clinic",
        ),
        (
            "her dob is 12/03/2015 if that helps",
            "date of birth",
            "2015",
            "if that helps",
        ),
        (
            "born on 3 March 2016, lives with mum",
            "date of birth",
            "2016",
            "lives with mum",
        ),
        ("date of birth: 01.02.2014", "date of birth", "2014", "[date of birth]"),
        ("the family moved to B1 1AA last week", "postcode", "B1 1AA", "last week"),
        ("they live near B15 2TT", "postcode", "B15 2TT", "they live near"),
        ("postcode b152tt", "postcode", "b152tt", "postcode"),
        ("her NHS number is 943 476 5919", "NHS number", "5919", "her NHS number is"),
        ("NHS 9434765919 on the referral", "NHS number", "9434765919", "referral"),
        ("NHS 943-476-5919", "NHS number", "943-476-5919", "NHS"),
        ("call mum on 07700 900123 after 5", "phone number", "900123", "call mum on"),
        ("dad's number is +44 7700 900123", "phone number", "7700", "dad's number"),
        ("the school is on 0121 496 0000", "phone number", "496", "the school is on"),
        (
            "the family at 12 High Street are known",
            "address",
            "High Street",
            "are known",
        ),
        ("they moved to 4a Church Road", "address", "Church Road", "they moved to"),
        ("staying at 221 Baker Street with an aunt", "address", "Baker", "an aunt"),
        ("a girl called Amy Jones in year 9", "name", "Amy", "in year 9"),
    ],
)
def test_identifying_details_are_replaced_and_reported(
    text: str, label: str, gone: str, kept: str
) -> None:
    redacted = redact(text)

    assert redacted.identifying
    assert label in redacted.found
    assert f"[{label}]" in redacted.text
    assert gone not in redacted.text
    assert kept in redacted.text


def test_several_details_in_one_question_are_all_reported_once_each() -> None:
    redacted = redact(
        "Jack, 7, and Amy, 9, of 12 High Street, B1 1AA (NHS 943 476 5919, "
        "dob 12/03/2015, mum on 07700 900123): how do I make a referral?"
    )
    assert sorted(redacted.found) == sorted(
        [
            "name and age",
            "address",
            "postcode",
            "NHS number",
            "date of birth",
            "phone number",
        ]
    )
    assert len(set(redacted.found)) == len(redacted.found)
    for detail in ("Jack", "Amy", "High Street", "B1 1AA", "5919", "2015", "900123"):
        assert detail not in redacted.text
    assert redacted.text.endswith("how do I make a referral?")


@pytest.mark.parametrize(
    "text",
    [
        "how do i escalate a disagreement with another agency",
        "What are the rapid review timescales?",
        "The LCSPR must be completed within 6 months of the decision.",
        "What does Section 11 require of agencies?",
        "Is there Early Help Assessment (EHA) training for Year 7 teachers?",
        "What are section 47 enquiries under the Children Act 1989?",
        "What does Working Together 2018 say about the three partners?",
        "What did the March 2024 practitioners conference cover?",
        "What is Priority 2 of the Business Improvement Plan 2021-23?",
        "What is Level 3 in Right Help Right Time?",
        "Birmingham is one of the youngest cities in Europe",
        "We held 12 multi-agency audits in 2019/20 and reviewed 43 cases.",
        "Who chairs the Practitioner Forum in Birmingham?",
        "Figure 3 shows 1,295 children with a child protection plan",
        "what should I do if a child discloses abuse?",
        "",
    ],
)
def test_ordinary_procedural_text_is_untouched(text: str) -> None:
    redacted = redact(text)
    assert redacted.text == text
    assert redacted.found == ()
    assert not redacted.identifying


def test_no_question_in_the_labelled_set_is_redacted() -> None:
    """The practitioners' questions of the eval set identify nobody: redaction must not bite."""
    for line in EVAL.read_text(encoding="utf-8").splitlines():
        if line.strip():
            question = json.loads(line)["question"]
            assert redact(question).found == (), question


def test_the_reminder_names_the_rules_and_what_to_leave_out() -> None:
    assert "information-sharing" in REMINDER
    for kind in ("names with ages", "dates of birth", "addresses", "NHS numbers"):
        assert kind in REMINDER
