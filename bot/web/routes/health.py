"""/healthz: is the database reachable, how is the outbox, is this process the scheduler leader."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.outbox import queue
from bot.web.deps import BackgroundDep, ServicesDep

router = APIRouter()


@router.get("/healthz")
async def healthz(
    request: Request, services: ServicesDep, running: BackgroundDep
) -> JSONResponse:
    body: dict[str, Any] = {"status": "ok"}
    try:
        async with services.sessions() as session:
            body["outbox"] = await queue.counts(session)
        body["database"] = "ok"
    except SQLAlchemyError as exc:
        body.update(status="error", database=f"unreachable: {type(exc).__name__}")
    leadership = running.leadership if running else None
    body["scheduler"] = (
        "off" if leadership is None else ("leader" if leadership.leading else "standby")
    )
    body["mail"] = "catcher" if services.settings.uses_catcher else "relay"
    body["slack"] = request.app.state.slack_mode
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)
