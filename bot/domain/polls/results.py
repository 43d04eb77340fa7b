"""A poll's results: counts per option, voters, percentages; names only where allowed; CSV."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.spreadsheets import write_csv
from bot.store.tables import Member, Poll, PollVote


@dataclass(frozen=True)
class OptionResult:
    label: str
    votes: int
    percent: float  # of voters; on a multiple-choice poll the options add up to more than 100
    names: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Results:
    """What a poll's results show. `names` is filled only for a named poll seen by an admin."""

    poll_id: int
    question: str
    closed: bool
    voters: int
    options: list[OptionResult]
    with_names: bool = False

    def counts(self) -> dict[str, int]:
        """Votes by option label, in the options' order (for bar charts)."""
        return {o.label: o.votes for o in self.options}

    def as_dict(self) -> dict[str, object]:
        return {
            "poll_id": self.poll_id,
            "question": self.question,
            "closed": self.closed,
            "voters": self.voters,
            "options": [
                {"option": o.label, "votes": o.votes, "percent": o.percent}
                | ({"names": o.names} if self.with_names else {})
                for o in self.options
            ],
        }


async def poll_results(
    session: AsyncSession, poll: Poll, *, for_admin: bool = False
) -> Results:
    """Count the votes now. Names come back only when the poll is named and `for_admin`.

    Anonymous polls still record who voted (to count each member once) but never say who
    chose what, to anyone: not to the chair, not in the CSV.
    """
    assert poll.id is not None
    rows = (
        await session.exec(
            select(PollVote, Member)
            .join(Member, col(Member.id) == col(PollVote.member_id))
            .where(col(PollVote.poll_id) == poll.id)
            .order_by(col(Member.name), col(Member.id))
        )
    ).all()
    with_names = for_admin and not poll.anonymous
    votes = [0] * len(poll.options)
    names: list[list[str]] = [[] for _ in poll.options]
    for vote, member in rows:
        for index in set(vote.choices):
            if 0 <= index < len(votes):
                votes[index] += 1
                names[index].append(member.name or member.email or "(erased member)")
    voters = len(rows)
    options = [
        OptionResult(
            label,
            votes[n],
            round(100 * votes[n] / voters, 1) if voters else 0.0,
            names[n] if with_names else [],
        )
        for n, label in enumerate(poll.options)
    ]
    return Results(
        poll.id, poll.question, poll.status == "closed", voters, options, with_names
    )


def results_csv(results: Results) -> str:
    """The results as CSV, every cell safe to open in a spreadsheet (typed text can start
    with '=' or '@', which a spreadsheet would run as a formula)."""
    header = ["option", "votes", "percent of voters"]
    if results.with_names:
        header.append("names")
    rows = [
        [
            o.label,
            o.votes,
            o.percent,
            *(["; ".join(o.names)] if results.with_names else []),
        ]
        for o in results.options
    ]
    rows.append(["voters", results.voters, "", *([""] if results.with_names else [])])
    return write_csv(header, rows)


async def member_votes(
    session: AsyncSession, member_id: int
) -> list[dict[str, object]]:
    """A member's own votes, for their subject access request (anonymous polls included:
    the link to them is held, only never shown to anyone else).

    Erasure keeps the rows: they hold only choices, and once the member's details are gone
    they are anonymous counts that keep past results true.
    """
    rows = (
        await session.exec(
            select(PollVote, Poll)
            .join(Poll, col(Poll.id) == col(PollVote.poll_id))
            .where(col(PollVote.member_id) == member_id)
            .order_by(col(Poll.id))
        )
    ).all()
    return [
        {
            "poll": poll.question,
            "anonymous_poll": poll.anonymous,
            "choices": [
                poll.options[n] for n in vote.choices if 0 <= n < len(poll.options)
            ],
            "channel": vote.channel,
            "at": vote.updated_at.isoformat(),
        }
        for vote, poll in rows
    ]
