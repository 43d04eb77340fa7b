"""Surveys and course evaluations: definitions (YAML or the web), invitations, answers kept
apart from who answered when anonymous, reminders.

Modules: `definition` (the contract), `loading` (YAML), `store` (save, open, close),
`audience` (who is asked), `inviting` (invitations and reminders through the outbox), `opening`,
`answers` (checking answers), `responding` (storing them; anonymity), `privacy`
(subject access and erasure); `reports` and `tally` build the reports.
"""

from bot.domain.surveys.answers import AnswersError, check_answers
from bot.domain.surveys.audience import (
    Respondent,
    audience_respondents,
    booking_key,
    from_member,
    matches,
    member_key,
    member_respondent_key,
    respondent_email,
    respondents_for,
)
from bot.domain.surveys.definition import Definition, Question, met
from bot.domain.surveys.inviting import (
    ANSWER_ACTION,
    invite,
    read_survey_link,
    send_reminders,
    survey_url,
)
from bot.domain.surveys.loading import parse_definition, read_definition, survey_files
from bot.domain.surveys.opening import invite_opened, open_survey
from bot.domain.surveys.responding import (
    AlreadyAnsweredError,
    NotInvitedError,
    find_invitation,
    find_named_response,
    submit,
)
from bot.domain.surveys.store import (
    CLOSED,
    DRAFT,
    OPEN,
    SurveyClosedError,
    SurveyNotFoundError,
    check_open,
    close_due,
    create_definition,
    definition_of,
    due_to_close,
    get_survey,
    is_open,
    list_surveys,
    lock_survey,
    response_count,
    save_definition,
    set_status,
    update_definition,
)

__all__ = [
    "ANSWER_ACTION",
    "CLOSED",
    "DRAFT",
    "OPEN",
    "AlreadyAnsweredError",
    "AnswersError",
    "Definition",
    "NotInvitedError",
    "Question",
    "Respondent",
    "SurveyClosedError",
    "SurveyNotFoundError",
    "audience_respondents",
    "booking_key",
    "check_answers",
    "check_open",
    "close_due",
    "create_definition",
    "definition_of",
    "due_to_close",
    "find_invitation",
    "find_named_response",
    "from_member",
    "get_survey",
    "invite",
    "invite_opened",
    "is_open",
    "list_surveys",
    "lock_survey",
    "matches",
    "member_key",
    "member_respondent_key",
    "met",
    "open_survey",
    "parse_definition",
    "read_definition",
    "read_survey_link",
    "respondent_email",
    "respondents_for",
    "response_count",
    "save_definition",
    "send_reminders",
    "set_status",
    "submit",
    "survey_files",
    "survey_url",
    "update_definition",
]
