"""The chair's summary: a Slack DM delivered to the Slack stand-in, or an email delivered to
a real SMTP server, with typed HTML and mrkdwn escaped, sent once per set of answers."""

from __future__ import annotations

import json

import pytest

from bot.domain.surveys import CLOSED, reports, set_status
from bot.domain.surveys.report_summary import Posted, post_summary
from bot.runtime import Services
from bot.settings import Admin, Settings
from bot.store.tables import Member
from jobs import SCHEDULES
from jobs.survey_reports import post_survey_reports
from tests.conftest import StepClock
from tests.domain.mailbox import html_text, plain_text, recipient, subject
from tests.servers.smtp import SmtpServer
from tests.slack.harness import CHAIR, SlackBot
from tests.surveys.report_data import FORMULA, HOSTILE, answer, open_sample, shaped_2019

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;"
EMAIL_CHAIR = "chair@example.org"


@pytest.fixture
def mail_settings(settings: Settings, smtpd: SmtpServer) -> Settings:
    """As the shared fixture, with a chair (and an admin who is not one)."""
    return settings.model_copy(
        update={
            "smtp_host": smtpd.host,
            "smtp_port": smtpd.port,
            "admins": [
                Admin(email=EMAIL_CHAIR, roles=["chair"]),
                Admin(email="support@example.org", roles=["admin"]),
            ],
        }
    )


async def answered(services: Services) -> int:
    survey_id = await open_sample(services)
    responses = shaped_2019()
    responses[0]["comments"] = HOSTILE
    responses[1]["comments"] = FORMULA
    await answer(services, survey_id, responses)
    return survey_id


async def post(services: Services, survey_id: int) -> Posted:
    async with services.sessions() as session:
        report = await reports.survey_report(session, survey_id)
        posted = await post_summary(
            session,
            report,
            room=services.mailroom,
            slack_enabled=services.settings.slack_enabled,
            now=services.clock.now(),
        )
        await session.commit()
    return posted


async def test_the_chair_on_slack_gets_a_dm_with_text_bars(slackbot: SlackBot) -> None:
    services = slackbot.services
    async with services.sessions() as session:
        session.add(
            Member(
                email=CHAIR.email,
                name=CHAIR.name,
                status="active",
                slack_user_id=CHAIR.id,
                channels=["slack"],
            )
        )
        await session.commit()
    survey_id = await answered(services)
    assert await post(services, survey_id) == Posted(slack=1, emails=0)
    assert await post(services, survey_id) == Posted(0, 0)  # nothing new: not again
    await services.delivery_worker().drain()
    (call,) = await slackbot.api.wait_for("chat.postMessage")
    assert call.args["channel"] == CHAIR.id
    blocks = call.args["blocks"]
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    text = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert "<script>" not in text and "<b>" not in text and ESCAPED in text
    assert FORMULA in text  # harmless in Slack: no < to make a link
    assert "49%* (36 of 74)" in text and "83%* (30 of 36)" in text
    assert "`██████░░░░` 60% Yes (74)" in text
    assert f"/admin/surveys/{survey_id}/report|Full report" in text

    await answer(services, survey_id, [{"aware": "no"}], respondents=["booking:900"])
    assert await post(services, survey_id) == Posted(1, 0)  # new answers: a new summary


async def test_a_chair_without_slack_gets_an_email(
    services: Services, smtpd: SmtpServer
) -> None:
    survey_id = await answered(services)
    assert await post(services, survey_id) == Posted(slack=0, emails=1)
    assert await post(services, survey_id) == Posted(0, 0)
    await services.delivery_worker().drain()
    (mail,) = smtpd.messages
    raw = mail.raw
    assert recipient(raw) == EMAIL_CHAIR
    assert subject(raw) == "Survey report: The Resolution and Escalation Protocol"
    html = html_text(raw)
    assert HOSTILE not in html and "<b>x</b>" not in html and ESCAPED in html
    assert "<strong>49%</strong> (36 of 74)" in html
    text = plain_text(raw)
    assert HOSTILE in text  # plain text shows it as typed; no mail client runs it
    assert "60%  Yes (74)" in text
    assert f"/admin/surveys/{survey_id}/report" in text


def test_the_summary_job_runs_every_quarter_hour() -> None:
    [entry] = [s for s in SCHEDULES if s.id == "survey-reports"]
    assert (entry.func, entry.trigger, entry.trigger_args) == (
        "jobs.survey_reports:post_survey_reports",
        "interval",
        {"minutes": 15},
    )


async def test_the_chair_hears_once_a_survey_closes(
    services: Services, clock: StepClock, smtpd: SmtpServer
) -> None:
    survey_id = await answered(services)
    assert await post_survey_reports() == []  # still open: no summary yet
    clock.advance(days=1)
    async with services.sessions() as session:
        await set_status(session, survey_id, CLOSED, now=clock.now())
        await session.commit()
    clock.advance(minutes=15)
    assert await post_survey_reports() == [survey_id]
    assert await post_survey_reports() == []  # a re-run sends nothing twice
    clock.advance(days=8)
    assert await post_survey_reports() == []  # long closed: left alone
    await services.delivery_worker().drain()
    (mail,) = smtpd.messages
    assert "36 of 74" in plain_text(mail.raw)
