"""Annotated dependency aliases, so routes declare what they need in one word."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from bot.host import Background
from bot.runtime import Services


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


def _background(request: Request) -> Background | None:
    running: Background | None = request.app.state.background
    return running


ServicesDep = Annotated[Services, Depends(_services)]
TemplatesDep = Annotated[Jinja2Templates, Depends(_templates)]
BackgroundDep = Annotated[Background | None, Depends(_background)]
