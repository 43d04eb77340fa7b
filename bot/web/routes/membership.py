"""Joining, confirming, preferences and leaving: plain pages, no login, signed links."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.domain import membership
from bot.errors import InvalidInputError
from bot.web.deps import ServicesDep, TemplatesDep
from bot.web.forms import ButtonForm, JoinForm, PreferencesForm, bind

router = APIRouter()


@router.api_route("/join", methods=["GET", "POST"])
async def join(
    request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    form: JoinForm = await bind(JoinForm, request)
    form.offer(services.mailroom.choices)
    if request.method == "POST" and form.validate():
        try:
            async with services.sessions() as session:
                await membership.request_join(
                    session,
                    services.mailroom,
                    email=form.email.data or "",
                    profile=form.profile(),
                    method="web form",
                    now=services.clock.now(),
                )
            return RedirectResponse("/join/check-your-email", status_code=303)
        except InvalidInputError as error:
            form.show_error(error)
    context = {
        "form": form,
        "consent_wording": services.mailroom.choices.consent_wording,
    }
    return templates.TemplateResponse(
        request, "web/join.html.j2", context, status_code=_status(request, form)
    )


def _status(request: Request, form: Any) -> int:
    return 400 if request.method == "POST" and form.errors else 200


@router.get("/join/check-your-email")
async def join_sent(request: Request, templates: TemplatesDep) -> Response:
    return templates.TemplateResponse(request, "web/join_sent.html.j2", {})


@router.api_route("/confirm/{token}", methods=["GET", "POST"])
async def confirm(
    token: str, request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    form: ButtonForm = await bind(ButtonForm, request)
    async with services.sessions() as session:
        member = await membership.member_from_link(
            session, services.links, "confirm", token
        )
        if request.method == "POST" and form.validate():
            member = await membership.confirm_join(
                session, services.mailroom, token=token, now=services.clock.now()
            )
            context = {"member": member, **services.mailroom.member_links(member)}
            return templates.TemplateResponse(request, "web/confirmed.html.j2", context)
    context = {"form": form, "member": member}
    return templates.TemplateResponse(
        request, "web/confirm.html.j2", context, status_code=_status(request, form)
    )


@router.api_route("/preferences/{token}", methods=["GET", "POST"])
async def preferences(
    token: str, request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    saved = False
    async with services.sessions() as session:
        member = await membership.member_from_link(
            session, services.links, "preferences", token
        )
        initial = {
            "name": member.name,
            "organisation": member.organisation,
            "role": member.role,
            "sector": member.sector,
            "topics": member.topics,
            "channels": member.channels,
        }
        form: PreferencesForm = await bind(PreferencesForm, request, **initial)
        form.offer(services.mailroom.choices)
        if request.method == "POST" and form.validate():
            try:
                await membership.update_preferences(
                    session,
                    services.mailroom,
                    member,
                    form.profile(),
                    now=services.clock.now(),
                )
                saved = True
            except InvalidInputError as error:
                form.show_error(error)
    context = {
        "form": form,
        "member": member,
        "saved": saved,
        **services.mailroom.member_links(member),
    }
    return templates.TemplateResponse(
        request, "web/preferences.html.j2", context, status_code=_status(request, form)
    )


@router.api_route("/unsubscribe/{token}", methods=["GET", "POST"])
async def unsubscribe(
    token: str, request: Request, services: ServicesDep, templates: TemplatesDep
) -> Response:
    one_click = (
        request.method == "POST"
        and (await request.form()).get("List-Unsubscribe") == "One-Click"
    )
    form: ButtonForm = await bind(ButtonForm, request)
    async with services.sessions() as session:
        member = await membership.member_from_link(
            session, services.links, "unsubscribe", token
        )
        # RFC 8058: a mail client's one-click POST carries no CSRF token; the signed link is the proof.
        if one_click or (request.method == "POST" and form.validate()):
            campaign = request.query_params.get(
                "c"
            )  # which email's link (a count only)
            await membership.leave(
                session, member, now=services.clock.now(), campaign=campaign
            )
            return templates.TemplateResponse(
                request, "web/unsubscribed.html.j2", {"member": member}
            )
    context = {"form": form, "member": member, **services.mailroom.member_links(member)}
    return templates.TemplateResponse(
        request, "web/unsubscribe.html.j2", context, status_code=_status(request, form)
    )
