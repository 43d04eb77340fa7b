"""The report page and CSV download through the real app: sign-in and roles, accessible
charts, typed HTML shown escaped, a CSV that a spreadsheet cannot run."""

from __future__ import annotations

import csv
import io
import re

from tests.browser.conftest import check_html
from tests.polls.test_web import (  # noqa: F401  (site: the app, signed in by CHAIR or COMMS)
    CHAIR,
    COMMS,
    Site,
    sign_in,
    site,
)
from tests.surveys.report_data import (
    FORMULA,
    HOSTILE,
    answer,
    course_with_evaluations,
    open_sample,
    shaped_2019,
)


async def answered_survey(site: Site) -> int:  # noqa: F811
    survey_id = await open_sample(site.services)
    responses = shaped_2019()
    responses[0]["comments"] = HOSTILE
    responses[1]["comments"] = FORMULA
    await answer(site.services, survey_id, responses)
    return survey_id


async def test_the_report_page_has_charts_and_shows_typed_html_as_text(
    site: Site,  # noqa: F811
) -> None:
    survey_id = await answered_survey(site)
    await sign_in(site, CHAIR)
    page = await site.http.get(f"/admin/surveys/{survey_id}/report")
    assert page.status_code == 200
    html = page.text
    check_html(html)
    assert HOSTILE not in html and "<b>x</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;" in html
    assert "123 responses · 100% of 123 invited answered" in html
    assert "<td>74 of 123</td>" not in html  # awareness is a question, not a ratio
    assert "<td>49%</td><td>36 of 74</td>" in html
    assert "<td>83%</td><td>30 of 36</td>" in html
    charts = re.findall(r'<svg role="img" aria-labelledby="([^"]+)"', html)
    assert len(charts) == 8  # every question but the free-text one
    for label in charts:
        assert f'<figcaption id="{label}">' in html
    assert (
        "<td>Yes</td><td>74</td><td>60%</td>" in html
    )  # the chart's figures, as a table


async def test_the_csv_download_is_safe_in_a_spreadsheet(site: Site) -> None:  # noqa: F811
    survey_id = await answered_survey(site)
    await sign_in(site, CHAIR)
    got = await site.http.get(f"/admin/surveys/{survey_id}/report.csv")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    header, *rows = list(csv.reader(io.StringIO(got.text)))
    assert len(rows) == 123 and "respondent" not in header
    comments = [row[-1] for row in rows if row[-1]]
    assert sorted(comments) == sorted([HOSTILE, "'" + FORMULA])


async def test_only_signed_in_readers_see_reports(site: Site) -> None:  # noqa: F811
    survey_id = await answered_survey(site)
    path = f"/admin/surveys/{survey_id}/report"
    anonymous = await site.http.get(path)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/admin/sign-in"
    assert (await site.http.get(path + ".csv")).status_code == 303
    await sign_in(site, COMMS)
    refused = await site.http.get(path)
    assert refused.status_code == 400 and "learning team" in refused.text
    assert (await site.http.get(path + ".csv")).status_code == 400


async def test_an_unknown_survey_or_course_is_not_found(site: Site) -> None:  # noqa: F811
    await sign_in(site, CHAIR)
    missing = await site.http.get("/admin/surveys/999/report")
    assert missing.status_code == 404 and "no survey number 999" in missing.text
    course = await site.http.get("/admin/courses/999/report.csv")
    assert course.status_code == 404 and "no course 999" in course.text


async def test_a_course_page_shows_its_evaluations_and_utilisation(
    site: Site,  # noqa: F811
) -> None:
    course_id, (first, second) = await course_with_evaluations(site.services)
    await answer(site.services, first, [{"overall": 5, "objectives_met": "yes"}] * 2)
    await answer(
        site.services,
        second,
        [{"overall": 2, "objectives_met": "no", "comments": HOSTILE}],
        respondents=["booking:60"],
    )
    await sign_in(site, CHAIR)
    page = await site.http.get(f"/admin/courses/{course_id}/report")
    assert page.status_code == 200
    check_html(page.text)
    assert "3 responses · 100% of 3 invited answered" in page.text
    assert "16 delegates attended of 20 places offered: 80.0%" in page.text
    assert "<td>NEG-1</td><td>10</td><td>8</td><td>1</td><td>80.0%</td>" in page.text
    assert HOSTILE not in page.text and "&lt;script&gt;" in page.text
    got = await site.http.get(f"/admin/courses/{course_id}/report.csv")
    header, *rows = list(csv.reader(io.StringIO(got.text)))
    assert header[0] == "survey" and len(rows) == 3
    assert {row[0] for row in rows} == {f"evaluation-event-{n}" for n in (1, 2)}
