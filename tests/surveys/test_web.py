"""The survey page from an emailed link, through the real app: prefetch-safe, CSRF-checked,
conditions applied on the server, one anonymous answer, named answers changeable, and
typed text escaped."""

from __future__ import annotations

from sqlmodel import select

from bot.domain import surveys
from bot.store.tables import Member, Survey, SurveyResponse
from tests.browser.conftest import check_html
from tests.polls.conftest import add_member
from tests.polls.test_web import Site, csrf
from tests.surveys.conftest import SCRIPT, key, open_survey, sample


def path_for(site: Site, survey: Survey, member: Member) -> str:
    respondent = surveys.from_member(member)
    url = surveys.survey_url(site.services.links, survey.id or 0, respondent)
    return url.removeprefix(site.services.links.base_url)


async def stored(site: Site) -> list[SurveyResponse]:
    async with site.services.sessions() as session:
        return list((await session.exec(select(SurveyResponse))).all())


async def test_answering_is_prefetch_safe_checked_and_once_only(site: Site) -> None:
    kim = await add_member(site.services, "kim@example.org", "Kim Lee")
    survey, _ = await open_survey(site.services, sample(title=f"REP {SCRIPT}"))
    path = path_for(site, survey, kim)

    page = await site.http.get(path)
    assert page.status_code == 200 and "&lt;script&gt;" in page.text
    assert SCRIPT not in page.text
    check_html(page.text)
    assert await stored(site) == []  # opening the link answers nothing

    answers = {"aware": "no", "used": "yes", "comments": SCRIPT}
    forged = await site.http.post(path, data=answers)
    assert forged.status_code == 400 and "page had expired" in forged.text
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in forged.text
    )  # kept, escaped
    assert await stored(site) == []

    missing = await site.http.post(
        path, data={"csrf_token": csrf(page), "aware": "yes"}
    )
    assert missing.status_code == 400
    assert 'id="q-used-error">Please answer this question.' in missing.text
    check_html(missing.text)

    done = await site.http.post(path, data=answers | {"csrf_token": csrf(page)})
    assert done.status_code == 200 and "your answers are recorded" in done.text
    [response] = await stored(site)
    assert response.answers == {
        "aware": "no",
        "comments": SCRIPT,
    }  # "used" did not apply
    again = await site.http.post(path, data=answers | {"csrf_token": csrf(page)})
    assert "You have already answered this survey" in again.text
    assert "already answered" in (await site.http.get(path)).text
    assert len(await stored(site)) == 1


async def test_a_named_survey_shows_and_replaces_earlier_answers(site: Site) -> None:
    kim = await add_member(site.services, "kim@example.org", "Kim Lee")
    survey, _ = await open_survey(site.services, sample(anonymous=False))
    path = path_for(site, survey, kim)
    page = await site.http.get(path)
    await site.http.post(
        path, data={"csrf_token": csrf(page), "aware": "no", "comments": "first"}
    )
    page = await site.http.get(path)
    assert "You have answered already" in page.text and ">first</textarea>" in page.text
    await site.http.post(
        path, data={"csrf_token": csrf(page), "aware": "no", "comments": "second"}
    )
    [response] = await stored(site)
    assert (response.respondent, response.answers) == (
        key(kim),
        {"aware": "no", "comments": "second"},
    )


async def test_closed_drafts_and_broken_links_are_refused_politely(site: Site) -> None:
    kim = await add_member(site.services, "kim@example.org", "Kim Lee")
    draft = await _draft(site)
    assert (
        "This survey is not open yet"
        in (await site.http.get(path_for(site, draft, kim))).text
    )
    survey, _ = await open_survey(site.services)
    path = path_for(site, survey, kim)
    page = await site.http.get(path)
    async with site.services.sessions() as session:
        await surveys.set_status(
            session, survey.id or 0, surveys.CLOSED, now=site.services.clock.now()
        )
        await session.commit()
    closed = await site.http.post(path, data={"csrf_token": csrf(page), "aware": "no"})
    assert "This survey has closed" in closed.text and await stored(site) == []
    broken = await site.http.get(path[:-3] + "abc")
    assert broken.status_code == 400 and "not valid" in broken.text
    other = await add_member(site.services, "sam@example.org", "Sam")
    stolen = surveys.survey_url(
        site.services.links,
        survey.id or 0,
        surveys.Respondent(key(other), "", "kim@example.org"),
    )
    refused = await site.http.get(stolen.removeprefix(site.services.links.base_url))
    assert refused.status_code == 400 and "no longer valid" in refused.text


async def _draft(site: Site) -> Survey:
    async with site.services.sessions() as session:
        survey = await surveys.save_definition(
            session,
            sample(slug="draft"),
            zone=site.services.settings.zone,
            now=site.services.clock.now(),
        )
        await session.commit()
        return survey
