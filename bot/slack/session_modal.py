"""The chair's session modal (new and edit) and the cancel confirmation, and reading them back.

Session cards (announcements, DMs, `/forum sessions`) are built on the domain side in
bot/domain/forum/cards.py, because invitations queue them through the outbox.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.forum.sessions import ForumRules, SessionDetails
from bot.domain.forum.times import describe_when
from bot.slack.blocks import Block, escape, input_block, plain
from bot.store.tables import ForumSession

EDIT = "session_edit"  # callback_id of the new/edit modal; private_metadata is the id or ""
CANCEL = "session_cancel"  # callback_id of the cancel confirmation
SEND = "send"
# Domain error fields -> the modal block that shows them.
FIELD_BLOCKS = {
    "title": "title",
    "start": "start_time",
    "starts": "start_time",
    "end": "end_time",
    "ends": "end_time",
    "capacity": "capacity",
    "join_url": "join_url",
    "joining link": "join_url",
    "topic": "topic",
    "agenda item": "items",
    "audience_topics": "audience_topics",
    "audience_organisations": "audience_organisations",
}


def _input(
    block_id: str, label: str, element: Block, *, optional: bool = False
) -> Block:
    """An input whose element's action id is "value" (how the submission is read back)."""
    element = {"action_id": "value", **element}
    return input_block(block_id, label, element, optional=optional)


def _text(initial: str | None, *, multiline: bool = False, limit: int = 200) -> Block:
    element: Block = {
        "type": "plain_text_input",
        "multiline": multiline,
        "max_length": limit,
    }
    if initial:
        element["initial_value"] = initial
    return element


def _choices(
    label: str, block_id: str, options: tuple[str, ...], chosen: tuple[str, ...]
) -> Block:
    element: Block = {
        "type": "multi_static_select",
        "placeholder": plain("Everyone"),
        "options": [{"text": plain(o), "value": o} for o in options[:100]],
    }
    if chosen:
        element["initial_options"] = [
            {"text": plain(o), "value": o} for o in chosen if o in options
        ]
    return _input(block_id, label, element, optional=True)


def _send(label: str) -> Block:
    option = {"text": plain(label), "value": SEND}
    element = {"type": "checkboxes", "options": [option], "initial_options": [option]}
    return _input("send", "Messages", element, optional=True)


def session_modal(
    rules: ForumRules, details: SessionDetails, session_id: int | None
) -> Block:
    """New (session_id None) or edit: every field of a session, times in UK time."""
    capacity: Block = {
        "type": "number_input",
        "is_decimal_allowed": False,
        "min_value": "1",
    }
    if details.capacity:
        capacity["initial_value"] = str(details.capacity)
    day = {"type": "datepicker", "initial_date": details.starts.date().isoformat()}
    blocks = [
        _input("title", "Title", _text(details.title)),
        _input("date", "Date", day),
        _input(
            "start_time",
            "Starts (UK time)",
            {"type": "timepicker", "initial_time": f"{details.starts:%H:%M}"},
        ),
        _input(
            "end_time",
            "Ends (UK time)",
            {"type": "timepicker", "initial_time": f"{details.ends:%H:%M}"},
        ),
        _input("topic", "Topic", _text(details.topic), optional=True),
        _input(
            "description",
            "Description",
            _text(details.description, multiline=True, limit=3000),
            optional=True,
        ),
        _input(
            "join_url",
            "Online joining link",
            _text(details.join_url, limit=1000),
            optional=True,
        ),
        _input("capacity", "Places (empty for no limit)", capacity, optional=True),
        _input(
            "items",
            "Own agenda items, one a line (the fixed ones come first)",
            _text("\n".join(details.items), multiline=True, limit=2000),
            optional=True,
        ),
        _choices(
            "Invite members following these topics",
            "audience_topics",
            rules.topics,
            details.audience_topics,
        ),
        _choices(
            "Invite these organisations",
            "audience_organisations",
            rules.organisations,
            details.audience_organisations,
        ),
        _send(
            "Send the updates to everyone invited"
            if session_id
            else "Send the invitations now"
        ),
    ]
    return {
        "type": "modal",
        "callback_id": EDIT,
        "private_metadata": str(session_id or ""),
        "title": plain("Edit session" if session_id else "New forum session", 24),
        "submit": plain("Save", 24),
        "close": plain("Close", 24),
        "blocks": blocks,
    }


def cancel_modal(row: ForumSession, zone: ZoneInfo) -> Block:
    when = describe_when(row.starts_at, row.ends_at, zone)
    words = f"Cancel *{escape(row.title)}*, {when}?\nEveryone invited is told by email and Slack."
    return {
        "type": "modal",
        "callback_id": CANCEL,
        "private_metadata": str(row.id),
        "title": plain("Cancel session", 24),
        "submit": plain("Cancel the session", 24),
        "close": plain("Keep it", 24),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": words}}],
    }


def _value(state: dict[str, Any], block_id: str) -> dict[str, Any]:
    found: dict[str, Any] = state.get(block_id, {}).get("value", {})
    return found


def _picked(state: dict[str, Any], block_id: str) -> tuple[str, ...]:
    return tuple(
        str(o["value"]) for o in _value(state, block_id).get("selected_options") or []
    )


def details_from_state(state: dict[str, Any]) -> tuple[SessionDetails, bool]:
    """The session typed into the modal (checked later by the domain), and whether to send.

    Raises:
        ValueError: A picker or number field sent something unreadable.
    """
    day = date.fromisoformat(str(_value(state, "date").get("selected_date")))
    starts = datetime.combine(
        day, time.fromisoformat(str(_value(state, "start_time").get("selected_time")))
    )
    ends = datetime.combine(
        day, time.fromisoformat(str(_value(state, "end_time").get("selected_time")))
    )
    capacity = _value(state, "capacity").get("value")
    details = SessionDetails(
        title=str(_value(state, "title").get("value") or ""),
        starts=starts,
        ends=ends,
        topic=_value(state, "topic").get("value") or None,
        description=str(_value(state, "description").get("value") or ""),
        join_url=_value(state, "join_url").get("value") or None,
        capacity=int(capacity) if capacity else None,
        items=tuple(
            line
            for line in str(_value(state, "items").get("value") or "").splitlines()
            if line.strip()
        ),
        audience_topics=_picked(state, "audience_topics"),
        audience_organisations=_picked(state, "audience_organisations"),
    )
    return details, SEND in _picked(state, "send")
