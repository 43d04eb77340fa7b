"""Report pages: a survey's (or a course's evaluations') figures with accessible charts, and
every response as CSV.

Admins, the chair and the learning team (`REPORT_ROLES`) reach them. Answers are shown as
typed, escaped by the templates; the CSV cannot start a formula in a spreadsheet.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.surveys import reports
from bot.domain.surveys.report_summary import rate_line
from bot.web.chair import roles_dep
from bot.web.deps import ServicesDep, TemplatesDep

router = APIRouter(prefix="/admin")
REPORT_ROLES = frozenset({"admin", "chair", "learning"})


report_reader = roles_dep(
    REPORT_ROLES,
    "Only the forum's admins, the chair and the learning team can read survey reports.",
)
ReaderDep = Annotated[tuple[str, tuple[str, ...]], Depends(report_reader)]


Collect = Callable[[AsyncSession, int], Awaitable[reports.Collected]]
KINDS: dict[str, tuple[Collect, str]] = {
    "surveys": (reports.collect_survey, "survey-{}-responses.csv"),
    "courses": (reports.collect_course, "course-{}-evaluations.csv"),
}


async def report_page(
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: ReaderDep,
    kind: str,
    number: int,
) -> Response:
    collect, _ = KINDS[kind]
    async with services.sessions() as session:
        report = reports.build_report(await collect(session, number))
        report = await reports.with_utilisation(session, report)
    context = {
        "admin": admin,
        "report": report,
        "rate_line": rate_line(report),
        "csv_url": f"/admin/{kind}/{number}/report.csv",
        "zone": services.settings.zone,
    }
    return templates.TemplateResponse(
        request, "web/admin/survey_report.html.j2", context
    )


async def report_csv(services: ServicesDep, kind: str, number: int) -> Response:
    collect, filename = KINDS[kind]
    async with services.sessions() as session:
        text = await reports.responses_csv(session, await collect(session, number))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename.format(number)}"'
        },
    )


@router.get("/surveys/{survey_id}/report")
async def survey_page(
    survey_id: int,
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: ReaderDep,
) -> Response:
    return await report_page(request, services, templates, admin, "surveys", survey_id)


@router.get("/surveys/{survey_id}/report.csv")
async def survey_csv(
    survey_id: int, services: ServicesDep, _admin: ReaderDep
) -> Response:
    return await report_csv(services, "surveys", survey_id)


@router.get("/courses/{course_id}/report")
async def course_page(
    course_id: int,
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: ReaderDep,
) -> Response:
    """All the evaluations of a course's events together, with its utilisation."""
    return await report_page(request, services, templates, admin, "courses", course_id)


@router.get("/courses/{course_id}/report.csv")
async def course_csv(
    course_id: int, services: ServicesDep, _admin: ReaderDep
) -> Response:
    return await report_csv(services, "courses", course_id)
