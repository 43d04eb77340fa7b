"""The admin survey pages: writing a survey in YAML with plain-English problems, opening it
(inviting the audience) and closing it; only admins, the chair and the learning team."""

from __future__ import annotations

import re

from bot.domain import surveys
from bot.store.tables import Survey
from tests.browser.conftest import check_html
from tests.domain.mailbox import outbox_rows
from tests.polls.conftest import add_member
from tests.polls.test_web import CHAIR, COMMS, SCRIPT, Site, csrf, sign_in
from tests.surveys.conftest import SAMPLE


async def listed(site: Site) -> list[Survey]:
    async with site.services.sessions() as session:
        return await surveys.list_surveys(session)


async def test_the_chair_writes_opens_and_closes_a_survey(site: Site) -> None:
    await add_member(site.services, "kim@example.org", "Kim Lee")
    await sign_in(site, CHAIR)
    page = await site.http.get("/admin/surveys/new")
    check_html(page.text)
    broken = SAMPLE.read_text().replace("type: likert", "type: likert\n    colour: red")
    refused = await site.http.post(
        "/admin/surveys/new",
        data={"csrf_token": csrf(page), "text": f"{broken}\n# {SCRIPT}\n"},
    )
    assert refused.status_code == 400
    assert (
        "questions[5] (confidence).colour: is not a setting a survey has"
        in refused.text
    )
    assert SCRIPT not in refused.text  # the text kept in the box is escaped
    check_html(refused.text)
    assert await listed(site) == []

    text = SAMPLE.read_text().replace(
        "title: The Resolution", f"title: {SCRIPT} The Resolution"
    )
    saved = await site.http.post(
        "/admin/surveys/new", data={"csrf_token": csrf(page), "text": text}
    )
    assert saved.status_code == 303
    [survey] = await listed(site)
    listing = await site.http.get("/admin/surveys")
    assert "&lt;script&gt;" in listing.text and SCRIPT not in listing.text
    check_html(listing.text)
    edit = await site.http.get(f"/admin/surveys/{survey.id}/edit")
    assert "slug: resolution-and-escalation-protocol" in edit.text

    opened = await site.http.post(
        f"/admin/surveys/{survey.id}/open", data={"csrf_token": csrf(listing)}
    )
    assert opened.status_code == 303 and opened.headers["location"].endswith("opened-1")
    assert (
        len(
            [
                r
                for r in await outbox_rows(site.services)
                if r.idempotency_key.startswith("survey:")
            ]
        )
        == 1
    )
    closed = await site.http.post(
        f"/admin/surveys/{survey.id}/close", data={"csrf_token": csrf(listing)}
    )
    assert closed.status_code == 303
    [survey] = await listed(site)
    assert survey.status == surveys.CLOSED


async def test_other_roles_and_forged_posts_are_refused(site: Site) -> None:
    assert (await site.http.get("/admin/surveys")).status_code in (303, 307)
    await sign_in(site, COMMS)
    refused = await site.http.get("/admin/surveys")
    assert (
        refused.status_code == 400 and "learning team can run surveys" in refused.text
    )
    site.http.cookies.clear()  # signed out
    await sign_in(site, CHAIR)
    page = await site.http.get("/admin/surveys/new")
    await site.http.post(
        "/admin/surveys/new",
        data={"csrf_token": csrf(page), "text": SAMPLE.read_text()},
    )
    [survey] = await listed(site)
    forged = await site.http.post(f"/admin/surveys/{survey.id}/open", data={})
    assert re.search("expired", forged.headers["location"])
    [survey] = await listed(site)
    assert survey.status == surveys.DRAFT


async def test_the_edit_page_saves_the_survey_it_edits(site: Site) -> None:
    """The edit page updates survey ID, whatever slug the posted YAML names: a changed
    slug is refused (it would create or overwrite another survey), and the new page does
    not overwrite an existing survey."""
    await sign_in(site, CHAIR)
    page = await site.http.get("/admin/surveys/new")
    first = SAMPLE.read_text()
    other = first.replace(
        "slug: resolution-and-escalation-protocol", "slug: another-survey"
    ).replace("title: The Resolution", "title: Another. The Resolution")
    for text in (first, other):
        saved = await site.http.post(
            "/admin/surveys/new", data={"csrf_token": csrf(page), "text": text}
        )
        assert saved.status_code == 303
    ids = {s.slug: s.id for s in await listed(site)}

    edit = await site.http.get(
        f"/admin/surveys/{ids['resolution-and-escalation-protocol']}/edit"
    )
    moved = first.replace(
        "slug: resolution-and-escalation-protocol", "slug: another-survey"
    ).replace("title: The Resolution", "title: Overwritten. The Resolution")
    refused = await site.http.post(
        f"/admin/surveys/{ids['resolution-and-escalation-protocol']}/edit",
        data={"csrf_token": csrf(edit), "text": moved},
    )
    assert refused.status_code == 400
    assert "slug cannot change" in refused.text
    again = await site.http.post(
        "/admin/surveys/new", data={"csrf_token": csrf(page), "text": moved}
    )
    assert again.status_code == 400 and "already a survey" in again.text
    titles = {s.slug: s.title for s in await listed(site)}
    assert titles["another-survey"].startswith("Another.")

    retitled = first.replace("title: The Resolution", "title: Retitled. The Resolution")
    saved = await site.http.post(
        f"/admin/surveys/{ids['resolution-and-escalation-protocol']}/edit",
        data={"csrf_token": csrf(edit), "text": retitled},
    )
    assert saved.status_code == 303
    titles = {s.slug: s.title for s in await listed(site)}
    assert titles["resolution-and-escalation-protocol"].startswith("Retitled.")
    assert len(titles) == 2
