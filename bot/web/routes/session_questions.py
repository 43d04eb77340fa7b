"""Questions in advance on the web: a member's form (signed "forum" link), the chair's ranked
list, and the attendance figures across sessions.

The member's page is prefetch-safe: GET only shows the form and the questions so far;
asking is a POST with a CSRF token.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from wtforms import BooleanField, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from bot.domain.forum import attendance, questions
from bot.domain.forum.sessions import get_session
from bot.domain.forum.times import describe_when
from bot.errors import UserFacingError
from bot.runtime import Services
from bot.web.chair import ChairDep
from bot.web.deps import ServicesDep, TemplatesDep
from bot.web.forms import SecureForm, bind

router = APIRouter()


class QuestionForm(SecureForm):
    session = SelectField("Which session", coerce=int, validate_choice=True)
    text = TextAreaField(
        "Your question for the open questions and answers",
        [
            DataRequired("Write your question."),
            Length(
                max=questions.MAX_LENGTH,
                message="Keep your question under 1000 characters.",
            ),
        ],
    )
    anonymous = BooleanField(
        "Ask anonymously: nobody, the chair included, will know it was you"
    )


class QuestionStatusForm(SecureForm):
    status = HiddenField(validators=[DataRequired()])


async def _member_page(
    services: Services, token: str, form: QuestionForm
) -> dict[str, Any]:
    """The asking member and, for each session taking questions, its ranked list."""
    async with services.sessions() as session:
        member = await questions.member_from_link(session, services.links, token)
        upcoming = await questions.upcoming_sessions(session, services.clock.now())
        lists = [
            (row, await questions.ranked(session, row.id or 0)) for row in upcoming
        ]
    zone = services.settings.zone
    form.session.choices = [
        (row.id, f"{row.title}, {describe_when(row.starts_at, row.ends_at, zone)}")
        for row in upcoming
    ]
    return {"member": member, "form": form, "sessions": lists, "token": token}


@router.api_route("/forum/{token}/questions", methods=["GET", "POST"])
async def member_questions(
    token: str, request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    form: QuestionForm = await bind(QuestionForm, request)
    context = await _member_page(services, token, form)
    if request.method == "POST" and form.validate():
        try:
            async with services.sessions() as session:
                asked = await questions.ask(
                    session,
                    form.session.data,
                    None if form.anonymous.data else context["member"],
                    form.text.data or "",
                    channel="web",
                    now=services.clock.now(),
                )
                await session.commit()
        except UserFacingError as error:
            form.text.errors = [*form.text.errors, str(error)]
        else:
            fresh = await _member_page(
                services, token, await bind(QuestionForm, request)
            )
            fresh["form"].text.data = ""
            fresh["asked"] = asked
            return templates.TemplateResponse(
                request, "web/forum/questions.html.j2", fresh
            )
    status = 400 if request.method == "POST" else 200
    return templates.TemplateResponse(
        request, "web/forum/questions.html.j2", context, status_code=status
    )


@router.get("/admin/sessions/{session_id}/questions")
async def chair_questions(
    session_id: int,
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: ChairDep,
) -> Response:
    async with services.sessions() as session:
        row = await get_session(session, session_id)
        ranked = await questions.ranked(session, session_id, include_hidden=True)
    context = {
        "admin": admin,
        "row": row,
        "when": describe_when(row.starts_at, row.ends_at, services.settings.zone),
        "questions": ranked,
        "form": await bind(QuestionStatusForm, request),
    }
    return templates.TemplateResponse(
        request, "web/admin/session_questions.html.j2", context
    )


@router.post("/admin/sessions/{session_id}/questions/{question_id}")
async def set_question_status(
    session_id: int,
    question_id: int,
    request: Request,
    services: ServicesDep,
    _admin: ChairDep,  # the chair or an admin: the dependency refuses anyone else
) -> Response:
    form: QuestionStatusForm = await bind(QuestionStatusForm, request)
    if not form.validate():
        raise UserFacingError("That form has expired; please go back and try again.")
    async with services.sessions() as session:
        question = await questions.get_question(session, question_id)
        if question.session_id != session_id:
            raise UserFacingError("That question belongs to another session.")
        await questions.set_status(session, question_id, form.status.data or "")
        await session.commit()
    return RedirectResponse(f"/admin/sessions/{session_id}/questions", status_code=303)


@router.get("/admin/forum/figures")
async def figures_page(
    request: Request, services: ServicesDep, templates: TemplatesDep, admin: ChairDep
) -> Response:
    async with services.sessions() as session:
        every = await attendance.all_figures(session, now=services.clock.now())
    zone = services.settings.zone
    chart = {
        f"{f.title} ({f.starts_at.astimezone(zone):%d %b %Y})": f.attended
        for f in every
    }
    context = {"admin": admin, "figures": every, "chart": chart, "zone": zone}
    return templates.TemplateResponse(
        request, "web/admin/forum_figures.html.j2", context
    )
