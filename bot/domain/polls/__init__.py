"""Polls of members: the chair asks, members vote by Slack, email link, web or phone.

One vote per member per poll, changeable until the poll closes; results as counts,
percentages, a chart and CSV. The modules: `drafts` (checking a new poll), `voting`
(create, vote), `closing`, `results` (counting, CSV) and `announcing` (Slack post and emails).
"""

from bot.domain.polls.announcing import (
    Announced,
    Draw,
    announce_configured,
    announce_poll,
    publish_results,
    refresh_open_polls,
    refresh_slack_post,
)
from bot.domain.polls.closing import (
    close_and_publish,
    close_due_polls,
    close_poll,
    unpublished_poll_ids,
)
from bot.domain.polls.drafts import (
    POLL_ROLES,
    NotAMemberError,
    PollClosedError,
    PollDraft,
    PollNotFoundError,
    closing_time,
    local_text,
    split_options,
)
from bot.domain.polls.results import (
    OptionResult,
    Results,
    member_votes,
    poll_results,
    results_csv,
)
from bot.domain.polls.voting import (
    CLOSED,
    OPEN,
    check_choices,
    check_voter,
    create_poll,
    find_poll,
    find_vote,
    get_poll,
    is_open,
    list_polls,
    read_vote_link,
    remember_slack_message,
    toggle_choice,
    vote,
)

__all__ = [
    "CLOSED",
    "OPEN",
    "POLL_ROLES",
    "Announced",
    "Draw",
    "NotAMemberError",
    "OptionResult",
    "PollClosedError",
    "PollDraft",
    "PollNotFoundError",
    "Results",
    "announce_configured",
    "announce_poll",
    "check_choices",
    "check_voter",
    "close_and_publish",
    "close_due_polls",
    "close_poll",
    "closing_time",
    "create_poll",
    "find_poll",
    "find_vote",
    "get_poll",
    "is_open",
    "list_polls",
    "local_text",
    "member_votes",
    "poll_results",
    "publish_results",
    "read_vote_link",
    "refresh_open_polls",
    "refresh_slack_post",
    "remember_slack_message",
    "results_csv",
    "split_options",
    "toggle_choice",
    "unpublished_poll_ids",
    "vote",
]
