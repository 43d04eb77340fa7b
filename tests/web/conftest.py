"""Web fixtures: settings with no SMTP relay (so mail goes to the local catcher) over a migrated database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from bot.settings import Settings
from bot.store.db import upgrade_schema
from bot.web.app import create_app


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    """No relay: `serve` catches mail locally, on a free port (catcher_port is 0 in tests)."""
    catching = settings.model_copy(update={"smtp_host": None})
    assert catching.uses_catcher and catching.catcher_port == 0
    upgrade_schema(catching.effective_database_url)
    return catching


@pytest.fixture
async def started_app(web_settings: Settings) -> AsyncIterator[FastAPI]:
    """The app with its real lifespan entered (services open), but no background parts.

    Tests start the parts they need with `run_background`, so nothing delivers behind their back.
    """
    app = create_app(web_settings, background=False)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(started_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=started_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver"
    ) as http:
        yield http
