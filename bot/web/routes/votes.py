"""A member's vote from an emailed link: GET shows the poll with their option ticked and a
confirm button (mail scanners that open links vote for nobody), POST records the vote."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import polls
from bot.runtime import Services
from bot.store.tables import Member, Poll
from bot.web.deps import ServicesDep, TemplatesDep
from bot.web.forms import SecureForm, bind
from bot.web.poll_forms import chosen, offer, vote_form_class

router = APIRouter()


@router.api_route("/vote/{token}", methods=["GET", "POST"])
async def vote_page(
    token: str, request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    async with services.sessions() as session:
        member, poll_id, index = await polls.read_vote_link(
            session, services.links, token
        )
        poll = await polls.get_poll(session, poll_id)
        context = _context(services, poll)
        if not polls.is_open(poll, services.clock.now()):
            return await _closed(request, templates, session, context)
        polls.check_voter(member)  # someone who left is told now, not after pressing
        form = await _form(request, session, poll, member, index)
        if request.method == "POST" and form.validate():
            try:
                recorded = await polls.vote(
                    session,
                    poll_id,
                    member,
                    chosen(form),
                    channel="email",
                    now=services.clock.now(),
                )
            except polls.PollClosedError:  # it closed between the page and the button
                return await _closed(request, templates, session, context)
            context["chosen"] = [poll.options[n] for n in recorded]
            return templates.TemplateResponse(request, "web/vote_done.html.j2", context)
    status = 400 if request.method == "POST" else 200
    return templates.TemplateResponse(
        request,
        "web/vote.html.j2",
        context | {"form": form, "member": member},
        status_code=status,
    )


def _context(services: Services, poll: Poll) -> dict[str, Any]:
    zone = services.settings.zone
    closes = polls.local_text(poll.closes_at, zone) if poll.closes_at else ""
    return {"poll": poll, "closes": closes}


async def _closed(
    request: Request,
    templates: Jinja2Templates,
    session: AsyncSession,
    context: dict[str, Any],
) -> Response:
    """A closed poll's page: the results instead of the form."""
    results = await polls.poll_results(session, context["poll"])
    return templates.TemplateResponse(
        request, "web/vote_closed.html.j2", context | {"results": results}
    )


async def _form(
    request: Request, session: AsyncSession, poll: Poll, member: Member, index: int
) -> SecureForm:
    """The vote form with the link's option ticked; on a multiple-choice poll, with the
    member's earlier picks ticked too."""
    initial: Any = index
    if poll.multiple:
        current = await polls.find_vote(session, poll.id or 0, member.id or 0)
        initial = sorted(set(current.choices if current else []) | {index})
    form: SecureForm = await bind(vote_form_class(poll), request, choice=initial)
    offer(form, poll)
    return form
