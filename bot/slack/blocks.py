"""Pure Block Kit builders and parsers: views and messages as dicts, no network."""

from __future__ import annotations

from typing import Any

from bot.domain.blockkit import Block, button, escape, input_block, plain, text
from bot.domain.chat import clip
from bot.domain.conversation import Reply
from bot.domain.members import ACTIVE, Choices, Profile
from bot.store.tables import Member

# The Block Kit primitives live in the domain (which builds chat messages too); the Slack
# channel's modules take them from here with the views below.
__all__ = ["Block", "button", "escape", "input_block", "plain", "text"]
MAX_OPTIONS = 100  # static and multi-static selects


HELP = (
    "*Practitioner Forum commands*\n"
    "`/forum join`: join the forum (or link your Slack account to your membership)\n"
    "`/forum prefs`: choose your topics and how we contact you\n"
    "`/forum leave`: stop forum messages\n"
    "`/forum sessions`: upcoming forum sessions\n"
    "`/forum briefings`: the latest learning briefings\n"
    "`/forum ask <question>`: ask about procedures and escalation\n"
    "`/forum question`: send a question for the next forum's open Q&A (anonymously if you like)\n"
    "`/forum questions`: the questions sent so far; upvote the ones you want answered\n"
    "You can also send me a direct message."
)
ADMIN_HELP = (
    "*Admin commands* (admins and the chair only)\n"
    "`/forum admin members`: member counts\n"
    "`/forum admin find <email>`: one member's record\n"
    "`/forum admin announce <text>`: post to the forum channel\n"
    "`/forum session new`, `/forum session edit <id>`, `/forum session cancel <id>`: "
    "schedule, change or cancel a forum session\n"
    "`/forum poll`: create a poll of members (admins and the chair)\n"
    "`/forum attended <session id> @name @name`: mark who came to a session\n"
    "`/forum training attended <event ref> @name @name`: mark who came to a course "
    "(learning team and admins)"
)


def help_blocks(*, is_admin: bool) -> list[Block]:
    blocks = [text(HELP)]
    if is_admin:
        blocks += [{"type": "divider"}, text(ADMIN_HELP)]
    return blocks


def member_status(member: Member | None) -> str:
    if member is None:
        return "You are not a member of the Practitioner Forum yet."
    if member.status == ACTIVE:
        topics = ", ".join(member.topics) or "no topics chosen yet"
        return f"You are a member ({escape(member.email or '')}). Topics: {escape(topics)}."
    return f"Your membership is *{member.status}*: you get no forum messages."


def home_view(
    member: Member | None,
    *,
    is_admin: bool,
    counts: dict[str, int] | None = None,
    forum: list[Block] | None = None,
) -> Block:
    """The App Home tab: membership with its actions, how to ask, the forum's sessions and
    polls (`forum`, from bot.slack.home), and the admin corner."""
    actions = (
        [
            button("Preferences", "open_prefs"),
            button("Leave the forum", "leave", style="danger"),
        ]
        if member is not None and member.status == ACTIVE
        else [button("Join the forum", "open_join", style="primary")]
    )
    blocks: list[Block] = [
        {"type": "header", "text": plain("Practitioner Forum", 150)},
        text(member_status(member)),
        {"type": "actions", "block_id": "membership", "elements": actions},
        {"type": "divider"},
        text(
            "*Questions about procedures or escalation?* Send me a direct message or use `/forum ask`."
        ),
        *(forum or []),
    ]
    if is_admin:
        summary = ", ".join(
            f"{n} {status}" for status, n in (counts or {}).items() if n
        )
        blocks += [
            {"type": "divider"},
            text(f"*Admin*\nMembers: {summary or 'none yet'}."),
            {
                "type": "actions",
                "block_id": "admin",
                "elements": [button("Post an announcement", "admin_announce")],
            },
        ]
    return {"type": "home", "blocks": blocks}


def _options(values: tuple[str, ...] | list[str]) -> list[Block]:
    return [
        {"text": plain(v), "value": clip(v, 150)} for v in list(values)[:MAX_OPTIONS]
    ]


def _select(
    action_id: str,
    values: tuple[str, ...],
    chosen: str | None,
    *,
    multi: bool = False,
    picked: list[str] | None = None,
) -> Block:
    element: Block = {
        "type": "multi_static_select" if multi else "static_select",
        "action_id": action_id,
        "options": _options(values),
    }
    if multi and picked:
        element["initial_options"] = [
            o for o in _options(values) if o["value"] in picked
        ]
    elif chosen and chosen in values:
        element["initial_option"] = next(
            o for o in _options(values) if o["value"] == chosen
        )
    return element


def profile_blocks(profile: Profile, choices: Choices) -> list[Block]:
    """Inputs shared by the join and preferences modals, pre-filled from `profile`."""
    blocks = [
        input_block(
            "name",
            "Your name",
            {
                "type": "plain_text_input",
                "action_id": "value",
                "initial_value": clip(profile.name, 100),
                "max_length": 100,
            },
        ),
        input_block(
            "role",
            "Role or job title",
            {
                "type": "plain_text_input",
                "action_id": "value",
                "initial_value": profile.role or "",
                "max_length": 100,
            },
            optional=True,
        ),
    ]
    if choices.organisations:
        blocks.insert(
            1,
            input_block(
                "organisation",
                "Organisation",
                _select("value", choices.organisations, profile.organisation),
                optional=True,
            ),
        )
    if choices.sectors:
        blocks.append(
            input_block(
                "sector",
                "Sector",
                _select("value", choices.sectors, profile.sector),
                optional=True,
            )
        )
    if choices.topics:
        topics = _select(
            "value", choices.topics, None, multi=True, picked=list(profile.topics)
        )
        blocks.append(
            input_block(
                "topics", "Topics you want to hear about", topics, optional=True
            )
        )
    channel_options = [
        {"text": plain("Email"), "value": "email"},
        {"text": plain("Slack"), "value": "slack"},
    ]
    channels: Block = {
        "type": "checkboxes",
        "action_id": "value",
        "options": channel_options,
    }
    chosen = [o for o in channel_options if o["value"] in profile.channels]
    if chosen:
        channels["initial_options"] = chosen
    blocks.append(
        input_block("channels", "How we contact you", channels, optional=True)
    )
    return blocks


def join_modal(profile: Profile, choices: Choices, email: str) -> Block:
    consent = {
        "type": "checkboxes",
        "action_id": "value",
        "options": [{"text": plain("I agree"), "value": "yes"}],
    }
    return {
        "type": "modal",
        "callback_id": "join",
        "title": plain("Join the forum", 24),
        "submit": plain("Join", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            text(f"You will join with your Slack address, *{escape(email)}*."),
            *profile_blocks(profile, choices),
            text(
                escape(choices.consent_wording)
                or "We keep your details to send you forum messages."
            ),
            input_block("consent", "Your agreement", consent),
        ],
    }


def prefs_modal(profile: Profile, choices: Choices) -> Block:
    return {
        "type": "modal",
        "callback_id": "prefs",
        "title": plain("Your choices", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "blocks": profile_blocks(profile, choices),
    }


def announce_modal() -> Block:
    body = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": True,
        "max_length": 2900,
    }
    return {
        "type": "modal",
        "callback_id": "announce",
        "title": plain("Announcement", 24),
        "submit": plain("Post", 24),
        "close": plain("Cancel", 24),
        "blocks": [input_block("text", "What to post in the forum channel", body)],
    }


def _value(state: dict[str, Any], block_id: str) -> Any:
    return state.get(block_id, {}).get("value", {})


def profile_from_state(state: dict[str, Any]) -> Profile:
    """A profile from a submitted modal's `view.state.values` (checked later by the domain)."""

    def chosen(block_id: str) -> str | None:
        option = _value(state, block_id).get("selected_option") or {}
        return option.get("value")

    def many(block_id: str) -> tuple[str, ...]:
        return tuple(
            o["value"] for o in _value(state, block_id).get("selected_options") or []
        )

    return Profile(
        name=_value(state, "name").get("value") or "",
        organisation=chosen("organisation"),
        role=_value(state, "role").get("value"),
        sector=chosen("sector"),
        topics=many("topics"),
        channels=many("channels") or ("email",),
    )


def consented(state: dict[str, Any]) -> bool:
    return any(
        o.get("value") == "yes"
        for o in _value(state, "consent").get("selected_options") or []
    )


def announcement_from_state(state: dict[str, Any]) -> str:
    return str(_value(state, "text").get("value") or "").strip()


def member_card(member: Member) -> list[Block]:
    fields = [
        ("Name", member.name),
        ("Email", member.email),
        ("Organisation", member.organisation),
        ("Role", member.role),
        ("Status", member.status),
        ("Topics", ", ".join(member.topics)),
        ("Slack", f"<@{member.slack_user_id}>" if member.slack_user_id else None),
    ]
    lines = "\n".join(
        f"*{k}:* {escape(v) if k != 'Slack' else v}" for k, v in fields if v
    )
    return [text(lines)]


def reply_blocks(reply: Reply) -> list[Block]:
    """A reply with its feedback buttons, and a button to pass the question on when unsure."""
    blocks = [text(escape(reply.text))]
    if reply.question_id is None:
        return blocks
    value = str(reply.question_id)
    buttons = [
        button("Helpful", "kb_helpful", value),
        button("Not helpful", "kb_unhelpful", value),
    ]
    if reply.kind in ("handoff", "answer"):
        buttons.append(
            button(
                "Pass to the team",
                "kb_handoff",
                value,
                style="primary" if reply.kind == "handoff" else None,
            )
        )
    return [*blocks, {"type": "actions", "block_id": "answer", "elements": buttons}]
