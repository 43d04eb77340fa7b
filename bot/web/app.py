"""create_app(settings): the ASGI app; its lifespan opens the runtime and the background parts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from bot.domain.knowledge.semantic_triage import semantic_model
from bot.errors import NotFoundError, SignInRequiredError, UserFacingError
from bot.host import run_background
from bot.runtime import open_services
from bot.settings import Settings
from bot.slack.hosting import run_slack
from bot.web.routes import (
    admin,
    admin_polls,
    ask,
    briefings,
    briefings_admin,
    clicks,
    feeds_admin,
    health,
    home,
    mail,
    membership,
    newsletters_admin,
    places,
    session_questions,
    sessions_admin,
    slack,
    survey_reports,
    surveys,
    surveys_admin,
    training_admin,
    votes,
)


def create_app(
    settings: Settings, *, background: bool = True, socket_mode: bool = False
) -> FastAPI:
    """The web app, hosting Slack's /slack/events too (unless Slack is off or in Socket Mode).

    With `background`, it also runs the delivery worker, the scheduler and the mail servers.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            # The triage's sentence model takes a second or more to load: load it off the event
            # loop before serving, or the first question would stall every request in flight.
            await asyncio.to_thread(semantic_model)
            services = await stack.enter_async_context(open_services(settings))
            app.state.services = services
            app.state.templates = Jinja2Templates(env=services.renderer.env)
            app.state.slack = await stack.enter_async_context(
                run_slack(services, socket_mode=socket_mode)
            )
            app.state.slack_mode = (
                "off"
                if not settings.slack_enabled
                else ("socket" if socket_mode else "http")
            )
            if background:
                app.state.background = await stack.enter_async_context(
                    run_background(services)
                )
            yield

    app = FastAPI(title="forumbot", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.background = None
    app.state.slack = None
    app.state.slack_mode = "off"
    for module in (
        health,
        home,
        mail,
        membership,
        admin,
        ask,
        places,
        session_questions,
        votes,
        surveys,
        surveys_admin,
        admin_polls,
        sessions_admin,
        briefings,
        briefings_admin,
        feeds_admin,
        newsletters_admin,
        clicks,
        survey_reports,
        training_admin,
        slack,
    ):
        app.include_router(module.router)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie="forumbot_session",
        max_age=8 * 3600,
        same_site="lax",
        https_only=str(settings.base_url).startswith("https"),
    )
    app.add_exception_handler(SignInRequiredError, _sign_in)
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(UserFacingError, _user_error)
    return app


def _page(request: Request, message: str, status: int) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "web/error.html.j2", {"message": message}, status_code=status
    )


async def _sign_in(_request: Request, _exc: Exception) -> Response:
    return RedirectResponse("/admin/sign-in", status_code=303)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _page(request, str(exc), 404)


async def _user_error(request: Request, exc: Exception) -> Response:
    return _page(request, str(exc), 400)
