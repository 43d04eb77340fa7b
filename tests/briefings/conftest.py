"""Briefing fixtures: a forum channel and topics in the settings, and the Slack fixtures."""

from __future__ import annotations

import pytest

from bot.settings import Admin, Settings
from tests.briefings.kit import APPROVER, AUTHOR
from tests.servers.smtp import SmtpServer
from tests.slack.conftest import (  # noqa: F401  (the Slack fixtures, for test_slack)
    slack_api,
    slack_settings,
    slackbot,
)

FORUM_CHANNEL = "C0FORUM"
TOPICS = ["Neglect", "Exploitation"]


@pytest.fixture
def mail_settings(settings: Settings, smtpd: SmtpServer) -> Settings:
    """As the shared fixture, with a forum channel, topics and an author and approver."""
    return settings.model_copy(
        update={
            "smtp_host": smtpd.host,
            "smtp_port": smtpd.port,
            "slack_forum_channel": FORUM_CHANNEL,
            "topics": TOPICS,
            "admins": [
                Admin(email=AUTHOR, roles=["learning"]),
                Admin(email=APPROVER, roles=["communications"]),
            ],
        }
    )
