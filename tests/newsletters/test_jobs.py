"""The newsletter jobs: the month's draft for review on the crontab, scheduled sends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.domain import newsletters as nl
from bot.domain.newsletters.turns import TTL, SendTurn
from bot.errors import ConfigError
from bot.runtime import Services
from bot.scheduling import crontab_args
from bot.settings import Admin, Settings
from jobs import SCHEDULES
from jobs.newsletters import prepare_newsletter, send_newsletters
from tests.conftest import StepClock
from tests.domain.mailbox import outbox_rows, plain_text
from tests.newsletters.kit import add_members, send
from tests.servers.smtp import SmtpServer


@pytest.fixture
def mail_settings(settings: Settings, smtpd: SmtpServer) -> Settings:
    admins = [
        Admin(email="comms@example.org", roles=["communications"]),
        Admin(email="learning@example.org", roles=["learning"]),
        Admin(email="chair@example.org", roles=["chair"]),
    ]
    return settings.model_copy(
        update={
            "smtp_host": smtpd.host,
            "smtp_port": smtpd.port,
            "admins": admins,
            "newsletter_schedule": "30 8 2 * *",
        }
    )


def test_the_draft_job_follows_the_configured_crontab(mail_settings: Settings) -> None:
    [entry] = [
        s.resolved(mail_settings) for s in SCHEDULES if s.id == "prepare-newsletter"
    ]
    assert entry.trigger == "cron"
    assert entry.trigger_args == {
        "minute": "30",
        "hour": "8",
        "day": "2",
        "month": "*",
        "day_of_week": "*",
    }
    assert str(CronTrigger(**entry.trigger_args)) == str(
        CronTrigger.from_crontab("30 8 2 * *")
    )
    with pytest.raises(ConfigError, match="crontab"):
        crontab_args("monthly")


async def test_the_draft_is_made_once_and_only_reviewers_are_told(
    services: Services,
) -> None:
    await add_members(services, 2)
    first = await prepare_newsletter()
    assert first == await prepare_newsletter() == "newsletter:2026-03"
    rows = await outbox_rows(services)
    assert [r.recipient for r in rows] == [
        "chair@example.org",
        "comms@example.org",
    ]  # told once, not the members nor the learning role
    assert "write your note from the chair" in plain_text(rows[0].payload)
    assert "send yourself a test" in plain_text(rows[1].payload)
    async with services.sessions() as session:
        assert (await nl.get_newsletter(session, first)).status == nl.DRAFT


async def test_a_scheduled_issue_goes_when_its_time_comes(
    services: Services, clock: StepClock
) -> None:
    await add_members(services, 3)
    campaign = await prepare_newsletter()
    async with services.sessions() as session:
        row = await nl.get_newsletter(session, campaign)
        nl.schedule(row, clock.now() + timedelta(hours=2), now=clock.now())
        await session.commit()
    assert await send_newsletters() == []
    clock.advance(hours=2)
    assert await send_newsletters() == [campaign]
    assert await send_newsletters() == []
    copies = [r for r in await outbox_rows(services) if r.campaign == campaign]
    assert len(copies) == 3


async def test_the_job_leaves_an_issue_another_process_is_sending(
    services: Services, clock: StepClock
) -> None:
    """A CLI send in progress holds the issue's lease: the job does not run beside it,
    and resumes the issue only once that sender has stopped renewing the lease."""
    await add_members(services, 3)
    campaign = await prepare_newsletter()
    async with services.sessions() as session:
        row = await nl.get_newsletter(session, campaign)
        await nl.start_sending(
            session,
            row,
            zone=services.settings.zone,
            base_url=services.links.base_url,
            now=clock.now(),
        )
        await session.commit()
    other = SendTurn(services.sessions, row.id or 0, campaign, clock.now)
    await other.keep()  # another process, mid-send

    assert await send_newsletters() == []
    with pytest.raises(nl.NewsletterBusyError, match="another process"):
        await send(services, campaign)
    assert [r for r in await outbox_rows(services) if r.campaign == campaign] == []

    clock.advance(minutes=TTL.total_seconds() / 60 + 1)  # that process died
    assert await send_newsletters() == [campaign]
    copies = [r for r in await outbox_rows(services) if r.campaign == campaign]
    assert len(copies) == 3
