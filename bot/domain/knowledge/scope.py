"""Is a question outside what the partnership's documents can answer, however well it matches?

Retrieval confidence catches questions the documents have no words for. This catches the
harder kind: questions that sound like the documents but are not for them. Another area's
procedures (the documents are Birmingham's), personal employment matters (pay, leave,
accounts), opinions, and the facts of one practitioner's own case. Each goes to the team,
who can answer what a quote from a policy cannot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Requests the documents cannot meet: contact details, bookings, links, accounts, personal
# employment matters, and anything outside safeguarding altogether.
_REQUESTS = (
    r"phone number|telephone|email address|contact details|teams link|zoom link|meeting link|"
    r"mobile number|(?:their|his|her|your) mobile|direct line|on[- ]call|duty rota|"
    r"book (?:me|onto|on to|a place)|password|wi-?fi|log ?in|reset my|locked out|"
    r"(?:eclipse|system|it|email|slack) access|access (?:set ?up|request)|new starters?|"
    r"account (?:is |has been )?(?:locked|disabled|blocked)|laptop|printer|vpn|"
    r"it (?:helpdesk|help desk|support|service desk)|service desk|"
    r"annual leave|mileage|expenses|overtime|toil|salary|salaries|pay ?(?:band|scale|grade|rise|slip)s?|"
    r"flexi(?:[- ]?time)?|(?:am i|are we|is she|is he) entitled|working hours|"
    r"payslips?|pension|sick (?:pay|leave|note)|maternity|paternity|holiday (?:pay|entitlement|request)|"
    r"job (?:vacanc(?:y|ies)|application|interview)|payroll|my (?:pay|contract|appraisal|dbs)|dbs (?:check|renewal)|"
    r"weather|recipe|translate|write (?:my|me)|football|score|parking|park near|"
    # a practitioner's own records, and their private life: for a manager, HR or a solicitor
    r"certificates?|copy of my|my (?:training )?records?|legal advice|solicitors?|lawyers?|custody|"
    r"divorce|my ex|opening (?:hours|times)|what time (?:does|do|is) [\w' ]{1,40}? (?:open|close|shut)"
)
# Asking the bot what it thinks: the documents state policy, not views.
_OPINIONS = (
    r"do you think|what do you think|in your (?:opinion|view)|your (?:own )?(?:opinion|views?|thoughts)|"
    r"(?:would|can|could) you recommend|recommend (?:a|an|any|me|some)|are you happy with|"
    r"do you reckon|what do you reckon|your take on|should (?:i|we) (?:close|keep|step|escalate)"
)
# Plurals count too: "DBS checks", "payslips".
OUT_OF_SCOPE = re.compile(rf"\b(?:{_REQUESTS}|{_OPINIONS})s?\b", re.IGNORECASE)
# Other bodies' own rules: the documents name these boards, they do not hold their procedures.
_OTHER_BODIES = re.compile(
    r"\b(?:(?:safeguarding )?adults?(?: safeguarding)? board|community safety partnership|"
    r"youth offending (?:service|board)|channel panel)'?s?\b.*\b(?:polic(?:y|ies)|procedures?|"
    r"protocols?|process|rules|thresholds?|forms?)\b|\b(?:polic(?:y|ies)|procedures?|protocols?|"
    r"process|rules|thresholds?|forms?) (?:of|for|from) (?:the )?(?:birmingham )?(?:safeguarding )?adults?"
    r"(?: safeguarding)? board\b",
    re.IGNORECASE,
)

# The facts of one practitioner's own case: what was decided for a family, an update on a
# referral. The documents hold procedures, never case records.
_CASE_FACTS = re.compile(
    r"\b(?:what (?:was|were|got|has been|have been) (?:decided|agreed|said|discussed|recorded)|"
    r"(?:the )?outcome of|an? update on|(?:any )?news (?:on|about)|minutes (?:of|from)|(?:status|progress) of|"
    r"happened (?:to|with|at))\b",
    re.IGNORECASE,
)
_PARTICULAR = re.compile(
    r"\b(?:(?:my|our) (?:case|caseload|client|family|families|child|referral|young person|pupil|student)s?|"
    r"(?:i'?m|i am|we'?re|we are|i'?ve been|i have been) (?:working with|supporting|allocated)|"
    r"(?:referral|report|concern)s? (?:i|we) (?:made|raised|sent|submitted)|"
    r"last (?:monday|tuesday|wednesday|thursday|friday|week|night)|yesterday)\b",
    re.IGNORECASE,
)


def _places(names: Iterable[str]) -> re.Pattern[str] | None:
    """Other areas, possessive too ("Sandwell's", "sandwells"), except as part of a joint body:
    "Birmingham and Solihull", "… and West Midlands"."""
    alternatives = "|".join(
        re.escape(n).replace(r"\ ", r"\s+")
        for n in sorted(names, key=len, reverse=True)
    )
    if not alternatives:
        return None
    return re.compile(
        rf"(?<!birmingham and )(?<!birmingham & )\b(?:{alternatives})(?:'?s)?\b(?!\s+(?:and|&)\s+west\s+mid)",
        re.IGNORECASE,
    )


class Scope:
    """The out-of-scope test, with the partnership's list of other areas from config."""

    def __init__(self, other_places: Iterable[str]) -> None:
        self._places = _places(other_places)

    def out_of_scope(self, question: str) -> bool:
        text = " ".join(question.replace("’", "'").split())
        if OUT_OF_SCOPE.search(text):
            return True
        if _CASE_FACTS.search(text) and _PARTICULAR.search(text):
            return True
        if _OTHER_BODIES.search(text):
            return True
        return bool(self._places and self._places.search(text))
