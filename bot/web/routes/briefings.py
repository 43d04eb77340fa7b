"""The public archive: published briefings (page, printable page, RSS feed) and past newsletters.

Anyone may read these, as the partnership's website links to them; drafts, approved but
unpublished and withdrawn briefings are not found here.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import col, select

from bot.domain.briefings import KINDS, PUBLISHED, get_briefing, list_briefings
from bot.domain.briefings.rss import feed_xml
from bot.domain.briefings.style import facts
from bot.errors import NotFoundError
from bot.runtime import Services
from bot.store.tables import Briefing, Newsletter
from bot.web.deps import ServicesDep, TemplatesDep

router = APIRouter()
NEWSLETTER_SENT = "sent"  # bot.domain.newsletters' status of an issue that has gone out


def _base(services: Services) -> str:
    return services.links.base_url


async def _published(services: Services, slug: str) -> Briefing:
    async with services.sessions() as session:
        row = await get_briefing(session, slug)
    if row.status != PUBLISHED:
        raise NotFoundError(f"There is no published briefing {slug!r}.")
    return row


@router.get("/briefings")
async def archive(
    request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    kind = request.query_params.get("kind") or None
    if kind not in KINDS:
        kind = None
    async with services.sessions() as session:
        rows = await list_briefings(session, status=PUBLISHED, kind=kind)
    context = {
        "rows": rows,
        "kinds": KINDS,
        "kind": kind,
        "zone": services.settings.zone,
    }
    return templates.TemplateResponse(request, "web/briefings/list.html.j2", context)


@router.get("/briefings/feed.xml")
async def feed(services: ServicesDep) -> Response:
    async with services.sessions() as session:
        rows = await list_briefings(session, status=PUBLISHED, limit=50)
    body = feed_xml(
        rows,
        base_url=_base(services),
        title=services.settings.partnership_name,
        now=services.clock.now(),
    )
    return Response(body, media_type="application/rss+xml; charset=utf-8")


def _page(services: Services, row: Briefing) -> dict[str, Any]:
    return {**facts(row, _base(services)), "zone": services.settings.zone}


@router.get("/briefings/{slug}")
async def show(
    slug: str, request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    row = await _published(services, slug)
    return templates.TemplateResponse(
        request, "web/briefings/show.html.j2", _page(services, row)
    )


@router.get("/briefings/{slug}/print")
async def printable(
    slug: str, request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    row = await _published(services, slug)
    return templates.TemplateResponse(
        request, "web/briefings/print.html.j2", _page(services, row)
    )


@router.get("/newsletters")
async def newsletters(
    request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    statement = (
        select(Newsletter)
        .where(col(Newsletter.status) == NEWSLETTER_SENT)
        .order_by(col(Newsletter.period_start).desc())
    )
    async with services.sessions() as session:
        rows = list((await session.exec(statement.limit(200))).all())
    context = {"rows": rows, "zone": services.settings.zone}
    return templates.TemplateResponse(request, "web/newsletters/list.html.j2", context)


@router.get("/newsletters/{newsletter_id}")
async def newsletter(
    newsletter_id: int,
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
) -> Response:
    async with services.sessions() as session:
        row = await session.get(Newsletter, newsletter_id)
    if row is None or row.status != NEWSLETTER_SENT:
        raise NotFoundError(f"There is no sent newsletter {newsletter_id}.")
    content = row.content or {}
    context = {
        "row": row,
        "chair_note": content.get("chair_note"),
        "sections": content.get("sections") or [],
        "zone": services.settings.zone,
    }
    return templates.TemplateResponse(request, "web/newsletters/show.html.j2", context)
