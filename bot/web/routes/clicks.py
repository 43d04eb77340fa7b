"""`/c/{token}`: a tracked link (only made when click tracking is on). It counts the click
and redirects to the destination the token signs, so it is never an open redirect."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from bot.domain import clicks
from bot.web.deps import ServicesDep

router = APIRouter()


@router.get("/c/{token}")
async def follow(token: str, services: ServicesDep) -> Response:
    """A plain GET, as a link must be; a mail scanner's prefetch is counted too (counts
    are only a rough guide, which the README says)."""
    async with services.sessions() as session:
        url = await clicks.follow(
            session, services.links, token, now=services.clock.now()
        )
        await session.commit()
    return RedirectResponse(url, status_code=302)
