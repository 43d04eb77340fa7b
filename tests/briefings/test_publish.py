"""Publishing: who receives it, list mail through the real SMTP server, and once only,
however many clicks, sessions or processes try at the same moment."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path

import pytest

from bot.domain import briefings as b
from bot.domain.briefings.style import OnceRenderer
from bot.runtime import Services
from bot.settings import Settings
from bot.store.tables import Member
from tests.briefings.conftest import FORUM_CHANNEL
from tests.briefings.kit import APPROVER, approved, publish
from tests.domain.mailbox import html_text, outbox_rows, plain_text
from tests.forum.sessions_kit import add_member
from tests.servers.smtp import SmtpServer


async def _members(services: Services) -> dict[str, Member]:
    return {
        "ann": await add_member(services, "Ann Neglect", topics=("Neglect",)),
        "ben": await add_member(services, "Ben Nothing"),
        "cat": await add_member(
            services, "Cat Slack", topics=("Neglect",), channels=("slack",)
        ),
        "dan": await add_member(services, "Dan Left", status="unsubscribed"),
        "eve": await add_member(services, "Eve Exploit", topics=("Exploitation",)),
    }


async def test_publishing_emails_matching_members_as_list_mail(
    services: Services, smtpd: SmtpServer
) -> None:
    people = await _members(services)
    row = await approved(services, topics=("Neglect",), title="Escalation <now>")
    done = await publish(services, row.id or 0)
    assert (done.emails, done.posts, done.already) == (1, 1, False)
    everyone = await approved(services, title="For everyone")
    assert (await publish(services, everyone.id or 0)).emails == 3  # ann, ben, eve

    await services.delivery_worker().drain()
    assert sorted(m.recipients[0] for m in smtpd.messages) == sorted(
        people[n].email or "" for n in ("ann", "ann", "ben", "eve")
    )
    received = {
        m.recipients[0]: m.parsed()
        for m in smtpd.messages
        if "everyone" in str(m.parsed()["Subject"])
    }
    (special,) = [
        m.parsed() for m in smtpd.messages if "<now>" in m.parsed()["Subject"]
    ]
    assert str(special["To"]).endswith(f"<{people['ann'].email}>")
    assert str(special["Subject"]) == "Practice update: Escalation <now>"
    for name in ("ann", "ben", "eve"):
        member = people[name]
        message = received[member.email or ""]
        found = re.search(
            r"<(http[^>]+/unsubscribe/([^?>]+)[^>]*)>", str(message["List-Unsubscribe"])
        )
        assert found is not None
        assert services.links.read_member("unsubscribe", found.group(2))[0] == member.id
        html = message.get_body(preferencelist=("html",))
        text = message.get_body(preferencelist=("plain",))
        assert html is not None and text is not None
        assert f"Hello {member.name}," in html.get_content()
        assert found.group(1) in html.get_content()
        preferences = re.search(r"/preferences/(\S+)", text.get_content())
        assert preferences is not None
        assert (
            services.links.read_member("preferences", preferences.group(1))[0]
            == member.id
        )
    rows = await outbox_rows(services)
    assert {r.campaign for r in rows} == {
        f"briefing:{row.id}",
        f"briefing:{everyone.id}",
    }
    posts = [r for r in rows if r.channel == "slack"]
    assert [r.recipient for r in posts] == [FORUM_CHANNEL, FORUM_CHANNEL]
    assert (
        json.loads(posts[0].payload)["blocks"][0]["text"]["text"] == "Escalation <now>"
    )


async def test_the_once_renderer_gives_each_member_what_a_full_render_would(
    services: Services,
) -> None:
    people = await _members(services)
    row = await approved(services, summary="Names like O'Brien & <Co>")
    emails = b.publishing.emails_for(services.mailroom, row, list(people.values()))
    once = OnceRenderer(services.renderer)
    for email in emails:
        context = {
            "recipient_name": email.to_name,
            "sender": services.sender,
            **email.context,
        }
        assert once.render_email(
            email.template, context
        ) == services.renderer.render_email(email.template, context)


async def test_publishing_twice_at_once_in_separate_sessions_sends_once(
    services: Services,
) -> None:
    people = await _members(services)
    row = await approved(services)
    results = await asyncio.gather(*(publish(services, row.id or 0) for _ in range(4)))
    assert sorted(r.already for r in results) == [False, True, True, True]
    assert sum(r.emails for r in results) == 3
    rows = await outbox_rows(services)
    assert len(rows) == 4  # three emails, one Slack post
    assert sorted(r.idempotency_key for r in rows if r.channel == "email") == sorted(
        f"briefing:{row.id}:member:{p.id}"
        for p in (people["ann"], people["ben"], people["eve"])
    )


def _config(tmp_path: Path, settings: Settings) -> Path:
    config = tmp_path / "forumbot.toml"
    config.write_text(
        f'base_url = "{settings.base_url}"\n'
        f'slack_forum_channel = "{FORUM_CHANNEL}"\n'
        f'[[admins]]\nemail = "{APPROVER}"\nroles = ["communications"]\n',
        encoding="utf-8",
    )
    return config


async def _forumbot(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


async def test_two_processes_publishing_at_once_send_it_once(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _members(services)
    row = await approved(services)
    settings = services.settings
    env = {
        "PATH": "/usr/bin:/bin",
        "FORUMBOT_DATABASE_URL": settings.effective_database_url,
        "FORUMBOT_DATA_DIR": str(tmp_path / "data"),
        "FORUMBOT_CONFIG_FILE": str(_config(tmp_path, settings)),
        "FORUMBOT_SENDER_ADDRESS": "forum@partnership.example.org",
    }
    cwd = tmp_path / "empty"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    args = ("briefings", "publish", str(row.id), "--by", APPROVER)
    outcomes = await asyncio.gather(
        _forumbot(env, cwd, *args), _forumbot(env, cwd, *args)
    )
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    said = sorted(out.strip().splitlines()[-1] for _, out in outcomes)
    assert re.match(r"Published .*: 3 emails and 1 Slack posts queued\.", said[0]), said
    assert "was already published; nothing sent." in said[1]
    rows = await outbox_rows(services)
    assert sorted(r.channel for r in rows) == ["email", "email", "email", "slack"]


async def test_a_member_without_a_name_is_greeted_as_forum_member(
    services: Services,
) -> None:
    await add_member(services, "", email="noname@partner.example.org")
    row = await approved(services)
    await publish(services, row.id or 0)
    (mail,) = await outbox_rows(services, "noname@partner.example.org")
    assert "Hello forum member," in plain_text(mail.payload)
    assert "Hello forum member," in html_text(mail.payload)
    assert "Hello ," not in plain_text(mail.payload)
