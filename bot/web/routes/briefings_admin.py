"""Admin pages for briefings: list, write or edit (Markdown with a preview), approve, publish,
withdraw. Authors are the admin, communications, learning and chair roles; approving,
publishing and withdrawing are checked again in the domain (admin or communications)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.domain import briefings as b
from bot.domain.briefings.kinds import KINDS
from bot.domain.briefings.publishing import publish
from bot.domain.briefings.records import can_approve, can_author
from bot.domain.briefings.style import facts
from bot.errors import InvalidInputError, UserFacingError
from bot.runtime import Services
from bot.store.tables import Briefing
from bot.web.briefing_forms import BriefingForm, initial
from bot.web.deps import ServicesDep, TemplatesDep
from bot.web.forms import ButtonForm, bind
from bot.web.routes.admin import AdminDep

router = APIRouter()
Admin = tuple[str, tuple[str, ...]]


def _author(admin: Admin) -> None:
    if not can_author(admin[1]):
        raise UserFacingError("Your role cannot write or manage briefings.")


@router.get("/admin/briefings")
async def briefings_page(
    request: Request, services: ServicesDep, templates: TemplatesDep, admin: AdminDep
) -> Response:
    _author(admin)
    async with services.sessions() as session:
        rows = await b.list_briefings(session)
    context = {
        "admin": admin,
        "rows": rows,
        "kinds": KINDS,
        "form": await bind(ButtonForm, request),
        "approver": can_approve(admin[1]),
        "done": request.query_params.get("done"),
        "zone": services.settings.zone,
    }
    return templates.TemplateResponse(request, "web/admin/briefings.html.j2", context)


def _preview(services: Services, form: BriefingForm) -> dict[str, Any] | None:
    """The page rendering of what the form holds, or None (with the error on the form)."""
    try:
        draft = b.check(form.draft(), tuple(services.settings.topics))
    except InvalidInputError as error:
        form.show_error(str(error), error.field)
        return None
    row = Briefing(slug="preview", **{**draft.__dict__, "topics": list(draft.topics)})
    return {**facts(row, services.links.base_url), "zone": services.settings.zone}


async def _form_page(
    request: Request,
    services: Services,
    templates: TemplatesDep,
    form: BriefingForm,
    row: Briefing | None,
    save: Any,
) -> Response:
    """Preview (GET, or the Preview button) or save (the Save button) the form."""
    posted = request.method == "POST"
    valid = form.validate() if posted else True
    preview = _preview(services, form) if valid and form.title.data else None
    if posted and valid and preview is not None and "save" in (await request.form()):
        try:
            done = await save(b.check(form.draft(), tuple(services.settings.topics)))
        except InvalidInputError as error:
            form.show_error(str(error), error.field)
        else:
            return RedirectResponse(f"/admin/briefings?done={done}", status_code=303)
    status = 400 if posted and form.errors else 200
    context = {"form": form, "row": row, "preview": preview}
    return templates.TemplateResponse(
        request, "web/admin/briefing_form.html.j2", context, status_code=status
    )


@router.api_route("/admin/briefings/new", methods=["GET", "POST"])
async def new_briefing(
    request: Request, services: ServicesDep, templates: TemplatesDep, admin: AdminDep
) -> Response:
    _author(admin)
    form: BriefingForm = await bind(BriefingForm, request)
    form.offer(services.settings.topics)

    async def save(draft: b.Draft) -> str:
        async with services.sessions() as session:
            row = await b.create(session, draft, by=admin[0], now=services.clock.now())
            await session.commit()
        return f"created:{row.slug}"

    return await _form_page(request, services, templates, form, None, save)


@router.api_route("/admin/briefings/{briefing_id}/edit", methods=["GET", "POST"])
async def edit_briefing(
    briefing_id: int,
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: AdminDep,
) -> Response:
    _author(admin)
    async with services.sessions() as session:
        row = await b.get_briefing(session, briefing_id)
    form: BriefingForm = await bind(BriefingForm, request, **initial(row))
    form.offer(services.settings.topics)

    async def save(draft: b.Draft) -> str:
        async with services.sessions() as session:
            await b.edit(
                session, briefing_id, draft, by=admin[0], now=services.clock.now()
            )
            await session.commit()
        return f"saved:{row.slug}"

    return await _form_page(request, services, templates, form, row, save)


async def _act(services: Services, action: str, briefing_id: int, admin: Admin) -> str:
    now, roles = services.clock.now(), admin[1]
    async with services.sessions() as session:
        if action == "approve":
            row = await b.approve(
                session, briefing_id, by=admin[0], roles=roles, now=now
            )
        elif action == "withdraw":
            row = await b.withdraw(session, briefing_id, roles=roles, now=now)
        else:
            done = await publish(
                session,
                briefing_id,
                room=services.mailroom,
                roles=roles,
                channel=services.settings.slack_forum_channel,
                now=now,
            )
            row, action = done.briefing, "already" if done.already else "publish"
        await session.commit()
    return f"{action}:{row.slug}"


@router.post("/admin/briefings/{briefing_id}/{action}")
async def act(
    briefing_id: int,
    action: str,
    request: Request,
    services: ServicesDep,
    admin: AdminDep,
) -> Response:
    """approve, publish or withdraw: buttons on the list, each with its CSRF token."""
    _author(admin)
    if action not in ("approve", "publish", "withdraw"):
        raise InvalidInputError(f"Unknown action {action!r}.")
    form: ButtonForm = await bind(ButtonForm, request)
    if not form.validate():
        raise InvalidInputError("The form had expired. Please try again.")
    done = await _act(services, action, briefing_id, admin)
    return RedirectResponse(f"/admin/briefings?done={done}", status_code=303)
