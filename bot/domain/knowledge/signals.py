"""The words safety triage looks for: a child, harm, immediacy, a disclosure, and the framing of
a general question. Plain regular expressions, so that a partnership can read what is caught
and a test can show why; `triage.is_urgent` combines them.
"""

from __future__ import annotations

import re


def any_of(*alternatives: str) -> re.Pattern[str]:
    """One case-blind pattern matching any of `alternatives` as whole words."""
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


AGES = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen)"
CHILD = any_of(
    r"child(?:ren)?",
    r"kids?",
    r"bab(?:y|ies)",
    "infant",
    "toddler",
    "newborn",
    "boy",
    "girl",
    "lad",
    "lass",
    "sons?",
    "daughters?",
    r"pupils?",
    r"students?",
    r"teen(?:ager)?s?",
    "young person",
    "youngster",
    r"little ones?",
    r"y(?:ea)?r ?\d{1,2}s?",
    "reception",
    "nursery",
    r"siblings?",
    "brother",
    "sister",
    rf"{AGES}[- ]?(?:year|yr|month|week)s?[- ]?old",
    rf"{AGES} ?(?:yo|y/o|yrs?)",
    rf"aged? {AGES}",
    "foster",
    "in (?:our|my) care",
    "looked after",
)
NOW = any_of(
    "right now",
    "now",
    "tonight",
    "tonite",
    "today",
    "this (?:morning|afternoon|evening)",
    "at the moment",
    "immediately",
    "asap",
    "urgent",
    "help",
    "an hour ago",
    r"just(?: now)?",
    "still",
    "outside",
    "fresh",
    r"after school",
    r"at \d",
    "tomorrow",
    "next week",
    r"(?:it'?s|its) \d{1,2} ?(?:pm|am)",
    r"\d{1,2} ?pm",
    "scared to go home",
    "on the phone",
    "here with me",
    "in front of me",
    "waiting",
    "what do i do",
    # an ongoing situation: "crying for hours", "left since yesterday"
    r"for (?:hours|ages|days|the last (?:few )?(?:hours|days))",
    r"all (?:night|day|morning|afternoon|evening|weekend)",
    r"since (?:yesterday|last night|this morning|the weekend|\w+time|lunch|breakfast|school|\d)",
    # the practitioner is there as it happens
    r"(?:i'?m|i am|we'?re|we are) (?:at|outside|with (?:her|him|them))",
    r"(?:is|are) (?:here|outside|at the (?:door|gate))",
    r"at the (?:school )?gates?",
    r"(?:has|have) (?:just )?(?:come|turned up|arrived)",
)
DISCLOSURE = any_of(
    r"(?:told|tells|telling) (?:me|us|a teacher|staff)",
    r"(?:said|says|saying) (?:that |her |his |their |daddy|mummy|mum|dad|he|she|they)",
    r"disclos\w*",
    "confided",
    r"(?:showed|shown|sent|texted|messaged|emailed|whispered to) me",
    r"(?:has |have )?(?:texted|messaged|emailed|whispered|written|wrote)",
    r"messaged me",
    r"(?:rang|phoned|called) (?:me|the school|us)",
    r"i(?:'ve| have)? (?:just )?(?:seen|found|noticed)",
    r"found (?:a|an|the|him|her|them)",
    r"reports? (?:that|screaming|hearing|seeing)",
)
# A particular child, not children in general: "a 6 year old", "this baby", "my pupil".
_ONE_CHILD = (
    r"child|kid|baby|infant|toddler|newborn|boy|girl|lad|son|daughter|pupil|student|"
    r"teen(?:ager)?|young person|youngster|little one|sibling|brother|sister|yp"
)
PARTICULAR_CHILD = re.compile(
    rf"\b(?:(?:a|an|the|this|that|my|our|one of (?:my|our|the)|his|her|their|[a-z]+'s) "
    rf"(?:[\w-]+ ){{0,3}}(?:{_ONE_CHILD})s?\b|^(?:{_ONE_CHILD})\b|\((?:aged? )?\d{{1,2}}\b|{AGES}[- ]?(?:year|yr|month|week)s?[- ]?old|"
    rf"{AGES} ?(?:yo|y/o)\b|y(?:ea)?r ?\d{{1,2}}\b)",
    re.IGNORECASE,
)
# A child's own words about being hurt, as a practitioner passes them on: "my uncle touches me".
CHILD_SPEECH = any_of(
    r"(?:hits?|hurts?|touch(?:es|ed)|beats?|kicks?|punch(?:es|ed)|slaps?|smacks?|burn(?:s|ed|t)|"
    r"chok(?:es|ed)|strangl(?:es|ed)|rap(?:es|ed)|threaten(?:s|ed)) me",
    r"(?:said|says|saying|told|tells) to me",
)
# The framing of a general question: a hypothetical child ("if a pupil discloses..."), a review,
# course or survey, or guidance asked for ("the policy on...").
GENERAL = re.compile(
    rf"\b(?:if|when|whenever|where|in case|suppose) (?:a|an|one of|any|the) (?:[\w-]+ ){{0,2}}"
    rf"(?:{_ONE_CHILD}|parent|family|carer)s?\b|"
    r"\b(?:scr|lcspr|serious case reviews?|(?:rapid|practice|case) reviews?|briefings?|"
    r"conferences?|audits?|training|(?<!of )courses?|webinars?|e-?learning|surveys?|"
    r"consultations?|questionnaires?|research|statistics|campaigns?)\b|"
    r"\b(?:learning|guidance|polic(?:y|ies)|protocols?|procedures?|process|thresholds?|figures|data) "
    r"(?:from|on|for|about|around|re|if|when|where)\b",
    re.IGNORECASE,
)
PAST = any_of(
    r"last (?:year|month|term|summer|spring|autumn|winter)",
    r"(?:years|months) ago",
    r"in (?:19|20)\d\d",
    r"historic(?:al)?",
)
# Something going on as the practitioner writes: "is kicking off", "are being hurt".
PROGRESSIVE = re.compile(
    r"\b(?:is|are|'s|'re) (?:[\w-]+ ){0,2}?\w+ing\b", re.IGNORECASE
)
PROCEDURE = re.compile(
    r"^\s*(?:how|what|where|when|which|who|whats|what's|is there|are there|do we|does|can i|could i|"
    r"where can i|tell me about|explain|guidance|policy|procedure|training|course|any)\b",
    re.IGNORECASE,
)
STRONG_NOW = any_of(
    "right now",
    "tonight",
    "tonite",
    "today",
    "this (?:morning|afternoon|evening)",
    "an hour ago",
    r"just",
)
