"""Safety triage: does a message suggest a child is at risk of harm now?

Run before anything else. It errs towards `urgent`: a false alarm costs a practitioner a few
seconds reading emergency numbers, a miss could cost a child. Questions about procedures
that merely mention abuse or neglect ("what training is there on neglect?") are not urgent:
they ask how something is done, with nothing happening to a child now.

Four kinds of signal: a child; harm; immediacy (tonight, right now, an hour ago); and a
disclosure ("she just told me"). Some harms are immediate in themselves (not breathing,
took pills, left alone, missing tonight, a knife).

The policy is safety first: a message that describes a particular child (this baby, my pupil,
a 6 year old, a child's own words "he hurts me") with harm, that is neither a general question
about procedure ("what do I do if a child...") nor about a review or a training course, nor
placed in the past ("last year"), is urgent. A visible injury on a particular child is
present harm whatever the tense; so is a child quoted saying someone hurts them.

Beside the rules sits a semantic check (`semantic_triage`) that recognises harm described in
words the rules do not list; a message is urgent if EITHER says so.
"""

from __future__ import annotations

from bot.domain.knowledge.harms import CONCERN, HARM, IMMEDIATE_HARM, INJURY
from bot.domain.knowledge.semantic_triage import semantically_urgent
from bot.domain.knowledge.signals import (
    CHILD,
    CHILD_SPEECH,
    DISCLOSURE,
    GENERAL,
    NOW,
    PARTICULAR_CHILD,
    PAST,
    PROCEDURE,
    PROGRESSIVE,
    STRONG_NOW,
)


def is_urgent(message: str) -> bool:
    """True when the message suggests a child may be in danger now: emergency contacts first."""
    return rules_say_urgent(message) or semantically_urgent(message)


def rules_say_urgent(message: str) -> bool:
    """The rules' opinion alone: words of harm, a child, immediacy and a disclosure."""
    text = " ".join(message.replace("’", "'").replace("‘", "'").split())
    if not any(p.search(text) for p in (HARM, CONCERN, INJURY, IMMEDIATE_HARM)):
        return False
    if not STRONG_NOW.search(text) and (PROCEDURE.search(text) or GENERAL.search(text)):
        return False  # "what do I do if a child discloses abuse?" asks about procedure
    particular = bool(PARTICULAR_CHILD.search(text))
    now = bool(NOW.search(text)) or (particular and bool(PROGRESSIVE.search(text)))
    if PAST.search(text) and not now:
        return False  # "a child disclosed last year": a case to learn from, not one to act on now
    speech = bool(CHILD_SPEECH.search(text))
    child = particular or speech or bool(CHILD.search(text))
    disclosure = speech or bool(DISCLOSURE.search(text))
    if IMMEDIATE_HARM.search(text):
        return child or now or disclosure
    # A child's own words, a disclosure passed on, or an injury seen on a child.
    return disclosure or (particular and bool(INJURY.search(text))) or (child and now)
