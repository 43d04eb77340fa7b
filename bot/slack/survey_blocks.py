"""Block Kit for answering a survey in Slack: a modal built from the definition, and the
answers read back from its state.

Conditional questions: the inputs that other questions depend on dispatch an action when
changed (`dispatch_action`), and the listener redraws the modal (`views.update`) with the
questions whose conditions are now met. Inputs keep their block ids between redraws, and
carry what was entered as initial values, so nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from bot.domain.surveys.answers import converted
from bot.domain.surveys.definition import Definition, Question, met
from bot.slack.blocks import Block, escape, input_block, plain, text
from bot.store.tables import Survey

CALLBACK = "survey_answer"
CHANGE_ACTION = "survey_answer_change"  # an answer others depend on has changed
MAX_OPTIONS = 100  # Slack's limit for a static_select


def _option(value: str, label: str) -> Block:
    return {"text": plain(label, 75), "value": value}


def _choices(question: Question) -> list[Block]:
    if question.type == "yes_no":
        return [_option("yes", "Yes"), _option("no", "No")]
    if question.type == "likert" and question.scale:
        scale = question.scale
        points = list(range(scale.min, scale.max + 1))
        labels = scale.labels or [str(p) for p in points]
        return [
            _option(str(p), f"{p} – {label}" if scale.labels else label)
            for p, label in zip(points, labels, strict=True)
        ]
    # By position: an option's text may be longer than Slack allows a value to be.
    return [_option(str(n), o) for n, o in enumerate(question.options[:MAX_OPTIONS])]


def _positions(question: Question, value: object) -> object:
    """An answer's option texts as the option values the modal uses (their positions)."""
    if question.type not in ("single", "multiple"):
        return value
    chosen = value if isinstance(value, list) else [value]
    found = [str(question.options.index(v)) for v in chosen if v in question.options]
    if question.type == "multiple":
        return found
    return found[0] if found else None


def _initial(element: Block, question: Question, value: object) -> Block:
    value = _positions(question, value)
    if value in (None, "", []):
        return element
    if question.type == "multiple":
        chosen = [o for o in element["options"] if o["value"] in value]  # type: ignore[operator]
        return {**element, "initial_options": chosen} if chosen else element
    if "options" in element:
        found = [o for o in element["options"] if o["value"] == str(value)]
        return {**element, "initial_option": found[0]} if found else element
    return {**element, "initial_value": str(value)}


def _element(question: Question, value: object) -> Block:
    kind = question.type
    element: Block
    if kind == "single":
        element = {"type": "static_select", "options": _choices(question)}
        element["placeholder"] = plain("Choose one")
    elif kind == "multiple":
        element = {"type": "checkboxes", "options": _choices(question)}
    elif kind in ("yes_no", "likert"):
        element = {"type": "radio_buttons", "options": _choices(question)}
    elif kind == "number":
        element = {"type": "number_input", "is_decimal_allowed": True}
    else:
        element = {
            "type": "plain_text_input",
            "multiline": True,
            "max_length": question.max_length,
        }
    return _initial({**element, "action_id": "value"}, question, value)


def asked(definition: Definition, answers: dict[str, Any]) -> list[Question]:
    """The questions shown, given the answers so far (in order: a condition's question
    comes first)."""
    shown: list[Question] = []
    given: dict[str, object] = {}
    for question in definition.questions:
        if question.show_if and not met(question.show_if, given):
            continue
        shown.append(question)
        value = converted(question, answers.get(question.id))
        if value is not None:  # typed as the engine stores it: "4" from Slack is 4
            given[question.id] = value
    return shown


def survey_modal(
    survey: Survey, definition: Definition, answers: dict[str, Any]
) -> Block:
    """The modal with the questions that apply; `private_metadata` is the survey's id."""
    leaders = {q.show_if.question for q in definition.questions if q.show_if}
    privacy = (
        "This survey is anonymous: nobody can see who gave which answers."
        if survey.anonymous
        else "This survey is named: the organisers can see your answers."
    )
    blocks: list[Block] = [text(f"*{escape(survey.title)}*\n{privacy}")]
    for question in asked(definition, answers):
        element = _element(question, answers.get(question.id))
        block = input_block(
            question.id, question.text, element, optional=not question.required
        )
        if question.help:
            block["hint"] = plain(question.help, 2000)
        if question.id in leaders:
            block["dispatch_action"] = True
            element["action_id"] = CHANGE_ACTION
        blocks.append(block)
    blocks.append(
        text("_Please do not include details that could identify a child or family._")
    )
    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "private_metadata": str(survey.id),
        "title": plain("Survey", 24),
        "submit": plain("Send answers", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks[:100],
    }


def _read(element: dict[str, Any]) -> object:
    kind = element.get("type")
    if kind == "checkboxes":
        return [str(o.get("value")) for o in element.get("selected_options") or []]
    if kind in ("static_select", "radio_buttons"):
        return (element.get("selected_option") or {}).get("value")
    return element.get("value")


def _texts(question: Question, value: object) -> object:
    """Option positions from the modal back to the option texts answers are kept as."""
    if question.type not in ("single", "multiple"):
        return value
    chosen = value if isinstance(value, list) else [value]
    texts = [
        question.options[int(v)]
        for v in chosen
        if isinstance(v, str) and v.isdigit() and int(v) < len(question.options)
    ]
    if question.type == "multiple":
        return texts
    return texts[0] if texts else None


def answers_from_state(
    view: dict[str, Any], definition: Definition
) -> dict[str, object]:
    """Raw answers by question id from a modal's state (whatever its action ids)."""
    values = (view.get("state") or {}).get("values") or {}
    questions = {q.id: q for q in definition.questions}
    answers: dict[str, object] = {}
    for block_id, elements in values.items():
        question = questions.get(str(block_id))
        for element in (elements or {}).values():
            if question is not None:
                answers[question.id] = _texts(question, _read(element or {}))
    return answers


def message_view(title: str, message: str) -> Block:
    """A modal with only a message: thanks, or why the survey cannot be answered."""
    return {
        "type": "modal",
        "title": plain(title, 24),
        "close": plain("Close", 24),
        "blocks": [text(escape(message))],
    }
