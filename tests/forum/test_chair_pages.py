"""The forum's admin pages are the chair's and the admins': another admin role (here
communications) signs in for its own pages but is refused the questions' moderation and the
attendance figures, as it is the sessions pages. And the web edit fills raised capacity."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.domain.forum import questions
from bot.store.tables import SessionQuestion
from tests.domain.mailbox import link, outbox_rows, token
from tests.forum.seats import add_member, add_session, reply, rsvps
from tests.forum.test_sessions_web import FORM, PRESS, _post, site
from tests.web.test_ask_pages import Site, _sign_in, _token

__all__ = ["site"]  # the fixture, imported for these tests
REFUSAL = "Only the chair or an admin can"


async def _sign_in_as_press(site: Site) -> None:
    form = _token(await site.http.get("/admin/sign-in"))
    await site.http.post("/admin/sign-in", data={"email": PRESS, "csrf_token": form})
    (mail,) = await outbox_rows(site.services, PRESS)
    url = link(mail.payload, site.services.links.base_url, "admin/sign-in")
    path = f"/admin/sign-in/{token(url)}"
    await site.http.post(path, data={"csrf_token": _token(await site.http.get(path))})
    assert (await site.http.get("/admin/members")).status_code == 200


async def _question(site: Site) -> tuple[int, int]:
    services = site.services
    row = await add_session(services, services.clock.now() + timedelta(days=3))
    async with services.sessions() as session:
        asked = await questions.ask(
            session, row.id or 0, None, "What is a good referral?",
            channel="web", now=services.clock.now(),
        )  # fmt: skip
        await session.commit()
    return row.id or 0, asked.question.id or 0


async def test_other_admin_roles_cannot_moderate_questions_or_see_figures(
    site: Site,
) -> None:
    session_id, question_id = await _question(site)
    await _sign_in_as_press(site)
    listing = await site.http.get(f"/admin/sessions/{session_id}/questions")
    assert listing.status_code == 400 and REFUSAL in listing.text
    figures = await site.http.get("/admin/forum/figures")
    assert figures.status_code == 400 and REFUSAL in figures.text
    any_form = await site.http.get("/admin/sign-in")  # a token for this browser session
    hidden = await site.http.post(
        f"/admin/sessions/{session_id}/questions/{question_id}",
        data={"status": "hidden", "csrf_token": _token(any_form)},
    )
    assert hidden.status_code == 400 and REFUSAL in hidden.text
    async with site.services.sessions() as session:
        (stored,) = (await session.exec(select(SessionQuestion))).all()
    assert stored.status == "open"


async def test_the_chair_moderates_questions_and_sees_figures(site: Site) -> None:
    session_id, question_id = await _question(site)
    await _sign_in(site)
    assert (await site.http.get("/admin/forum/figures")).status_code == 200
    hidden = await _post(
        site,
        f"/admin/sessions/{session_id}/questions/{question_id}",
        {"status": "hidden"},
        f"/admin/sessions/{session_id}/questions",
    )
    assert hidden.status_code == 303


async def test_raising_the_capacity_on_the_web_gives_places_to_those_waiting(
    site: Site,
) -> None:
    services = site.services
    row = await add_session(
        services, services.clock.now() + timedelta(days=3), capacity=1
    )
    ann, bea = await add_member(services, "Ann"), await add_member(services, "Bea")
    await reply(services, row, ann, True)
    await reply(services, row, bea, True)
    await _sign_in(site)
    page = f"/admin/sessions/{row.id}/edit"
    edited = await _post(site, page, FORM | {"capacity": "2"})
    assert edited.status_code == 303, edited.text
    assert await rsvps(services, row) == {ann.id: "attending", bea.id: "attending"}
