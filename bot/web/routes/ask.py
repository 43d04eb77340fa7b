"""/ask: questions about procedures on the web; /answers and /tickets: feedback, handoff, replies."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.domain.knowledge import asking, tickets
from bot.domain.knowledge.answers import Answer
from bot.errors import InvalidLinkError
from bot.runtime import Services
from bot.web.deps import ServicesDep, TemplatesDep
from bot.web.forms import AskForm, ButtonForm, HandoffForm, bind

router = APIRouter()


@router.api_route("/ask", methods=["GET", "POST"])
async def ask_page(
    request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    form: AskForm = await bind(AskForm, request)
    if request.method == "POST" and form.validate():
        async with services.sessions() as session:
            asked = await asking.ask(
                session,
                services.knowledge,
                form.question.data or "",
                wording=services.conversation.wording(),
                channel="web",
                now=services.clock.now(),
            )
        token = services.links.token("answer", [asked.question_id, "web", ""])
        return await _answer_page(request, templates, token, asked.answer)
    status = 400 if request.method == "POST" else 200
    return templates.TemplateResponse(
        request, "web/ask.html.j2", {"form": form}, status_code=status
    )


async def _answer_page(
    request: Request,
    templates: TemplatesDep,
    token: str,
    answer: Answer | None,
    *,
    handoff: HandoffForm | None = None,
) -> Response:
    context = {
        "answer": answer,
        "token": token,
        "feedback": await bind(ButtonForm, request),
        "handoff": handoff or await bind(HandoffForm, request),
    }
    status = 400 if handoff is not None and handoff.errors else 200
    return templates.TemplateResponse(
        request, "web/answer.html.j2", context, status_code=status
    )


def _read(services: Services, token: str) -> tuple[int, str, str]:
    """(question id, channel, address) from an answer link.

    Raises:
        InvalidLinkError, ExpiredLinkError: The link was altered or is too old.
    """
    payload = services.links.read("answer", token)
    if not (
        isinstance(payload, list) and len(payload) == 3 and isinstance(payload[0], int)
    ):
        raise InvalidLinkError("This link is not valid.")
    return payload[0], str(payload[1]), str(payload[2])


@router.get("/answers/{token}")
async def answer_link(
    token: str, request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    _read(services, token)
    return await _answer_page(request, templates, token, None)


@router.post("/answers/{token}/feedback")
async def feedback(
    token: str, request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    question_id, _, _ = _read(services, token)
    form: ButtonForm = await bind(ButtonForm, request)
    helpful = (await request.form()).get("helpful") == "yes"
    if form.validate():
        async with services.sessions() as session:
            await asking.record_feedback(session, question_id, helpful=helpful)
    context = {
        "message": "Thank you for your feedback."
        if form.validate()
        else "That did not work; please try again."
    }
    return templates.TemplateResponse(
        request,
        "web/thanks.html.j2",
        context,
        status_code=200 if form.validate() else 400,
    )


@router.post("/answers/{token}/handoff")
async def handoff(
    token: str, request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    question_id, channel, address = _read(services, token)
    form: HandoffForm = await bind(HandoffForm, request)
    if not form.validate():  # shows the form's errors (a bad address, or no CSRF token)
        return await _answer_page(request, templates, token, None, handoff=form)
    reply_to = address if channel == "email" else (form.email.data or None)
    async with services.sessions() as session:
        ticket = await tickets.open_ticket(
            session,
            question_id=question_id,
            channel="email" if reply_to else "web",
            reply_to=reply_to,
            now=services.clock.now(),
        )
    ticket_url = f"/tickets/{services.links.token('ticket', ticket.id)}"
    context = {"ticket": ticket, "ticket_url": ticket_url, "by_email": bool(reply_to)}
    return templates.TemplateResponse(request, "web/handed_off.html.j2", context)


@router.get("/tickets/{token}")
async def ticket_page(
    token: str, request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    ticket_id = services.links.read("ticket", token)
    if not isinstance(ticket_id, int):
        raise InvalidLinkError("This link is not valid.")
    async with services.sessions() as session:
        ticket = await tickets.get_ticket(session, ticket_id)
    return templates.TemplateResponse(request, "web/ticket.html.j2", {"ticket": ticket})
