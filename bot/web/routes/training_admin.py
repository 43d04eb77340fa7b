"""Admin pages for training: events with their utilisation and a chart, a new event, a
booking system's CSV upload, and each event's non-attendance list (page and CSV). The
learning and development team and admins only; every form carries a CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from bot.domain.training import utilisation as u
from bot.domain.training.events import (
    clean_event,
    get_event,
    save_event,
    take_turn,
)
from bot.domain.training.importing import TrainingImport, import_training
from bot.errors import InvalidInputError
from bot.runtime import Services
from bot.web.chair import require_roles
from bot.web.deps import ServicesDep, TemplatesDep
from bot.web.forms import bind
from bot.web.routes.admin import AdminDep
from bot.web.training_forms import MAX_UPLOAD, EventForm, UploadForm

router = APIRouter(prefix="/admin/training")
ROLES = ("admin", "learning")
PAGE = "web/admin/training.html.j2"


def _learning(admin: tuple[str, tuple[str, ...]]) -> None:
    """Signed in, but only the learning team and admins see delegates' bookings."""
    require_roles(
        admin,
        ROLES,
        "Only the learning and development team or an admin can see training.",
    )


async def _context(services: Services, **more: Any) -> dict[str, Any]:
    async with services.sessions() as session:
        events = await u.event_figures(session)
    courses = u.by_course(events)
    chart = {c.course: c.counts.utilisation or 0.0 for c in courses}
    return {
        "events": list(reversed(events)),
        "courses": courses,
        "total": u.total(events),
        "chart": chart,
        "zone": services.settings.zone,
        "report": None,
        **more,
    }


async def _page(
    request: Request,
    services: Services,
    templates: TemplatesDep,
    admin: tuple[str, tuple[str, ...]],
    *,
    status: int = 200,
    **more: Any,
) -> Response:
    event_form = more.pop("event_form", None)
    upload_form = more.pop("upload_form", None)
    if event_form is None:
        event_form = await bind(EventForm, request)
    if upload_form is None:
        upload_form = await bind(UploadForm, request)
    context = await _context(
        services,
        admin=admin,
        event_form=event_form,
        upload_form=upload_form,
        done=request.query_params.get("done"),
        **more,
    )
    return templates.TemplateResponse(request, PAGE, context, status_code=status)


@router.get("")
async def training_page(
    request: Request, services: ServicesDep, templates: TemplatesDep, admin: AdminDep
) -> Response:
    _learning(admin)
    return await _page(request, services, templates, admin)


@router.post("/events")
async def new_event(
    request: Request, services: ServicesDep, templates: TemplatesDep, admin: AdminDep
) -> Response:
    _learning(admin)
    form: EventForm = await bind(EventForm, request)
    if form.validate():
        try:
            async with services.sessions() as session:
                clean = clean_event(form.details(), services.settings.zone)
                await take_turn(session)
                event, _ = await save_event(session, clean)
                await session.commit()
        except InvalidInputError as error:
            form.show_error(error)
        else:
            return RedirectResponse(
                f"/admin/training?done=created-{event.ref}", status_code=303
            )
    return await _page(request, services, templates, admin, status=400, event_form=form)


async def _upload(form: UploadForm) -> bytes:
    """The uploaded file's bytes. Raises:
    InvalidInputError: No file chosen, or too large.
    """
    upload = form.file.data
    if not isinstance(upload, UploadFile):
        raise InvalidInputError("Choose a CSV file to upload.")
    try:
        data = await upload.read(MAX_UPLOAD + 1)
    finally:
        await upload.close()
    if not upload.filename:
        raise InvalidInputError("Choose a CSV file to upload.")
    if len(data) > MAX_UPLOAD:
        raise InvalidInputError("The file is larger than 5 MB; split it and try again.")
    return data


@router.post("/import")
async def import_csv(
    request: Request, services: ServicesDep, templates: TemplatesDep, admin: AdminDep
) -> Response:
    """Import and show what happened on the same page, with each rejected row's line."""
    _learning(admin)
    form: UploadForm = await bind(UploadForm, request)
    report: TrainingImport | None = None
    if form.validate():
        try:
            data = await _upload(form)
            async with services.sessions() as session:
                report = await import_training(
                    session,
                    data,
                    kind=form.kind.data or None,
                    zone=services.settings.zone,
                )
        except InvalidInputError as error:
            form.file.errors = [*form.file.errors, str(error)]
    status = 200 if report is not None else 400
    return await _page(
        request,
        services,
        templates,
        admin,
        status=status,
        upload_form=form,
        report=report,
    )


@router.get("/{ref}/nonattendance")
async def nonattendance_page(
    ref: str,
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: AdminDep,
) -> Response:
    _learning(admin)
    async with services.sessions() as session:
        event = await get_event(session, ref)
        absent = await u.non_attendance(session, ref)
    context = {
        "admin": admin,
        "event": event,
        "absent": absent,
        "zone": services.settings.zone,
    }
    return templates.TemplateResponse(
        request, "web/admin/training_nonattendance.html.j2", context
    )


@router.get("/{ref}/nonattendance.csv")
async def nonattendance_csv(
    ref: str, services: ServicesDep, admin: AdminDep
) -> Response:
    """For invoicing: cells cannot start a formula when the file is opened."""
    _learning(admin)
    async with services.sessions() as session:
        text = await u.non_attendance_csv(session, ref, services.settings.zone)
    name = "".join(c if c.isalnum() or c in "-_" else "-" for c in ref)[:60]
    stamp = f"{services.clock.now().astimezone(services.settings.zone):%Y%m%d}"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="nonattendance-{name}-{stamp}.csv"'
        },
    )
