"""The front page: what this is and where to go."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.web.deps import ServicesDep, TemplatesDep

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def home(
    request: Request, services: ServicesDep, templates: TemplatesDep
) -> HTMLResponse:
    context = {"catcher": services.settings.uses_catcher}
    return templates.TemplateResponse(request, "web/home.html.j2", context)
