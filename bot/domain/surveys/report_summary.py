"""The chair's summary of a report: a Slack DM with bars drawn in text, or an email when the
chair has no Slack, both through the outbox.

Everything typed (answers, and the question and option wording, which admins type in the web
pages) is escaped for mrkdwn here; the email's HTML is escaped by the templates. The outbox
key holds the number of responses, so re-posting an unchanged report sends nothing, while a
report with new answers (`forumbot surveys report ID --post` later) goes out again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import blockkit
from bot.domain.blockkit import Block, escape
from bot.domain.chat import ChatMessage, clip, queue_chat
from bot.domain.links import fingerprint
from bot.domain.members import ACTIVE, find_member
from bot.domain.membership import Mailroom
from bot.domain.mime import clean_header_text
from bot.domain.surveys.report_model import WITHHELD, QuestionReport, Report, Share
from bot.domain.surveys.reports import survey_report
from bot.store.tables import Survey

CHAIR = "chair"
BAR_WIDTH = 10
QUOTES_SHOWN = 3  # free-text answers per question in a summary; the page has them all


@dataclass(frozen=True)
class Posted:
    slack: int
    emails: int


def text_bar(share: Share) -> str:
    """A bar of 10 blocks for a percentage: '██████░░░░'."""
    filled = math.floor(BAR_WIDTH * share.count / share.of + 0.5) if share.of else 0
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def rate_line(report: Report) -> str:
    rate = report.response_rate
    line = f"{report.responses} responses"
    if rate is not None:
        line += f" · {rate.whole}% of {rate.of} invited answered"
    return f"{line}. {WITHHELD}" if report.withheld else line


def question_lines(question: QuestionReport) -> list[str]:
    """A question's figures as mrkdwn lines (bars, mean, numbers or quoted answers)."""
    lines = [
        f"`{text_bar(b.share)}` {b.share.whole}% {escape(b.label)} ({b.share.count})"
        for b in question.bars
    ]
    if question.mean is not None:
        lines.append(f"Mean {question.mean}")
    if question.numbers is not None:
        n = question.numbers
        lines.append(f"Mean {n.mean:g} · median {n.median:g} · {n.min:g} to {n.max:g}")
    lines.extend(
        "> " + escape(clip(" ".join(answer.split()), 300))
        for answer in question.texts[:QUOTES_SHOWN]
    )
    if len(question.texts) > QUOTES_SHOWN:
        lines.append(f"_…and {len(question.texts) - QUOTES_SHOWN} more in the report_")
    return lines


def summary_blocks(report: Report, report_url: str) -> list[Block]:
    """Block Kit for the chair: rate, ratios, then a section per question."""
    blocks: list[Block] = [
        {
            "type": "header",
            "text": blockkit.plain(f"Survey report: {report.title}", 150),
        },
        blockkit.text(rate_line(report)),
    ]
    if report.ratios:
        ratios = [
            f"• {escape(r.label)}: *{r.share.whole}%* ({r.share.count} of {r.share.of})"
            for r in report.ratios
        ]
        blocks.append(blockkit.text("\n".join(ratios)))
    for q in report.questions:
        asked = f"{q.answered} of {q.shown} asked answered"
        head = f"*{escape(q.text)}*\n_{asked}_"
        blocks.append(blockkit.text("\n".join([head, *question_lines(q)])))
    blocks.append(blockkit.text(f"<{report_url}|Full report, charts and CSV>"))
    return blocks


def email_context(report: Report, report_url: str) -> dict[str, Any]:
    """What templates/email/survey_report.* are given (the templates escape the HTML)."""
    return {
        "title": report.title,
        "subject_title": clean_header_text(report.title, 150),
        "rate_line": rate_line(report),
        "ratios": report.ratios,
        "questions": report.questions,
        "quotes_shown": QUOTES_SHOWN,
        "report_url": report_url,
    }


async def post_summary(
    session: AsyncSession,
    report: Report,
    *,
    room: Mailroom,
    slack_enabled: bool,
    now: datetime,
) -> Posted:
    """DM each chair who is a forum member with Slack; email the others. The caller commits.

    A chair is an admin with the 'chair' role in the settings.
    """
    scope = report_scope(report)
    url = report_url(room.links.base_url, report)
    slack = emails = 0
    for address, roles in sorted(room.admins.items()):
        if CHAIR not in roles:
            continue
        key = f"survey-report:{scope}:{report.responses}:{fingerprint(address)}"
        member = await find_member(session, address)
        if (
            slack_enabled
            and member
            and member.slack_user_id
            and member.status == ACTIVE
        ):
            message = ChatMessage(
                key=key,
                to=member.slack_user_id,
                text=f"Survey report: {escape(report.title)}",
                blocks=summary_blocks(report, url),
            )
            slack += await queue_chat(session, [message], now=now)
        else:
            emails += await room.send(
                session,
                key=key,
                to=(member.name or "" if member else "", address),
                template="survey_report",
                now=now,
                context=email_context(report, url),
            )
    return Posted(slack, emails)


async def post_closed_summaries(
    session: AsyncSession,
    *,
    room: Mailroom,
    slack_enabled: bool,
    since: datetime,
    now: datetime,
) -> list[int]:
    """Send the chair the summary of each survey that closed in [since, now]: closed by
    hand (closing sets the time) or by its closing time passing, whether or not the
    closing job has run. Course evaluations are left out: they close after every event,
    and the learning team reads them per course. Commits.

    Returns:
        The surveys whose summaries were newly queued.
    """
    statement = (
        select(col(Survey.id))
        .where(col(Survey.kind) == "survey", col(Survey.status) != "draft")
        .where(col(Survey.closes_at) > since, col(Survey.closes_at) <= now)
        .order_by(col(Survey.id))
    )
    sent = []
    ids = [i for i in (await session.exec(statement)).all() if i is not None]
    for survey_id in ids:
        report = await survey_report(session, survey_id)
        posted = await post_summary(
            session, report, room=room, slack_enabled=slack_enabled, now=now
        )
        if posted.slack or posted.emails:
            sent.append(survey_id)
    await session.commit()
    return sent


def report_scope(report: Report) -> str:
    """'12' for survey 12, 'course-3' for course 3's evaluations taken together."""
    if report.course_id is not None:
        return f"course-{report.course_id}"
    return str(report.survey_ids[0])


def report_url(base_url: str, report: Report) -> str:
    """The report's web page."""
    if report.course_id is not None:
        return f"{base_url}/admin/courses/{report.course_id}/report"
    return f"{base_url}/admin/surveys/{report.survey_ids[0]}/report"
