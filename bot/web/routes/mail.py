"""/mail: the messages the local catcher caught, so a newcomer sees every email the bot sends."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.errors import NotFoundError
from bot.mail.catcher import find_caught, list_caught
from bot.web.deps import ServicesDep, TemplatesDep

router = APIRouter(prefix="/mail")


@router.get("", response_class=HTMLResponse)
async def caught_list(
    request: Request, services: ServicesDep, templates: TemplatesDep
) -> HTMLResponse:
    settings = services.settings
    context = {
        "messages": list_caught(settings.caught_mail_dir),
        "catcher": settings.uses_catcher,
    }
    return templates.TemplateResponse(request, "web/mail/list.html.j2", context)


@router.get("/{key}", response_class=HTMLResponse)
async def caught_detail(
    key: str, request: Request, services: ServicesDep, templates: TemplatesDep
) -> HTMLResponse:
    caught = find_caught(services.settings.caught_mail_dir, key)
    if caught is None:
        raise NotFoundError(
            "That message is not in the mail catcher (it may have been cleared)."
        )
    context = {
        "mail": caught,
        "html": caught.part("html"),
        "text": caught.part("plain"),
    }
    return templates.TemplateResponse(request, "web/mail/detail.html.j2", context)
