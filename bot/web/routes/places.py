"""Places and feedback on the web: one-click RSVP links, a member's forum page, feedback.

No login: each page is reached by a signed link from an email. GET pages only show a
button (mail scanners and link previews fetch links; they must not reply for anyone);
the POST acts. A tampered or stale link is refused with the error page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3, not in its stubs yet
from wtforms.validators import AnyOf, InputRequired, Length

from bot.domain.forum import feedback, places, sessions
from bot.domain.forum.notices import ForumPost, member_from_item, session_id_of
from bot.errors import InvalidInputError, InvalidLinkError, UserFacingError
from bot.runtime import Services
from bot.web.deps import ServicesDep, TemplatesDep
from bot.web.forms import ButtonForm, SecureForm, bind

router = APIRouter()
RATING_LABELS = ("1 – poor", "2", "3 – fair", "4", "5 – excellent")


class PlaceForm(SecureForm):
    """One attend or decline button on the forum page."""

    session_id = HiddenField(validators=[InputRequired()])
    answer = HiddenField(validators=[AnyOf(["yes", "no"])])


class FeedbackForm(SecureForm):
    rating = RadioField(
        "How useful was the session?",
        choices=[
            SelectChoice(str(n), label)
            for n, label in enumerate(RATING_LABELS, start=1)
        ],
        validators=[InputRequired("Choose a rating from 1 to 5.")],
    )
    comment = TextAreaField(
        "Anything you would like to tell the chair (optional)",
        [Length(max=feedback.MAX_COMMENT)],
    )


def _post(services: Services) -> ForumPost:
    return ForumPost.of(services.mailroom, services.settings)


def _answer(items: list[int | str]) -> bool:
    if len(items) != 2 or items[1] not in ("yes", "no"):
        raise InvalidLinkError("This link is not valid.")
    return items[1] == "yes"


@router.api_route("/rsvp/{token}", methods=["GET", "POST"])
async def rsvp(
    token: str, request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    form: ButtonForm = await bind(ButtonForm, request)
    post, now = _post(services), services.clock.now()
    async with services.sessions() as session:
        member, items = await member_from_item(
            session, services.links, "rsvp", token, 2
        )
        row = await sessions.get_session(session, session_id_of(items))
        yes, reply = _answer(items), None
        if request.method == "POST" and form.validate():
            reply = await places.respond(
                session, post, row.id or 0, member, yes, channel="email", now=now
            )
            await session.commit()
        context: dict[str, Any] = {
            "form": form,
            "member": member,
            "yes": yes,
            "reply": reply,
            **post.facts(row, member),
        }
    status = 400 if request.method == "POST" and reply is None else 200
    return templates.TemplateResponse(
        request, "web/forum/rsvp.html.j2", context, status_code=status
    )


async def _page(
    request: Request,
    services: Services,
    templates: TemplatesDep,
    token: str,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    post, now = _post(services), services.clock.now()
    async with services.sessions() as session:
        member, _ = await member_from_item(session, services.links, "forum", token, 0)
        rows = await sessions.list_sessions(session, now=now, when="upcoming")
        mine = await places.statuses(session, member.id or 0, [r.id or 0 for r in rows])
    form: PlaceForm = await bind(PlaceForm, request)
    upcoming = [
        {
            "row": r,
            "status": mine.get(r.id or 0),
            "open": r.status == "scheduled" and now < r.starts_at,
            **post.facts(r, member),
        }
        for r in rows
    ]
    context = {
        "member": member,
        "upcoming": upcoming,
        "form": form,
        "notice": notice,
        "token": token,
    }
    return templates.TemplateResponse(
        request, "web/forum/page.html.j2", context, status_code=status
    )


@router.get("/forum/{token}")
async def forum_page(
    token: str, request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    return await _page(request, services, templates, token)


@router.post("/forum/{token}/places")
async def forum_reply(
    token: str, request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    form: PlaceForm = await bind(PlaceForm, request)
    if not form.validate() or not str(form.session_id.data).isdigit():
        notice = "That did not work (the page may have been open too long). Try again."
        return await _page(request, services, templates, token, notice, 400)
    async with services.sessions() as session:
        member, _ = await member_from_item(session, services.links, "forum", token, 0)
        reply = await places.respond(
            session,
            _post(services),
            int(str(form.session_id.data)),
            member,
            form.answer.data == "yes",
            channel="web",
            now=services.clock.now(),
        )
        await session.commit()
    return await _page(request, services, templates, token, reply.saying)


@router.api_route("/feedback/{token}", methods=["GET", "POST"])
async def feedback_form(
    token: str, request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    saved, reminder, now = False, None, services.clock.now()
    async with services.sessions() as session:
        member, items = await member_from_item(
            session, services.links, "feedback", token, 1
        )
        row = await sessions.get_session(session, session_id_of(items))
        found = await feedback.find(session, row.id or 0, member.id or 0)
        initial = (
            {"rating": str(found.rating), "comment": found.comment} if found else {}
        )
        form: FeedbackForm = await bind(FeedbackForm, request, **initial)
        if request.method == "POST" and form.validate():
            try:
                stored = await feedback.save(
                    session,
                    row.id or 0,
                    member,
                    rating=int(form.rating.data or 0),
                    comment=form.comment.data,
                    now=now,
                )
                await session.commit()
                saved, reminder = True, stored.reminder
                form.comment.data = stored.comment  # what was kept, not what was typed
            except InvalidInputError as error:
                field = getattr(form, error.field or "rating")
                field.errors = [*field.errors, str(error)]
            except UserFacingError as error:
                form.rating.errors = [*form.rating.errors, str(error)]
        context = {
            "form": form,
            "member": member,
            "saved": saved,
            "reminder": reminder,
            "answered": found is not None,
            "title": row.title,
        }
    status = 400 if request.method == "POST" and form.errors else 200
    return templates.TemplateResponse(
        request, "web/forum/feedback.html.j2", context, status_code=status
    )
