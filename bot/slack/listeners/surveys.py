"""Answering a survey in Slack: the "Answer" button in the invitation DM opens a modal,
changing an answer that other questions depend on redraws it, and Submit stores the
answers through the same domain call as the web form."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.domain import members as m
from bot.domain import surveys
from bot.errors import UserFacingError
from bot.runtime import Services
from bot.slack import flows
from bot.slack import survey_blocks as sb
from bot.slack.listeners import SlackCall, guarded
from bot.store.tables import Survey

CLOSED_TITLE = "Survey"


def register(app: AsyncApp) -> None:
    app.action(surveys.ANSWER_ACTION)(guarded(open_modal))
    app.action(sb.CHANGE_ACTION)(guarded(redraw))
    app.view(sb.CALLBACK)(guarded(submit))


async def _respondent(call: SlackCall, survey_id: int) -> tuple[Survey, str]:
    """The open survey and the key the clicking member was invited under.

    Raises:
        UserFacingError: Not a member, not invited, answered already, not open.
    """
    services = call.services
    member = await flows.find_member(services, await call.person())
    if member is None or member.status != m.ACTIVE or member.id is None:
        raise UserFacingError(flows.NOT_A_MEMBER)
    async with services.sessions() as session:
        survey = await surveys.get_survey(session, survey_id)
        surveys.check_open(survey, services.clock.now())
        key = await surveys.member_respondent_key(session, survey_id, member.id)
        if key is None:
            raise surveys.NotInvitedError("This survey was not sent to you.")
        invitation = await surveys.find_invitation(session, survey_id, key)
    if survey.anonymous and invitation is not None and invitation.answered:
        raise surveys.AlreadyAnsweredError(
            "You have already answered this survey. Thank you."
        )
    return survey, key


def _survey_id(value: object) -> int:
    text = str(value or "")
    if not text.isdigit():
        raise UserFacingError("That button no longer works.")
    return int(text)


async def open_modal(call: SlackCall) -> None:
    await call.ack()
    survey_id = _survey_id((call.body.get("actions") or [{}])[0].get("value"))
    survey, key = await _respondent(call, survey_id)
    answers: dict[str, Any] = {}
    if not survey.anonymous:  # a named survey shows the earlier answers to change
        async with call.services.sessions() as session:
            earlier = await surveys.find_named_response(session, survey_id, key)
        answers = dict(earlier.answers) if earlier else {}
    view = sb.survey_modal(survey, surveys.definition_of(survey), answers)
    await call.client.views_open(trigger_id=str(call.body["trigger_id"]), view=view)


async def redraw(call: SlackCall) -> None:
    """An answer others depend on changed: show or hide the questions that depend on it."""
    await call.ack()
    view = call.body.get("view") or {}
    services: Services = call.services
    async with services.sessions() as session:
        survey = await surveys.get_survey(
            session, _survey_id(view.get("private_metadata"))
        )
    definition = surveys.definition_of(survey)
    answers = sb.answers_from_state(view, definition)
    await call.client.views_update(
        view_id=str(view.get("id")),
        hash=view.get("hash"),
        view=sb.survey_modal(survey, definition, answers),
    )


async def submit(call: SlackCall) -> None:
    view = call.body.get("view") or {}
    try:
        survey_id = _survey_id(view.get("private_metadata"))
        survey, key = await _respondent(call, survey_id)
        async with call.services.sessions() as session:
            await surveys.submit(
                session,
                survey_id,
                key,
                sb.answers_from_state(view, surveys.definition_of(survey)),
                now=call.services.clock.now(),
            )
    except surveys.AnswersError as error:
        await _show_errors(call, view, error)
        return
    except UserFacingError as error:
        await call.ack(
            response_action="update", view=sb.message_view(CLOSED_TITLE, str(error))
        )
        return
    thanks = "Thank you: your answers are recorded."
    if survey.anonymous:
        thanks += " They are kept with no link to you."
    await call.ack(response_action="update", view=sb.message_view("Thank you", thanks))


async def _show_errors(
    call: SlackCall, view: dict[str, Any], error: surveys.AnswersError
) -> None:
    """Errors next to the inputs; if a question now applies that the modal does not show
    yet (Submit pressed before the redraw), show it instead, for the person to answer."""
    shown = set(((view.get("state") or {}).get("values") or {}).keys())
    errors = {k: v for k, v in error.errors.items() if k in shown}
    if errors:
        await call.ack(response_action="errors", errors=errors)
        return
    async with call.services.sessions() as session:
        survey = await surveys.get_survey(
            session, _survey_id(view.get("private_metadata"))
        )
    definition = surveys.definition_of(survey)
    answers = sb.answers_from_state(view, definition)
    modal = sb.survey_modal(survey, definition, answers)
    await call.ack(response_action="update", view=modal)
