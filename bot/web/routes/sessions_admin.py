"""Admin pages for forum sessions: list, create, edit, cancel, send invitations; and the public
calendar download. Admins and the chair only; every form carries a CSRF token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.forum import sessions as s
from bot.domain.forum.calendar import invitation
from bot.domain.forum.invitations import send_due
from bot.domain.forum.notices import ForumPost
from bot.errors import InvalidInputError
from bot.runtime import Services
from bot.web.chair import require_chair as _chair
from bot.web.deps import ServicesDep, TemplatesDep
from bot.web.forms import ButtonForm, bind
from bot.web.routes.admin import AdminDep
from bot.web.session_forms import SessionForm, initial

router = APIRouter()


def _rules(services: Services) -> s.ForumRules:
    return s.ForumRules.from_settings(services.settings)


async def _invite(session: AsyncSession, services: Services, session_id: int) -> None:
    await send_due(
        session,
        services.mailroom,
        services.settings,
        session_id,
        now=services.clock.now(),
    )


@router.get("/admin/sessions")
async def sessions_page(
    request: Request, services: ServicesDep, templates: TemplatesDep, admin: AdminDep
) -> Response:
    _chair(admin)
    now = services.clock.now()
    async with services.sessions() as session:
        upcoming = await s.list_sessions(session, now=now)
        past = await s.list_sessions(session, now=now, when="past")
    form = await bind(ButtonForm, request)
    context = {
        "admin": admin,
        "upcoming": upcoming,
        "past": past[:20],
        "form": form,
        "zone": services.settings.zone,
        "sent": request.query_params.get("sent"),
    }
    return templates.TemplateResponse(request, "web/admin/sessions.html.j2", context)


async def _save_or_show(
    request: Request,
    templates: TemplatesDep,
    form: SessionForm,
    session_id: int | None,
    save: Callable[[], Awaitable[str]],
) -> Response:
    """On a valid POST, `save` and go back to the list; else the form with its errors."""
    if request.method == "POST" and form.validate():
        try:
            done = await save()
        except InvalidInputError as error:
            form.show_error(error)
        else:
            return RedirectResponse(f"/admin/sessions?sent={done}", status_code=303)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "session_id": session_id}
    return templates.TemplateResponse(
        request, "web/admin/session_form.html.j2", context, status_code=status
    )


@router.api_route("/admin/sessions/new", methods=["GET", "POST"])
async def new_session(
    request: Request, services: ServicesDep, templates: TemplatesDep, admin: AdminDep
) -> Response:
    _chair(admin)
    rules = _rules(services)
    defaults = {"capacity": rules.default_capacity, "join_url": rules.default_join_url}
    form: SessionForm = await bind(SessionForm, request, **defaults)
    form.offer(rules)

    async def save() -> str:
        async with services.sessions() as session:
            row = await s.create_session(
                session,
                rules,
                form.details(),
                created_by=admin[0],
                now=services.clock.now(),
            )
            await session.commit()
        return f"created-{row.id}"

    return await _save_or_show(request, templates, form, None, save)


@router.api_route("/admin/sessions/{session_id}/edit", methods=["GET", "POST"])
async def edit_session(
    session_id: int,
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: AdminDep,
) -> Response:
    _chair(admin)
    rules = _rules(services)
    async with services.sessions() as session:
        current = s.details_of(await s.get_session(session, session_id), rules)
    form: SessionForm = await bind(SessionForm, request, **initial(current))
    form.offer(rules)

    async def save() -> str:
        async with services.sessions() as session:
            row, changed = await s.edit_session(
                session,
                ForumPost(services.mailroom, rules),
                session_id,
                form.details(),
                now=services.clock.now(),
            )
            if changed and form.notify.data and row.invited_at is not None:
                await _invite(session, services, session_id)
            await session.commit()
        return f"edited-{session_id}"

    return await _save_or_show(request, templates, form, session_id, save)


@router.api_route("/admin/sessions/{session_id}/cancel", methods=["GET", "POST"])
async def cancel_session(
    session_id: int,
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: AdminDep,
) -> Response:
    """GET asks to confirm; POST cancels and tells everyone invited."""
    _chair(admin)
    form: ButtonForm = await bind(ButtonForm, request)
    async with services.sessions() as session:
        row = await s.get_session(session, session_id)
        if request.method == "POST" and form.validate():
            await s.cancel_session(session, session_id, now=services.clock.now())
            await _invite(session, services, session_id)
            await session.commit()
            return RedirectResponse(
                f"/admin/sessions?sent=cancelled-{session_id}", status_code=303
            )
    context = {"form": form, "row": row, "zone": services.settings.zone}
    return templates.TemplateResponse(
        request, "web/admin/session_cancel.html.j2", context
    )


@router.post("/admin/sessions/{session_id}/invite")
async def invite(
    session_id: int, request: Request, services: ServicesDep, admin: AdminDep
) -> Response:
    _chair(admin)
    form: ButtonForm = await bind(ButtonForm, request)
    if not form.validate():
        raise InvalidInputError("The form had expired. Please try again.")
    async with services.sessions() as session:
        await _invite(session, services, session_id)
        await session.commit()
    return RedirectResponse(
        f"/admin/sessions?sent=invited-{session_id}", status_code=303
    )


@router.get("/sessions/{session_id}.ics")
async def calendar_file(session_id: int, services: ServicesDep) -> Response:
    """The session for any calendar, without the joining link (that goes to members only)."""
    async with services.sessions() as session:
        row = await s.get_session(session, session_id)
    sender = services.sender
    text = invitation(
        row,
        zone=services.settings.zone,
        organizer=(sender.name, sender.address),
        public=True,
    )
    return Response(
        text,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="forum-session-{session_id}.ics"'
        },
    )
