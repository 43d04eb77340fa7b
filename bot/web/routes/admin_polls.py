"""Admin pages for polls: list, create, close, announce, results with a chart, CSV download.

Only admins and the chair (`polls.POLL_ROLES`) reach them; they alone see names on named polls.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from bot import poll_actions
from bot.domain import polls
from bot.errors import InvalidInputError
from bot.web.chair import roles_dep
from bot.web.deps import ServicesDep, TemplatesDep
from bot.web.forms import ButtonForm, bind
from bot.web.poll_forms import PollForm

router = APIRouter(prefix="/admin/polls")


poll_admin = roles_dep(
    polls.POLL_ROLES, "Only the forum's admins and chair can run polls."
)
PollAdminDep = Annotated[tuple[str, tuple[str, ...]], Depends(poll_admin)]


@router.get("")
async def list_page(
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: PollAdminDep,
) -> Response:
    async with services.sessions() as session:
        found = await polls.list_polls(session)
    context = {"admin": admin, "polls": found, "zone": services.settings.zone}
    return templates.TemplateResponse(request, "web/admin/polls.html.j2", context)


@router.api_route("/new", methods=["GET", "POST"])
async def new_poll(
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: PollAdminDep,
) -> Response:
    form: PollForm = await bind(PollForm, request)
    if request.method == "POST" and form.validate():
        try:
            async with services.sessions() as session:
                poll = await polls.create_poll(
                    session,
                    form.draft(),
                    created_by=admin[0],
                    zone=services.settings.zone,
                    now=services.clock.now(),
                )
                if form.announce.data:
                    await poll_actions.announce(services, session, poll)
            return RedirectResponse(f"/admin/polls/{poll.id}", status_code=303)
        except InvalidInputError as error:
            form.show_error(error)
    status = 400 if request.method == "POST" else 200
    return templates.TemplateResponse(
        request,
        "web/admin/poll_new.html.j2",
        {"admin": admin, "form": form},
        status_code=status,
    )


@router.get("/{poll_id}")
async def poll_page(
    poll_id: int,
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: PollAdminDep,
) -> Response:
    async with services.sessions() as session:
        poll = await polls.get_poll(session, poll_id)
        results = await polls.poll_results(session, poll, for_admin=True)
    context = {
        "admin": admin,
        "poll": poll,
        "results": results,
        "open": polls.is_open(poll, services.clock.now()),
        "closes": polls.local_text(poll.closes_at, services.settings.zone)
        if poll.closes_at
        else "",
        "form": await bind(ButtonForm, request),
    }
    return templates.TemplateResponse(request, "web/admin/poll.html.j2", context)


@router.post("/{poll_id}/close")
async def close_poll(
    poll_id: int, request: Request, services: ServicesDep, _admin: PollAdminDep
) -> Response:
    form: ButtonForm = await bind(ButtonForm, request)
    if form.validate():
        async with services.sessions() as session:
            await poll_actions.close(services, session, poll_id)
    return RedirectResponse(f"/admin/polls/{poll_id}", status_code=303)


@router.post("/{poll_id}/announce")
async def announce_poll(
    poll_id: int, request: Request, services: ServicesDep, _admin: PollAdminDep
) -> Response:
    form: ButtonForm = await bind(ButtonForm, request)
    if form.validate():
        async with services.sessions() as session:
            poll = await polls.get_poll(session, poll_id)
            await poll_actions.announce(services, session, poll)
    return RedirectResponse(f"/admin/polls/{poll_id}", status_code=303)


@router.get("/{poll_id}/results.csv")
async def results_csv(
    poll_id: int, services: ServicesDep, _admin: PollAdminDep
) -> Response:
    async with services.sessions() as session:
        poll = await polls.get_poll(session, poll_id)
        results = await polls.poll_results(session, poll, for_admin=True)
    return Response(
        polls.results_csv(results),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="poll-{poll_id}.csv"'},
    )
