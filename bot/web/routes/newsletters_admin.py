"""Admin pages for the newsletter and campaign reports: drafts, the chair's note, a
preview, a test copy, approval to send, and per-campaign figures with a chart.

Admins and the communications team do everything; the chair may open an issue, preview it,
send themselves a test copy and write the chair's note, but not change the title or send. Sending from the web approves the
issue for the send-newsletters job (within a minute, in the background, resumable) rather
than queuing thousands of copies inside one web request.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from bot.domain import campaigns
from bot.domain import newsletters as nl
from bot.domain.newsletters.review import NOTE_ROLES, REVIEW_ROLES
from bot.errors import InvalidInputError, NotFoundError, UserFacingError
from bot.runtime import Services
from bot.web.deps import ServicesDep, TemplatesDep
from bot.web.forms import ButtonForm, SecureForm, bind
from bot.web.routes.admin import AdminDep

router = APIRouter()
Admin = tuple[str, tuple[str, ...]]
DONE = {
    "test": "A test copy is on its way to you.",
    "send": "Approved: it goes to all members within a minute.",
}


class DraftForm(SecureForm):
    title = StringField(
        "Title", [DataRequired("Give the issue a title."), Length(max=300)]
    )
    chair_note = TextAreaField("A note from the chair (optional)", [Length(max=5000)])


class NoteForm(SecureForm):
    """The chair's form: the note only."""

    chair_note = TextAreaField("A note from the chair (optional)", [Length(max=5000)])


class MonthForm(SecureForm):
    month = StringField("Month it goes out (YYYY-MM)", [DataRequired("Enter a month.")])


def can_send(admin: Admin) -> bool:
    return bool(set(REVIEW_ROLES) & set(admin[1]))


def newsletter_admin(admin: AdminDep) -> Admin:
    """Raises:
    UserFacingError: Signed in, but neither an admin, communications nor the chair.
    """
    if not set(REVIEW_ROLES + NOTE_ROLES) & set(admin[1]):
        raise UserFacingError(
            "Only admins, the communications team and the chair reach the newsletter."
        )
    return admin


def newsletter_sender(admin: AdminDep) -> Admin:
    """Raises:
    UserFacingError: Signed in, but neither an admin nor communications.
    """
    if not can_send(admin):
        raise UserFacingError(
            "Only admins and the communications team start and send the newsletter."
        )
    return admin


NewsletterAdminDep = Annotated[Admin, Depends(newsletter_admin)]
SenderDep = Annotated[Admin, Depends(newsletter_sender)]


@router.api_route("/admin/newsletters", methods=["GET", "POST"])
async def list_page(
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: NewsletterAdminDep,
) -> Response:
    zone, now = services.settings.zone, services.clock.now()
    form: MonthForm = await bind(MonthForm, request, month=nl.month_of(now, zone))
    if request.method == "POST" and not can_send(admin):
        newsletter_sender(admin)
    if request.method == "POST" and form.validate():
        try:
            async with services.sessions() as session:
                row, _ = await nl.create_draft(
                    session, month=form.month.data or "", zone=zone, now=now
                )
                await session.commit()
            return RedirectResponse(f"/admin/newsletters/{row.id}", status_code=303)
        except InvalidInputError as error:
            form.month.errors = [str(error)]
    async with services.sessions() as session:
        rows = await nl.list_newsletters(session)
    context = {
        "admin": admin,
        "rows": rows,
        "form": form,
        "zone": zone,
        "can_send": can_send(admin),
    }
    status = 400 if form.errors else 200
    return templates.TemplateResponse(
        request, "web/admin/newsletters.html.j2", context, status_code=status
    )


async def _content(services: Services, session: Any, row: Any) -> dict[str, Any]:
    zone, base = services.settings.zone, services.links.base_url
    return await nl.content_for(
        session, row, zone=zone, base_url=base, now=services.clock.now()
    )


@router.api_route("/admin/newsletters/{newsletter_id}", methods=["GET", "POST"])
async def issue_page(
    newsletter_id: int,
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: NewsletterAdminDep,
) -> Response:
    async with services.sessions() as session:
        row = await nl.get_newsletter(
            session, newsletter_id, lock=request.method == "POST"
        )
        sender = can_send(admin)
        form = await bind(
            DraftForm if sender else NoteForm,
            request,
            title=row.title,
            chair_note=row.chair_note,
        )
        if request.method == "POST" and form.validate():
            try:
                title = form.title.data if sender else None
                nl.edit_draft(row, title=title, chair_note=form.chair_note.data)
                await session.commit()
                return RedirectResponse(
                    f"/admin/newsletters/{row.id}?saved=1", status_code=303
                )
            except InvalidInputError as error:
                form.chair_note.errors = [str(error)]
        content = await _content(services, session, row)
        report = await campaigns.campaign_reports(session, [row.campaign])
    context = {
        "admin": admin,
        "row": row,
        "form": form,
        "buttons": await bind(ButtonForm, request),
        "sections": content["sections"],
        "report": report[0] if report else None,
        "saved": request.query_params.get("saved") == "1",
        "can_send": sender,
        "done": DONE.get(request.query_params.get("done") or ""),
        "zone": services.settings.zone,
    }
    status = 400 if form.errors else 200
    return templates.TemplateResponse(
        request, "web/admin/newsletter.html.j2", context, status_code=status
    )


@router.get("/admin/newsletters/{newsletter_id}/preview")
async def preview(
    newsletter_id: int, services: ServicesDep, _admin: NewsletterAdminDep
) -> Response:
    """The issue as a sample member would get it, for the page's sandboxed iframe."""
    async with services.sessions() as session:
        row = await nl.get_newsletter(session, newsletter_id)
        content = await _content(services, session, row)
    message = nl.preview_message(
        services.mailroom,
        content,
        campaign=row.campaign,
        topics=list(services.settings.topics[:2]),
        now=services.clock.now(),
    )
    headers = {
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    }
    return HTMLResponse(nl.html_part(message), headers=headers)


@router.post("/admin/newsletters/{newsletter_id}/{action}")
async def act(
    newsletter_id: int,
    action: str,
    request: Request,
    services: ServicesDep,
    admin: NewsletterAdminDep,
) -> Response:
    """`test`: a copy to the signed-in admin. `send`: approve it to go now.

    Raises:
        InvalidInputError: The form's CSRF token is missing, wrong or expired: nothing is
            done, and the admin is told so rather than shown a "done" notice.
    """
    form: ButtonForm = await bind(ButtonForm, request)
    if action not in ("test", "send"):
        raise NotFoundError("There is no such page.")
    if not form.validate():
        raise InvalidInputError("The form had expired. Please try again.")
    if action == "send":
        newsletter_sender(admin)
    async with services.sessions() as session:
        row = await nl.get_newsletter(session, newsletter_id, lock=True)
        now = services.clock.now()
        if action == "test":
            zone = services.settings.zone
            await nl.queue_test_copies(
                session, services.mailroom, row, [admin[0]], zone=zone, now=now
            )
        else:
            nl.send_soon(row, now=now)
        await session.commit()
    return RedirectResponse(
        f"/admin/newsletters/{newsletter_id}?done={action}", status_code=303
    )


@router.get("/admin/reports")
async def reports_page(
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: SenderDep,
) -> Response:
    async with services.sessions() as session:
        found = await campaigns.campaign_reports(session, limit=100)
    chart = {r.campaign: r.sent for r in found[:12]}
    context = {
        "admin": admin,
        "reports": found,
        "chart": chart,
        "clicks": services.settings.click_tracking,
    }
    return templates.TemplateResponse(request, "web/admin/reports.html.j2", context)
