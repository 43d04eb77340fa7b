"""Creating polls and taking votes (one per member, changeable while open); closing is in
`closing`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.links import Links, fingerprint
from bot.domain.members import ACTIVE
from bot.domain.polls.drafts import (
    NotAMemberError,
    PollClosedError,
    PollDraft,
    PollNotFoundError,
    clean_draft,
)
from bot.errors import InvalidInputError, InvalidLinkError
from bot.store.db import dialect_name
from bot.store.tables import Member, Poll, PollVote

OPEN, CLOSED = "open", "closed"
CHANNELS = ("slack", "email", "web", "phone")


async def create_poll(
    session: AsyncSession,
    draft: PollDraft,
    *,
    created_by: str,
    zone: ZoneInfo,
    now: datetime,
) -> Poll:
    """Check and store a new, open poll. Commits.

    Raises:
        InvalidInputError: The question, options or closing time are not acceptable.
    """
    clean = clean_draft(draft, zone=zone, now=now)
    poll = Poll(
        question=clean.question,
        options=clean.options,
        multiple=clean.multiple,
        anonymous=clean.anonymous,
        closes_at=clean.closes_at,
        created_by=created_by[:320],
        created_at=now,
    )
    session.add(poll)
    await session.commit()
    return poll


async def find_poll(session: AsyncSession, poll_id: int) -> Poll | None:
    return await session.get(Poll, poll_id)


async def get_poll(session: AsyncSession, poll_id: int) -> Poll:
    """Raises:
    PollNotFoundError: No poll has that number.
    """
    poll = await session.get(Poll, poll_id)
    if poll is None:
        raise PollNotFoundError(f"There is no poll number {poll_id}.")
    return poll


async def list_polls(session: AsyncSession, *, limit: int = 200) -> list[Poll]:
    """Newest first."""
    statement = select(Poll).order_by(col(Poll.id).desc()).limit(limit)
    return list((await session.exec(statement)).all())


def is_open(poll: Poll, now: datetime) -> bool:
    """Open for votes: not closed, and its closing time not reached (whether or not the
    closing job has run yet)."""
    return poll.status == OPEN and (poll.closes_at is None or now < poll.closes_at)


def check_choices(poll: Poll, choices: Sequence[int]) -> list[int]:
    """The choices, sorted and without repeats.

    Raises:
        InvalidInputError: None given, one out of range, or several on a single-choice poll.
    """
    chosen = sorted(set(choices))
    if not chosen:
        raise InvalidInputError("Choose an option.", field="choices")
    if chosen[0] < 0 or chosen[-1] >= len(poll.options):
        raise InvalidInputError(
            f"There is no option {max(chosen, key=abs) + 1}: this poll has options 1 to "
            f"{len(poll.options)}.",
            field="choices",
        )
    if len(chosen) > 1 and not poll.multiple:
        raise InvalidInputError("This poll takes one choice only.", field="choices")
    return chosen


async def _lock_open_poll(session: AsyncSession, poll_id: int, now: datetime) -> Poll:
    """The poll, share-locked so that `close_poll` waits for votes in flight (PostgreSQL;
    SQLite's BEGIN IMMEDIATE already runs one writer at a time).

    Raises:
        PollNotFoundError, PollClosedError.
    """
    statement = (
        select(Poll)
        .where(col(Poll.id) == poll_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    poll = (await session.exec(statement)).first()
    if poll is None:
        raise PollNotFoundError(f"There is no poll number {poll_id}.")
    if not is_open(poll, now):
        raise PollClosedError("This poll has closed: votes are no longer taken.")
    return poll


def check_voter(member: Member) -> int:
    """The member's id, if they may vote.

    Raises:
        NotAMemberError: They are not an active member (left, pending, erased).
    """
    if member.status != ACTIVE or member.id is None:
        raise NotAMemberError(
            "Only members of the Practitioner Forum can vote: join the forum first."
        )
    return member.id


async def vote(
    session: AsyncSession,
    poll_id: int,
    member: Member,
    choices: Sequence[int],
    *,
    channel: str,
    now: datetime,
) -> list[int]:
    """Record a member's vote, replacing any earlier one. Commits.

    One atomic upsert on the (poll, member) key: however many requests a member sends at
    once, one row holds their vote, with the last choices written.

    Returns:
        The choices recorded.

    Raises:
        PollNotFoundError: No such poll.
        PollClosedError: The poll is closed or its closing time has passed.
        NotAMemberError: The member is not active.
        InvalidInputError: The choices do not fit the poll.
    """
    member_id = check_voter(member)
    poll = await _lock_open_poll(session, poll_id, now)
    chosen = check_choices(poll, choices)
    await _upsert(session, poll_id, member_id, chosen, channel=channel, now=now)
    await session.commit()
    return chosen


async def _upsert(
    session: AsyncSession,
    poll_id: int,
    member_id: int,
    chosen: list[int],
    *,
    channel: str,
    now: datetime,
) -> None:
    # INSERT ... ON CONFLICT DO UPDATE is atomic on both databases: no read-then-insert
    # window in which two requests could both insert, so no IntegrityError to recover from.
    insert = (
        postgresql.insert if dialect_name(session) == "postgresql" else sqlite.insert
    )
    values = {"choices": chosen, "channel": channel, "updated_at": now}
    statement = insert(PollVote).values(poll_id=poll_id, member_id=member_id, **values)
    await session.exec(
        statement.on_conflict_do_update(
            index_elements=["poll_id", "member_id"], set_=values
        )
    )


async def find_vote(
    session: AsyncSession, poll_id: int, member_id: int
) -> PollVote | None:
    return await session.get(PollVote, (poll_id, member_id))


async def toggle_choice(
    session: AsyncSession,
    poll_id: int,
    member: Member,
    index: int,
    *,
    channel: str,
    now: datetime,
) -> list[int]:
    """A click on an option's button: on a single-choice poll it becomes the vote; on a
    multiple-choice poll it adds the option, or takes it away if chosen already (taking away
    the last one withdraws the vote). Commits.

    Returns:
        The member's choices now (empty when withdrawn).

    Raises:
        As `vote` does.
    """
    member_id = check_voter(member)
    poll = await _lock_open_poll(session, poll_id, now)
    check_choices(poll, [index])
    # Read-modify-write: lock the member's row so that two clicks at once take turns
    # (PostgreSQL; on SQLite the transaction already holds the write lock).
    await session.exec(
        select(Member.id).where(col(Member.id) == member_id).with_for_update()
    )
    current = (
        await session.exec(
            select(PollVote)
            .where(
                col(PollVote.poll_id) == poll_id, col(PollVote.member_id) == member_id
            )
            .execution_options(populate_existing=True)
        )
    ).first()
    if poll.multiple:
        chosen = set(current.choices if current else []) ^ {index}
    else:
        chosen = {index}
    if not chosen:
        await session.exec(
            delete(PollVote).where(
                col(PollVote.poll_id) == poll_id, col(PollVote.member_id) == member_id
            )
        )
    else:
        await _upsert(
            session, poll_id, member_id, sorted(chosen), channel=channel, now=now
        )
    await session.commit()
    return sorted(chosen)


async def remember_slack_message(
    session: AsyncSession, poll_id: int, *, channel: str, ts: str
) -> None:
    """Note where the poll's Slack post is (a button click tells us), so later votes by
    email or web, and the closing, can update it. Commits."""
    poll = await session.get(Poll, poll_id)
    if (
        poll is not None
        and poll.slack_ts is None
        and poll.slack_channel in (None, channel)
    ):
        poll.slack_channel, poll.slack_ts = channel[:32], ts[:32]
        await session.commit()


async def read_vote_link(
    session: AsyncSession, links: Links, token: str
) -> tuple[Member, int, int]:
    """(member, poll id, option index) from an emailed vote link.

    Raises:
        ExpiredLinkError: The link is too old.
        InvalidLinkError: It was altered, or its member has been erased or re-joined.
    """
    member_id, print_, items = links.read_item("vote", token, 2)
    poll_id, index = items
    member = await session.get(Member, member_id)
    if (
        member is None
        or member.email is None
        or fingerprint(member.email) != print_
        or not isinstance(poll_id, int)
        or not isinstance(index, int)
    ):
        raise InvalidLinkError("This link is no longer valid.")
    return member, poll_id, index
