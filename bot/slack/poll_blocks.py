"""Pure Block Kit for polls: the post with its vote buttons and live counts, the creation
modal, and reading the modal back. Typed text is escaped for mrkdwn everywhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.polls import PollDraft, Results, local_text, split_options
from bot.slack.blocks import Block, button, escape, input_block, plain, text
from bot.store.tables import Poll

VOTE = "poll_vote"  # the agreed action id; value "POLL_ID:OPTION_INDEX"
CREATE = "poll_create"  # the modal's callback id
BAR = 10  # characters in a text bar


def bar(percent: float) -> str:
    filled = round(percent / 100 * BAR)
    return "█" * filled + "░" * (BAR - filled)


def _about(poll: Poll, zone: ZoneInfo) -> str:
    kind = "Choose any options" if poll.multiple else "Choose one option"
    secrecy = (
        "Anonymous: nobody sees who voted for what"
        if poll.anonymous
        else "Named: the chair sees who chose what"
    )
    when = (
        local_text(poll.closes_at, zone)
        if poll.closes_at
        else "when the chair closes it"
    )
    verb = "Closed" if poll.status == "closed" else "Closes"
    return f"{kind} · {secrecy} · {verb} {when}"


def poll_message(poll: Poll, results: Results, zone: ZoneInfo) -> list[Block]:
    """The poll's post: each option with its count and a Vote button while open; the final
    results, without buttons, once closed."""
    closed = poll.status == "closed"
    blocks: list[Block] = [
        {"type": "header", "text": plain("Poll results" if closed else "Poll", 150)},
        text(f"*{escape(poll.question)}*"),
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": _about(poll, zone)}],
        },
    ]
    for n, option in enumerate(results.options):
        votes = "vote" if option.votes == 1 else "votes"
        block = text(
            f"*{escape(option.label)}*\n`{bar(option.percent)}` "
            f"{option.votes} {votes} ({option.percent:g}%)"
        )
        block["block_id"] = f"poll:{poll.id}:{n}"
        if not closed:
            block["accessory"] = button("Vote", VOTE, f"{poll.id}:{n}")
        blocks.append(block)
    people = "member has" if results.voters == 1 else "members have"
    blocks.append(
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": f"{results.voters} {people} voted."}
            ],
        }
    )
    return blocks


def drawer(zone: ZoneInfo) -> Callable[[Poll, Results], list[Block]]:
    """`poll_message` for the partnership's time zone, as the domain's `Draw`."""
    return lambda poll, results: poll_message(poll, results, zone)


def parse_vote(value: str) -> tuple[int, int] | None:
    """(poll id, option index) from a button's value, or None if it is not one of ours."""
    poll_id, _, index = value.partition(":")
    if not (poll_id.isdigit() and index.isdigit()):
        return None
    return int(poll_id), int(index)


def create_modal(today: date) -> Block:
    """The chair's form for a new poll; it closes in a week at 17:00 unless changed."""
    question = {"type": "plain_text_input", "action_id": "value", "max_length": 500}
    options = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": True,
        "placeholder": plain("One option per line (2 to 10)"),
    }
    settings = {
        "type": "checkboxes",
        "action_id": "value",
        "options": [
            {
                "text": plain("Members may choose more than one option"),
                "value": "multiple",
            },
            {
                "text": plain("Named: the chair can see who chose what"),
                "value": "named",
            },
        ],
    }
    day = {
        "type": "datepicker",
        "action_id": "value",
        "initial_date": (today + timedelta(days=7)).isoformat(),
    }
    hour = {"type": "timepicker", "action_id": "value", "initial_time": "17:00"}
    return {
        "type": "modal",
        "callback_id": CREATE,
        "title": plain("New poll", 24),
        "submit": plain("Create and post", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            input_block("question", "Question", question),
            input_block("options", "Options, one per line", options),
            input_block("settings", "Settings", settings, optional=True),
            input_block("closes_date", "Closing date", day),
            input_block("closes_time", "Closing time", hour),
        ],
    }


def _value(state: dict[str, Any], block_id: str) -> dict[str, Any]:
    found: dict[str, Any] = state.get(block_id, {}).get("value", {})
    return found


def draft_from_state(state: dict[str, Any]) -> PollDraft:
    """The poll typed into `create_modal` (checked later by the domain).

    Raises:
        ValueError: The date or time picker sent something unreadable.
    """
    ticked = {
        o["value"] for o in _value(state, "settings").get("selected_options") or []
    }
    day = date.fromisoformat(str(_value(state, "closes_date").get("selected_date")))
    hour = time.fromisoformat(str(_value(state, "closes_time").get("selected_time")))
    return PollDraft(
        question=str(_value(state, "question").get("value") or ""),
        options=split_options(str(_value(state, "options").get("value") or "")),
        closes_local=datetime.combine(day, hour),
        multiple="multiple" in ticked,
        anonymous="named" not in ticked,
    )


FIELD_BLOCKS = {"question": "question", "options": "options", "closes": "closes_date"}
