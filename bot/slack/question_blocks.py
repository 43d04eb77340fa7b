"""Block Kit for questions in advance: the asking modal and the ranked list with upvotes.

Pure builders and parsers, like `bot.slack.blocks`; every question's text is escaped for
mrkdwn, since a member typed it.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.forum.questions import ANSWERED, MAX_LENGTH, Ranked
from bot.domain.forum.times import describe_when
from bot.slack.blocks import Block, button, escape, input_block, plain, text
from bot.store.tables import ForumSession

OPEN_ACTION = "session_question_open"
UPVOTE_ACTION = "session_question_upvote"
CALLBACK = "session_question"
SHOWN = 40  # questions in one message (Slack allows 50 blocks)


def _session_option(row: ForumSession, zone: ZoneInfo) -> Block:
    label = f"{row.title}, {describe_when(row.starts_at, row.ends_at, zone)}"
    return {"text": plain(label), "value": str(row.id)}


def question_modal(
    upcoming: list[ForumSession], chosen: ForumSession | None, zone: ZoneInfo
) -> Block:
    """The modal: a session select when no session was chosen and several are coming up."""
    blocks: list[Block] = []
    only = chosen or (upcoming[0] if len(upcoming) == 1 else None)
    if only is None:
        options = [_session_option(row, zone) for row in upcoming[:100]]
        select = {
            "type": "static_select",
            "action_id": "value",
            "options": options,
            "initial_option": options[0],
        }
        blocks.append(input_block("session", "Which session", select))
    else:
        blocks.append(
            text(
                f"*{escape(only.title)}*\n"
                f"{describe_when(only.starts_at, only.ends_at, zone)}"
            )
        )
    box = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": True,
        "max_length": MAX_LENGTH,
    }
    blocks.append(input_block("question", "Your question for the open Q&A", box))
    anonymous = {
        "type": "checkboxes",
        "action_id": "value",
        "options": [
            {
                "text": plain(
                    "Ask anonymously: nobody, the chair included, will know it was you"
                ),
                "value": "yes",
            }
        ],
    }
    blocks.append(
        {**input_block("anonymous", "Anonymity", anonymous), "optional": True}
    )
    blocks.append(
        text("_Please do not include details that could identify a child or family._")
    )
    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "private_metadata": str(only.id) if only is not None else "",
        "title": plain("Ask the forum", 24),
        "submit": plain("Send", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }


def asked_from_state(view: dict[str, Any]) -> tuple[int | None, str, bool]:
    """(session id, question, anonymous?) from a submitted modal."""
    values = (view.get("state") or {}).get("values") or {}

    def element(block_id: str) -> dict[str, Any]:
        found: dict[str, Any] = (values.get(block_id) or {}).get("value") or {}
        return found

    chosen = (element("session").get("selected_option") or {}).get("value")
    session_id = str(chosen or view.get("private_metadata") or "")
    anonymous = any(
        o.get("value") == "yes"
        for o in element("anonymous").get("selected_options") or []
    )
    question = str(element("question").get("value") or "")
    return (int(session_id) if session_id.isdigit() else None), question, anonymous


def thanks_view(question: str, reminder: str | None) -> Block:
    lines = [f"Thank you: your question is on the list.\n>{escape(question)}"]
    if reminder:
        lines.append(f"*{escape(reminder)}*")
    return {
        "type": "modal",
        "title": plain("Question sent", 24),
        "close": plain("Close", 24),
        "blocks": [text("\n\n".join(lines))],
    }


def _line(question: Ranked) -> Block:
    votes = f"*{question.votes}* {'vote' if question.votes == 1 else 'votes'}"
    answered = " _(answered)_" if question.status == ANSWERED else ""
    return {
        **text(f"{escape(question.text)}\n{votes}{answered}"),
        "block_id": f"question-{question.id}",
        "accessory": button("Upvote", UPVOTE_ACTION, str(question.id)),
    }


def questions_message(
    row: ForumSession, ranked: list[Ranked], zone: ZoneInfo
) -> list[Block]:
    """The ranked questions for a session, each with an upvote button, and one to ask."""
    when = describe_when(row.starts_at, row.ends_at, zone)
    head = f"*Questions for {escape(row.title)}*, {when}"
    if not ranked:
        head += "\nNo questions yet: be the first."
    blocks = [text(head), *(_line(q) for q in ranked[:SHOWN])]
    if len(ranked) > SHOWN:
        blocks.append(text(f"_and {len(ranked) - SHOWN} more_"))
    ask = button("Ask a question", OPEN_ACTION, str(row.id), style="primary")
    return [*blocks, {"type": "actions", "block_id": "questions", "elements": [ask]}]
