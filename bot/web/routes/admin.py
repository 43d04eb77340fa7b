"""Admin pages: sign in by an emailed one-time link, then the member list with counts and charts."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from bot.domain import admins
from bot.domain import members as m
from bot.domain.knowledge import asking, tickets
from bot.errors import SignInRequiredError
from bot.web.deps import ServicesDep, TemplatesDep
from bot.web.forms import ButtonForm, SignInForm, TicketAnswerForm, bind

router = APIRouter(prefix="/admin")


def signed_in(request: Request, services: ServicesDep) -> tuple[str, tuple[str, ...]]:
    """(address, roles) of the signed-in admin; roles are re-read from settings on every request.

    Raises:
        SignInRequiredError: Nobody is signed in, or they are no longer an admin.
    """
    address = request.session.get("admin")
    roles = services.settings.admin_roles.get(address or "")
    if not address or not roles:
        raise SignInRequiredError("Please sign in to see the admin pages.")
    return address, roles


AdminDep = Annotated[tuple[str, tuple[str, ...]], Depends(signed_in)]


@router.get("")
async def admin_home() -> Response:
    return RedirectResponse("/admin/members", status_code=303)


@router.api_route("/sign-in", methods=["GET", "POST"])
async def sign_in(
    request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    form: SignInForm = await bind(SignInForm, request)
    if request.method == "POST" and form.validate():
        async with services.sessions() as session:
            await admins.request_sign_in(
                session,
                services.mailroom,
                email=form.email.data or "",
                now=services.clock.now(),
            )
        return templates.TemplateResponse(request, "web/admin/sign_in_sent.html.j2", {})
    status = 400 if request.method == "POST" else 200
    return templates.TemplateResponse(
        request, "web/admin/sign_in.html.j2", {"form": form}, status_code=status
    )


@router.api_route("/sign-in/{token}", methods=["GET", "POST"])
async def sign_in_link(
    token: str, request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    form: ButtonForm = await bind(ButtonForm, request)
    services.links.read(
        "login", token
    )  # a tampered or expired link fails here, before any button
    if request.method == "POST" and form.validate():
        async with services.sessions() as session:
            address, _roles = await admins.complete_sign_in(
                session, services.mailroom, token=token, now=services.clock.now()
            )
        request.session.clear()
        request.session["admin"] = address
        return RedirectResponse("/admin/members", status_code=303)
    return templates.TemplateResponse(
        request, "web/admin/sign_in_confirm.html.j2", {"form": form}
    )


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/admin/sign-in", status_code=303)


@router.get("/members")
async def members_page(
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: AdminDep,
    q: str = "",
    status: str = "",
    organisation: str = "",
    topic: str = "",
) -> Response:
    async with services.sessions() as session:
        found = await m.list_members(
            session,
            search=q[:100],
            status=status or None,
            organisation=organisation or None,
            topic=topic or None,
        )
        counts = await m.count_members(session)
    context = {
        "admin": admin,
        "members": found,
        "counts": counts,
        "filters": {
            "q": q,
            "status": status,
            "organisation": organisation,
            "topic": topic,
        },
        "choices": services.mailroom.choices,
        "statuses": (m.PENDING, m.ACTIVE, m.UNSUBSCRIBED, m.BOUNCED),
    }
    return templates.TemplateResponse(request, "web/admin/members.html.j2", context)


@router.get("/tickets")
async def tickets_page(
    request: Request, services: ServicesDep, templates: TemplatesDep, admin: AdminDep
) -> Response:
    async with services.sessions() as session:
        waiting = await tickets.list_tickets(session)
        answered = [
            t
            for t in await tickets.list_tickets(session, status=None)
            if t.status == tickets.ANSWERED
        ]
    form = await bind(TicketAnswerForm, request)
    context = {
        "admin": admin,
        "waiting": waiting,
        "answered": answered[-20:],
        "form": form,
    }
    return templates.TemplateResponse(request, "web/admin/tickets.html.j2", context)


@router.post("/tickets/{ticket_id}")
async def answer_ticket(
    ticket_id: int,
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: AdminDep,
) -> Response:
    form: TicketAnswerForm = await bind(TicketAnswerForm, request)
    if not form.validate():
        return await tickets_page(request, services, templates, admin)
    async with services.sessions() as session:
        await tickets.answer_ticket(
            session,
            services.mailroom,
            ticket_id,
            form.answer.data or "",
            by=admin[0],
            now=services.clock.now(),
            save=bool(form.save.data),
        )
    return RedirectResponse("/admin/tickets", status_code=303)


@router.get("/questions")
async def questions_page(
    request: Request, services: ServicesDep, templates: TemplatesDep, admin: AdminDep
) -> Response:
    async with services.sessions() as session:
        found = await asking.report(
            session, since=services.clock.now() - timedelta(days=30)
        )
    return templates.TemplateResponse(
        request, "web/admin/questions.html.j2", {"admin": admin, **found}
    )
