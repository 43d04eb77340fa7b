"""Answering a survey from an emailed link: GET shows the form (opening a link records
nothing, so mail scanners answer for nobody), POST checks and stores the answers.

Anonymous surveys take one response; named surveys may be answered again until they close
(the form shows the earlier answers and the new ones replace them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import surveys
from bot.errors import InvalidLinkError
from bot.store.tables import Survey
from bot.web.deps import ServicesDep, TemplatesDep
from bot.web.forms import ButtonForm, bind
from bot.web.survey_view import posted_answers, shown_questions

router = APIRouter()


async def _respondent(
    session: AsyncSession, services: ServicesDep, token: str
) -> tuple[Survey, str]:
    """The survey and respondent key a link was made for.

    Raises:
        InvalidLinkError: Altered, expired, or its person erased or re-addressed.
        SurveyNotFoundError: The survey was deleted.
    """
    survey_id, key, print_ = surveys.read_survey_link(services.links, token)
    if not surveys.matches(await surveys.respondent_email(session, key), print_):
        raise InvalidLinkError("This link is no longer valid.")
    return await surveys.get_survey(session, survey_id), key


def _done(
    request: Request, templates: Jinja2Templates, survey: Survey, state: str
) -> Response:
    """The page after answering, or instead of the form (closed, answered already)."""
    return templates.TemplateResponse(
        request, "web/survey_done.html.j2", {"survey": survey, "state": state}
    )


@router.api_route("/surveys/{token}", methods=["GET", "POST"])
async def survey_page(
    token: str, request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    now = services.clock.now()
    async with services.sessions() as session:
        survey, key = await _respondent(session, services, token)
        if not surveys.is_open(survey, now):
            early = survey.status == surveys.DRAFT or (
                survey.opens_at is not None and now < survey.opens_at
            )
            return _done(request, templates, survey, "not_open" if early else "closed")
        invitation = await surveys.find_invitation(session, survey.id or 0, key)
        if invitation is None:
            raise surveys.NotInvitedError("This survey was not sent to you.")
        if survey.anonymous and invitation.answered:
            return _done(request, templates, survey, "already")
        definition = surveys.definition_of(survey)
        form = await bind(ButtonForm, request)
        if request.method == "POST":
            return await _post(request, templates, session, survey, key, form, now)
        earlier = await surveys.find_named_response(session, survey.id or 0, key)
        entered = dict(earlier.answers) if earlier and not survey.anonymous else {}
        context = {"answered_before": earlier is not None and not survey.anonymous}
        return _form(
            request,
            templates,
            survey,
            form,
            shown_questions(definition, entered),
            context,
        )


async def _post(
    request: Request,
    templates: Jinja2Templates,
    session: AsyncSession,
    survey: Survey,
    key: str,
    form: ButtonForm,
    now: datetime,
) -> Response:
    definition = surveys.definition_of(survey)
    raw = posted_answers(definition, await request.form())
    if not form.validate():
        context = {
            "form_error": "The page had expired: please check your answers and send them again."
        }
        return _form(
            request,
            templates,
            survey,
            form,
            shown_questions(definition, raw),
            context,
            400,
        )
    try:
        await surveys.submit(session, survey.id or 0, key, raw, now=now)
    except surveys.AnswersError as exc:
        questions = shown_questions(definition, raw, exc.errors)
        return _form(request, templates, survey, form, questions, {}, 400)
    except surveys.AlreadyAnsweredError:
        return _done(request, templates, survey, "already")
    except surveys.SurveyClosedError:
        return _done(request, templates, survey, "closed")
    return _done(request, templates, survey, "thanks")


def _form(
    request: Request,
    templates: Jinja2Templates,
    survey: Survey,
    form: ButtonForm,
    questions: list[Any],
    extra: dict[str, Any],
    status: int = 200,
) -> Response:
    context = {
        "survey": survey,
        "form": form,
        "questions": questions,
        "errors": [q for q in questions if q.error],
        "form_error": None,
        "answered_before": False,
        **extra,
    }
    return templates.TemplateResponse(
        request, "web/survey.html.j2", context, status_code=status
    )
