"""Admin pages for surveys: list, write or edit a definition as YAML (checked, with the
problems shown next to the text), open (inviting the audience) and close.

Admins, the chair and the learning team reach them (`SURVEY_ROLES`). Reports are on
/admin/surveys/ID/report (bot.web.routes.survey_reports).
"""

from __future__ import annotations

from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel.ext.asyncio.session import AsyncSession
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from bot.domain import surveys
from bot.errors import InvalidInputError
from bot.runtime import Services
from bot.store.tables import Survey
from bot.web.chair import roles_dep
from bot.web.deps import ServicesDep, TemplatesDep
from bot.web.forms import ButtonForm, SecureForm, bind

router = APIRouter(prefix="/admin/surveys")
SURVEY_ROLES = frozenset({"admin", "chair", "learning"})
Admin = tuple[str, tuple[str, ...]]


class DefinitionForm(SecureForm):
    text = TextAreaField(
        "The survey, in YAML",
        [DataRequired("Write the survey."), Length(max=100_000)],
    )


survey_admin = roles_dep(
    SURVEY_ROLES,
    "Only the forum's admins, the chair and the learning team can run surveys.",
)
SurveyAdminDep = Annotated[Admin, Depends(survey_admin)]


@router.get("")
async def list_page(
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: SurveyAdminDep,
) -> Response:
    async with services.sessions() as session:
        found = await surveys.list_surveys(session)
        counts = {s.id: await surveys.response_count(session, s.id or 0) for s in found}
    context: dict[str, Any] = {
        "admin": admin,
        "surveys": found,
        "counts": counts,
        "zone": services.settings.zone,
        "form": await bind(ButtonForm, request),
        "notice": request.query_params.get("notice", ""),
    }
    return templates.TemplateResponse(request, "web/admin/surveys.html.j2", context)


async def _edit(
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: Admin,
    initial: str,
    survey_id: int | None = None,
) -> Response:
    """The form; on a valid POST, a new survey (`survey_id` None) or survey `survey_id`
    updated, never another one named by the slug in the text."""
    form: DefinitionForm = await bind(DefinitionForm, request, text=initial)
    problems: list[str] = []
    if request.method == "POST" and form.validate():
        try:
            definition = surveys.parse_definition(form.text.data or "", "The survey")
            async with services.sessions() as session:
                survey = await _store(session, services, definition, survey_id)
                await session.commit()
            return _back(f"saved-{survey.id}")
        except InvalidInputError as error:
            problems = str(error).splitlines()
            form.text.errors = [*form.text.errors, problems[0]]
    status = 400 if request.method == "POST" else 200
    context = {"admin": admin, "form": form, "problems": problems[1:]}
    return templates.TemplateResponse(
        request, "web/admin/survey_form.html.j2", context, status_code=status
    )


async def _store(
    session: AsyncSession,
    services: Services,
    definition: surveys.Definition,
    survey_id: int | None,
) -> Survey:
    zone = services.settings.zone
    if survey_id is None:
        return await surveys.create_definition(
            session, definition, zone=zone, now=services.clock.now()
        )
    return await surveys.update_definition(session, survey_id, definition, zone=zone)


@router.api_route("/new", methods=["GET", "POST"])
async def new_survey(
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: SurveyAdminDep,
) -> Response:
    return await _edit(request, services, templates, admin, "")


@router.api_route("/{survey_id}/edit", methods=["GET", "POST"])
async def edit_survey(
    survey_id: int,
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: SurveyAdminDep,
) -> Response:
    async with services.sessions() as session:
        survey = await surveys.get_survey(session, survey_id)
    text = yaml.safe_dump(survey.definition, sort_keys=False, allow_unicode=True)
    return await _edit(request, services, templates, admin, text, survey_id)


async def _confirmed(request: Request) -> bool:
    """Whether a button's form carries a valid CSRF token."""
    form: ButtonForm = await bind(ButtonForm, request)
    return bool(form.validate())


def _back(notice: str) -> Response:
    return RedirectResponse(f"/admin/surveys?notice={notice}", status_code=303)


@router.post("/{survey_id}/open")
async def open_survey(
    survey_id: int, request: Request, services: ServicesDep, _admin: SurveyAdminDep
) -> Response:
    if not await _confirmed(request):
        return _back("expired")
    async with services.sessions() as session:
        _, invited = await surveys.open_survey(
            session,
            survey_id,
            post=services.mailroom,
            zone=services.settings.zone,
            now=services.clock.now(),
        )
        await session.commit()
    return _back(f"opened-{invited}")


@router.post("/{survey_id}/close")
async def close_survey(
    survey_id: int, request: Request, services: ServicesDep, _admin: SurveyAdminDep
) -> Response:
    if not await _confirmed(request):
        return _back("expired")
    async with services.sessions() as session:
        await surveys.set_status(
            session, survey_id, surveys.CLOSED, now=services.clock.now()
        )
        await session.commit()
    return _back("closed")
