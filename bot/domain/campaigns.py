"""Per-campaign reports: what a campaign queued, sent, failed, bounced, and the unsubscribes
it caused. A campaign is the outbox's `campaign` column (`newsletter:2027-01`, `poll:3`,
`session:12`...), so every list mail the bot sends is reported the same way.

Unsubscribes are attributed through the `c` parameter that `Mailroom.list_email` adds to
the unsubscribe link. It is not signed: it only feeds a count, and it is counted only when
that campaign really emailed the member who unsubscribed, so an edited link cannot inflate
another campaign's figure. No member id is stored with the count.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import NotFoundError
from bot.outbox import queue
from bot.store.tables import Bounce, Click, OutboxMessage, Unsubscribe

MAX_CAMPAIGN = 200


@dataclass(frozen=True)
class CampaignReport:
    campaign: str
    queued: int
    pending: int
    sent: int
    failed: int
    cancelled: int
    bounced: int
    unsubscribes: int
    clicks: int
    first_queued: datetime | None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["first_queued"] = (
            self.first_queued.isoformat() if self.first_queued else None
        )
        return data


async def note_unsubscribe(
    session: AsyncSession, address: str, campaign: str, *, now: datetime
) -> bool:
    """Count an unsubscribe against `campaign` if it emailed `address`; the caller commits."""
    mailed = select(OutboxMessage.id).where(
        col(OutboxMessage.campaign) == campaign[:MAX_CAMPAIGN],
        col(OutboxMessage.recipient) == address,
    )
    if (await session.exec(mailed.limit(1))).first() is None:
        return False
    session.add(Unsubscribe(campaign=campaign[:MAX_CAMPAIGN], created_at=now))
    return True


async def _counts(
    session: AsyncSession, model: Any, campaigns: list[str]
) -> dict[str, int]:
    statement = (
        select(model.campaign, func.count())
        .where(col(model.campaign).in_(campaigns))
        .group_by(model.campaign)
    )
    return {name: int(n) for name, n in (await session.exec(statement)).all()}


async def _bounces(session: AsyncSession, campaigns: list[str]) -> dict[str, int]:
    statement = (
        select(OutboxMessage.campaign, func.count(func.distinct(Bounce.id)))
        .join(Bounce, col(Bounce.outbox_id) == col(OutboxMessage.id))
        .where(col(OutboxMessage.campaign).in_(campaigns))
        .group_by(col(OutboxMessage.campaign))
    )
    return {str(name): int(n) for name, n in (await session.exec(statement)).all()}


async def campaign_reports(
    session: AsyncSession, campaigns: list[str] | None = None, *, limit: int = 200
) -> list[CampaignReport]:
    """Reports for these campaigns (default: all, newest first), from the outbox."""
    statement = (
        select(
            OutboxMessage.campaign,
            OutboxMessage.status,
            func.count(),
            func.min(OutboxMessage.created_at),
        )
        .where(col(OutboxMessage.campaign).is_not(None))
        .group_by(col(OutboxMessage.campaign), col(OutboxMessage.status))
    )
    if campaigns is not None:
        statement = statement.where(col(OutboxMessage.campaign).in_(campaigns))
    by: dict[str, dict[str, int]] = {}
    first: dict[str, datetime] = {}
    for name, status, n, earliest in (await session.exec(statement)).all():
        by.setdefault(str(name), {})[status] = int(n)
        first[str(name)] = min(earliest, first.get(str(name), earliest))
    names = sorted(by, key=lambda x: (first[x], x), reverse=True)[:limit]
    bounced = await _bounces(session, names)
    left = await _counts(session, Unsubscribe, names)
    clicks = await _counts(session, Click, names)
    return [_report(n, by[n], bounced, left, clicks, first[n]) for n in names]


def _report(
    name: str,
    by: dict[str, int],
    bounced: dict[str, int],
    left: dict[str, int],
    clicks: dict[str, int],
    first: datetime,
) -> CampaignReport:
    return CampaignReport(
        campaign=name,
        queued=sum(by.values()),
        pending=by.get(queue.PENDING, 0) + by.get(queue.SENDING, 0),
        sent=by.get(queue.SENT, 0),
        failed=by.get(queue.FAILED, 0),
        cancelled=by.get(queue.CANCELLED, 0),
        bounced=bounced.get(name, 0),
        unsubscribes=left.get(name, 0),
        clicks=clicks.get(name, 0),
        first_queued=first,
    )


async def campaign_report(session: AsyncSession, campaign: str) -> CampaignReport:
    """Raises:
    NotFoundError: Nothing was ever queued for that campaign.
    """
    found = await campaign_reports(session, [campaign])
    if not found:
        raise NotFoundError(
            f"Nothing has been sent for a campaign called {campaign!r}."
        )
    return found[0]
