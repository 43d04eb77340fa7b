"""Admin page for feeds: follow, pause, remove and poll feeds; choose items for the newsletter.

Only admins and communications (`feeds.FEED_ROLES`) reach it. Every action is a POST with
a CSRF token, then a redirect back to the page (so a reload never repeats an action).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from wtforms import StringField, URLField
from wtforms.validators import DataRequired, Length

from bot.domain import feeds
from bot.errors import InvalidInputError, UserFacingError
from bot.runtime import Services
from bot.web.chair import roles_dep
from bot.web.deps import ServicesDep, TemplatesDep
from bot.web.forms import ButtonForm, SecureForm, bind

router = APIRouter(prefix="/admin/feeds")
Admin = tuple[str, tuple[str, ...]]


class FeedForm(SecureForm):
    name = StringField(
        "Name", [DataRequired("Give the feed a name."), Length(max=feeds.MAX_NAME)]
    )
    url = URLField(
        "Feed address (RSS or Atom)",
        [DataRequired("Enter the feed's address."), Length(max=feeds.MAX_URL)],
    )

    def show_error(self, error: InvalidInputError) -> None:
        field = self.url if error.field == "url" else self.name
        field.errors = [*field.errors, str(error)]


feed_admin = roles_dep(
    feeds.FEED_ROLES, "Only admins and the communications team manage feeds."
)
FeedAdminDep = Annotated[Admin, Depends(feed_admin)]


async def _page(
    request: Request,
    services: Services,
    templates: Jinja2Templates,
    admin: Admin,
    form: FeedForm,
    status: int = 200,
) -> Response:
    async with services.sessions() as session:
        followed = await feeds.list_feeds(session)
        items = await feeds.list_items(session, limit=40)
    context = {
        "admin": admin,
        "feeds": followed,
        "names": {f.id: f.name for f in followed},
        "items": items,
        "form": form,
        "buttons": await bind(ButtonForm, request),
        "zone": services.settings.zone,
    }
    return templates.TemplateResponse(
        request, "web/admin/feeds.html.j2", context, status_code=status
    )


@router.get("")
async def feeds_page(
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: FeedAdminDep,
) -> Response:
    return await _page(
        request, services, templates, admin, await bind(FeedForm, request)
    )


@router.post("")
async def add_feed(
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    admin: FeedAdminDep,
) -> Response:
    form: FeedForm = await bind(FeedForm, request)
    if form.validate():
        try:
            async with services.sessions() as session:
                await feeds.add_feed(
                    session,
                    form.name.data or "",
                    form.url.data or "",
                    now=services.clock.now(),
                )
                await session.commit()
            return RedirectResponse("/admin/feeds", status_code=303)
        except InvalidInputError as error:
            form.show_error(error)
    return await _page(request, services, templates, admin, form, status=400)


async def _button(request: Request) -> bool:
    form: ButtonForm = await bind(ButtonForm, request)
    return bool(form.validate())


def _back() -> Response:
    return RedirectResponse("/admin/feeds", status_code=303)


@router.post("/poll")
async def poll_all(
    request: Request, services: ServicesDep, _admin: FeedAdminDep
) -> Response:
    if await _button(request):
        await feeds.poll_all(
            services.sessions,
            services.feeds,
            time_limit=services.settings.feeds_timeout_seconds,
            now=services.clock.now(),
        )
    return _back()


@router.post("/{feed_id}/poll")
async def poll_one(
    feed_id: int, request: Request, services: ServicesDep, _admin: FeedAdminDep
) -> Response:
    if await _button(request):
        await feeds.poll_feed(
            services.sessions,
            feed_id,
            services.feeds,
            time_limit=services.settings.feeds_timeout_seconds,
            now=services.clock.now(),
        )
    return _back()


@router.post("/{feed_id}/remove")
async def remove(
    feed_id: int, request: Request, services: ServicesDep, _admin: FeedAdminDep
) -> Response:
    if await _button(request):
        async with services.sessions() as session:
            await feeds.remove_feed(session, feed_id)
            await session.commit()
    return _back()


@router.post("/items/{item_id}/{choice}")
async def choose(
    item_id: int,
    choice: str,
    request: Request,
    services: ServicesDep,
    _admin: FeedAdminDep,
) -> Response:
    if choice not in ("choose", "unchoose"):
        raise UserFacingError("An item can only be chosen or taken out.")
    if await _button(request):
        async with services.sessions() as session:
            act = feeds.choose if choice == "choose" else feeds.unchoose
            await act(session, item_id)
            await session.commit()
    return RedirectResponse(f"/admin/feeds#item-{item_id}", status_code=303)


@router.post("/{feed_id}/{state}")
async def pause_or_resume(
    feed_id: int,
    state: str,
    request: Request,
    services: ServicesDep,
    _admin: FeedAdminDep,
) -> Response:
    if state not in ("pause", "resume"):
        raise UserFacingError("That is not something a feed can do.")
    if await _button(request):
        async with services.sessions() as session:
            await feeds.set_active(session, feed_id, state == "resume")
            await session.commit()
    return _back()
