"""Safety triage: does a message suggest a child is at risk of harm now?

Run before anything else. It errs towards `urgent`: a false alarm costs a practitioner a few
seconds reading emergency numbers, a miss could cost a child. Questions about procedures
that merely mention abuse or neglect ("what training is there on neglect?") are not urgent:
they ask how something is done, with nothing happening to a child now.

Four kinds of signal: a child; harm; immediacy (tonight, right now, an hour ago); and a
disclosure ("she just told me"). Some harms are immediate in themselves (not breathing,
took pills, left alone, missing tonight, a knife).
"""

from __future__ import annotations

import re


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


_AGES = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen)"
CHILD = _words(
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
    rf"{_AGES}[- ]?(?:year|yr|month|week)s?[- ]?old",
    rf"{_AGES} ?(?:yo|y/o|yrs?)",
    rf"aged? {_AGES}",
    "foster",
    "in (?:our|my) care",
    "looked after",
)
HARM = _words(
    r"hit(?:s|ting)?",
    r"beat(?:s|en|ing)?",
    r"punch\w*",
    r"batter\w*",
    r"smack\w*",
    "black eye",
    r"kick\w*",
    r"slap\w*",
    r"burn\w*",
    r"bruis\w*",
    r"injur\w*",
    r"bleed\w*",
    "blood",
    "broken",
    r"fractur\w*",
    r"abus\w*",
    r"rap(?:e|ed|ing)",
    r"touch(?:ed|ing)",
    r"sexual\w*",
    r"assault\w*",
    r"hurt\w*",
    r"harm\w*",
    r"threat\w*",
    r"kil+\w*",
    "die",
    "dying",
    "dead",
    r"suicid\w*",
    r"overdos\w*",
    r"pills",
    "tablets",
    r"self[- ]?harm\w*",
    r"cuts?",
    "cutting",
    "weapon",
    r"knife",
    r"knives",
    "gun",
    r"stab\w*",
    "alone",
    "on (?:his|her|their) own",
    "no adult",
    "unattended",
    "abandoned",
    r"locked",
    "missing",
    "run away",
    "ran away",
    "drunk",
    "unconscious",
    "not breathing",
    "unresponsive",
    r"starv\w*",
    "shaken",
    r"strangl\w*",
    r"chok\w*",
    r"groom\w*",
    r"exploit\w*",
    "trafficked",
    r"drugs?",
    "forced",
    "made to",
    "sent abroad",
    r"marri(?:ed|age)",
    "screaming",
    "shouting",
    "crying",
    "scared",
    "afraid",
    "terrified",
    "in danger",
    "unsafe",
    "not safe",
    "swollen",
    r"(?:hasn'?t|has not|didn'?t|not) (?:come|came|gone|returned) home",
    "cant go back",
    "can'?t go (?:back|home)",
    "doesn'?t want to go home",
    "dont want to go home",
    r"(?:won'?t|will not|wont|refus\w* to|scared to|afraid to|too scared to) go (?:back|home)",
)
IMMEDIATE_HARM = _words(
    "not breathing",
    "unconscious",
    "unresponsive",
    r"(?:took|taken|swallowed) (?:a load of |loads of |some |an? )?(?:pills|overdose|tablets)",
    r"overdos\w*",
    "on (?:his|her|their) own",
    "no adult",
    "alone with",
    "left (?:alone|in a car|home alone)",
    r"missing (?:tonight|today|now)",
    r"gone missing",
    r"(?:hasn'?t|has not|not) come home",
    "knife",
    "weapon",
    "waiting for (?:him|her|them)",
    "sent abroad",
    r"kil+ (?:her|him|them)sel(?:f|ves)",
    "end (?:her|his|their) life",
    "swollen head",
    "blood on",
    "screaming",
)
NOW = _words(
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
    r"since (?:yesterday|last night|this morning|the weekend)",
    # the practitioner is there as it happens
    r"(?:i'?m|i am|we'?re|we are) (?:at|outside|with (?:her|him|them))",
    r"(?:is|are) (?:here|outside|at the (?:door|gate))",
    r"at the (?:school )?gates?",
    r"(?:has|have) (?:just )?(?:come|turned up|arrived)",
)
DISCLOSURE = _words(
    r"(?:told|tells|telling) (?:me|us|a teacher|staff)",
    r"(?:said|says|saying) (?:that |her |his |their |daddy|mummy|mum|dad|he|she|they)",
    r"disclos\w*",
    "confided",
    "showed me",
    r"messaged me",
    r"(?:rang|phoned|called) (?:me|the school|us)",
    r"i(?:'ve| have)? (?:just )?(?:seen|found|noticed)",
    r"reports? (?:that|screaming|hearing|seeing)",
)
PROCEDURE = re.compile(
    r"^\s*(?:how|what|where|when|which|who|whats|what's|is there|are there|do we|does|can i|could i|"
    r"where can i|tell me about|explain|guidance|policy|procedure|training|course|any)\b",
    re.IGNORECASE,
)
STRONG_NOW = _words(
    "right now",
    "tonight",
    "tonite",
    "today",
    "this (?:morning|afternoon|evening)",
    "an hour ago",
    r"just",
)


def is_urgent(message: str) -> bool:
    """True when the message suggests a child may be in danger now: emergency contacts first."""
    text = " ".join(message.replace("’", "'").split())
    if not HARM.search(text):
        return False
    child, now, disclosure = (
        bool(CHILD.search(text)),
        bool(NOW.search(text)),
        bool(DISCLOSURE.search(text)),
    )
    if PROCEDURE.search(text) and not STRONG_NOW.search(text):
        return False  # "what do I do if a child discloses abuse?" asks about procedure
    if IMMEDIATE_HARM.search(text):
        return child or now or disclosure
    return (child and (now or disclosure)) or (disclosure and now)
