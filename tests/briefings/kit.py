"""Briefings for tests: Markdown files, drafts made and approved as an author and approver would."""

from __future__ import annotations

from datetime import timedelta

from bot.domain import briefings as b
from bot.runtime import Services
from bot.store.tables import Briefing

AUTHOR = "learning@example.org"
APPROVER = "comms@example.org"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'

LESSONS = """---
kind: learning_lessons
title: Discharge planning for premature babies
summary: Plan **discharge** together & share it.
report_url: https://www.example.org/report
webinar_url: https://www.example.org/webinar
topics: [Neglect]
---
## Background

Several reviews found weak discharge plans.

## Key learning

- Share the plan with the GP & health visitor.
- Read [the guidance](https://www.example.org/guidance).

## Points for practice

1. Agree who leads.
2. Follow up in the community.
"""


def lessons_file(title: str = "Discharge planning for premature babies") -> str:
    return LESSONS.replace(
        "title: Discharge planning for premature babies", f"title: {title}"
    )


def draft(**changes: object) -> b.Draft:
    values: dict[str, object] = {
        "kind": "practice_update",
        "title": "Using the escalation protocol",
        "summary": "Challenge decisions you disagree with.",
        "body": "## What to do\n\nRaise it, then *escalate*.",
        "report_url": "https://www.example.org/protocol",
        "topics": (),
    }
    values.update(changes)
    return b.Draft(**values)  # type: ignore[arg-type]


async def approved(services: Services, **changes: object) -> Briefing:
    """A briefing written by AUTHOR and approved by APPROVER, ready to publish."""
    now = services.clock.now()
    async with services.sessions() as session:
        row = await b.create(session, b.check(draft(**changes)), by=AUTHOR, now=now)
        await b.approve(
            session, row.id or 0, by=APPROVER, roles=("communications",), now=now
        )
        await session.commit()
        return row


async def publish(services: Services, ref: str | int, minutes: int = 0) -> b.Published:
    now = services.clock.now() + timedelta(minutes=minutes)
    async with services.sessions() as session:
        done = await b.publish(
            session,
            ref,
            room=services.mailroom,
            roles=("admin",),
            channel=services.settings.slack_forum_channel,
            now=now,
        )
        await session.commit()
        return done
