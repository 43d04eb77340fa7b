"""Polls in the domain, on SQLite and PostgreSQL: checking, voting once, closing, results."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from bot.domain import membership, polls
from bot.errors import InvalidInputError
from bot.runtime import Services
from bot.store.tables import Member, Poll, PollVote
from tests.conftest import StepClock
from tests.polls.conftest import AddMember, MakePoll, local


async def cast(
    services: Services, poll: Poll, member: Member, *choices: int, channel: str = "web"
) -> list[int]:
    assert poll.id is not None
    async with services.sessions() as session:
        return await polls.vote(
            session,
            poll.id,
            member,
            list(choices),
            channel=channel,
            now=services.clock.now(),
        )


async def votes(services: Services, poll: Poll) -> list[PollVote]:
    from sqlmodel import col, select

    async with services.sessions() as session:
        found = await session.exec(
            select(PollVote).where(col(PollVote.poll_id) == poll.id)
        )
        return list(found.all())


async def results(
    services: Services, poll: Poll, *, admin: bool = False
) -> polls.Results:
    async with services.sessions() as session:
        fresh = await polls.get_poll(session, poll.id or 0)
        return await polls.poll_results(session, fresh, for_admin=admin)


def draft(services: Services, **changes: object) -> polls.PollDraft:
    values: dict[str, object] = {
        "question": "Next topic?",
        "options": ["Referrals", "Out of sight"],
        "closes_local": local(services, days=2),
    }
    return polls.PollDraft(**(values | changes))  # type: ignore[arg-type]


async def create(services: Services, made: polls.PollDraft) -> Poll:
    async with services.sessions() as session:
        return await polls.create_poll(
            session,
            made,
            created_by="chair",
            zone=services.settings.zone,
            now=services.clock.now(),
        )


@pytest.mark.parametrize(
    ("changes", "field", "wording"),
    [
        ({"question": "   "}, "question", "Write the question"),
        ({"question": "x" * 501}, "question", "too long"),
        ({"options": ["Only one"]}, "options", "between 2 and 10"),
        ({"options": [f"Option {n}" for n in range(11)]}, "options", "you gave 11"),
        ({"options": ["Same", " same "]}, "options", "there twice"),
        ({"options": ["Fine", "y" * 76]}, "options", "fits on a button"),
        ({"closes_local": datetime(2026, 2, 28, 12, 0)}, "closes", "already passed"),
        ({"closes_local": datetime(2026, 8, 1, 12, 0)}, "closes", "at most 89 days"),
        # 01:30 on 29 March 2026 is skipped in Europe/London: the clocks go forward at 01:00.
        ({"closes_local": datetime(2026, 3, 29, 1, 30)}, "closes", "clocks go forward"),
    ],
)
async def test_a_bad_poll_is_refused_in_plain_english(
    services: Services, changes: dict[str, object], field: str, wording: str
) -> None:
    with pytest.raises(InvalidInputError, match=wording) as refused:
        await create(services, draft(services, **changes))
    assert refused.value.field == field
    async with services.sessions() as session:
        assert await polls.list_polls(session) == []  # nothing half-made


async def test_the_closing_time_is_local_time_stored_as_utc(services: Services) -> None:
    # 17:00 on 1 May is British Summer Time (UTC+1); 17:00 on 1 March is GMT.
    summer = await create(
        services, draft(services, closes_local=datetime(2026, 5, 1, 17, 0))
    )
    winter = await create(
        services, draft(services, closes_local=datetime(2026, 3, 1, 17, 0))
    )
    assert summer.closes_at is not None and winter.closes_at is not None
    assert (summer.closes_at.hour, winter.closes_at.hour) == (16, 17)
    assert summer.options == ["Referrals", "Out of sight"] and summer.anonymous


async def test_a_member_votes_once_and_can_change_their_vote(
    services: Services, new_member: AddMember, new_poll: MakePoll
) -> None:
    poll, kim = await new_poll(), await new_member("kim@example.org", "Kim")
    assert await cast(services, poll, kim, 0) == [0]
    assert await cast(services, poll, kim, 2, channel="email") == [2]
    [only] = await votes(services, poll)
    assert (only.member_id, only.choices, only.channel) == (kim.id, [2], "email")


async def test_choices_that_do_not_fit_the_poll_are_refused(
    services: Services, new_member: AddMember, new_poll: MakePoll
) -> None:
    single, kim = await new_poll(), await new_member("kim@example.org", "Kim")
    with pytest.raises(InvalidInputError, match="no option 4"):
        await cast(services, single, kim, 3)
    with pytest.raises(InvalidInputError, match="one choice only"):
        await cast(services, single, kim, 0, 1)
    with pytest.raises(InvalidInputError, match="Choose an option"):
        await cast(services, single, kim)
    multiple = await new_poll(multiple=True)
    assert await cast(services, multiple, kim, 2, 0, 2) == [0, 2]
    assert await votes(services, single) == []


async def test_only_active_members_vote(
    services: Services, new_member: AddMember, new_poll: MakePoll
) -> None:
    poll, kim = await new_poll(), await new_member("kim@example.org", "Kim")
    async with services.sessions() as session:
        fresh = await session.get(Member, kim.id)
        assert fresh is not None
        await membership.leave(session, fresh, now=services.clock.now())
    with pytest.raises(polls.NotAMemberError, match="join the forum"):
        await cast(services, poll, fresh, 0)


async def test_fifty_simultaneous_votes_from_one_member_count_once(
    services: Services, new_member: AddMember, new_poll: MakePoll
) -> None:
    """Acceptance: each request in its own session and transaction, all at once."""
    poll, kim = (
        await new_poll(options=[f"Option {n}" for n in range(10)]),
        await new_member("kim@example.org", "Kim"),
    )
    recorded = await asyncio.gather(
        *(cast(services, poll, kim, n % 10) for n in range(50))
    )
    assert len(recorded) == 50
    [only] = await votes(services, poll)
    assert only.member_id == kim.id and len(only.choices) == 1
    tally = await results(services, poll)
    assert tally.voters == 1 and sum(o.votes for o in tally.options) == 1


async def test_fifty_simultaneous_clicks_on_a_multiple_choice_poll_leave_one_vote(
    services: Services, new_member: AddMember, new_poll: MakePoll
) -> None:
    poll, kim = (
        await new_poll(multiple=True),
        await new_member("kim@example.org", "Kim"),
    )
    assert poll.id is not None

    async def click(n: int) -> list[int]:
        async with services.sessions() as session:
            return await polls.toggle_choice(
                session,
                poll.id or 0,
                kim,
                n % 3,
                channel="slack",
                now=services.clock.now(),
            )

    await asyncio.gather(*(click(n) for n in range(50)))
    # 50 toggles: options 0 and 1 were clicked 17 times (odd: chosen), option 2 16 times.
    [only] = await votes(services, poll)
    assert only.choices == [0, 1]


async def test_a_vote_after_the_closing_time_is_refused_before_the_job_runs(
    services: Services, clock: StepClock, new_member: AddMember, new_poll: MakePoll
) -> None:
    """Acceptance: the poll is still marked open, but its time has passed."""
    poll, kim = await new_poll(hours=1), await new_member("kim@example.org", "Kim")
    await cast(services, poll, kim, 0)
    assert poll.closes_at is not None
    clock.current = poll.closes_at
    with pytest.raises(polls.PollClosedError, match="has closed"):
        await cast(services, poll, kim, 1)
    async with services.sessions() as session:
        assert (await polls.get_poll(session, poll.id or 0)).status == polls.OPEN
    [only] = await votes(services, poll)
    assert only.choices == [0]


async def test_votes_racing_the_close_are_either_counted_or_refused(
    services: Services, new_member: AddMember, new_poll: MakePoll
) -> None:
    """Acceptance: once the close commits, no vote gets in; none is lost without an error."""
    poll = await new_poll()
    people = [await new_member(f"p{n}@example.org", f"Person {n}") for n in range(20)]

    async def try_vote(member: Member) -> bool:
        try:
            await cast(services, poll, member, 1)
        except polls.PollClosedError:
            return False
        return True

    async def close() -> bool:
        async with services.sessions() as session:
            return await polls.close_poll(
                session, poll.id or 0, now=services.clock.now()
            )

    outcomes = await asyncio.gather(
        *(try_vote(p) for p in people[:10]),
        close(),
        *(try_vote(p) for p in people[10:]),
    )
    accepted = sum(1 for o in outcomes[:10] + outcomes[11:] if o)
    assert outcomes[10] is True
    assert len(await votes(services, poll)) == accepted
    assert not await try_vote(people[0])  # and afterwards, none at all
    assert (await results(services, poll)).voters == accepted


async def test_closing_twice_is_harmless(
    services: Services, new_poll: MakePoll
) -> None:
    poll = await new_poll()
    async with services.sessions() as session:
        assert await polls.close_poll(session, poll.id or 0, now=services.clock.now())
        assert not await polls.close_poll(
            session, poll.id or 0, now=services.clock.now()
        )
        closed = await polls.get_poll(session, poll.id or 0)
    assert closed.status == polls.CLOSED and closed.closes_at == services.clock.now()
    with pytest.raises(polls.PollNotFoundError, match="no poll number 99"):
        async with services.sessions() as session:
            await polls.close_poll(session, 99, now=services.clock.now())


async def test_results_count_and_show_names_only_to_admins_of_named_polls(
    services: Services, new_member: AddMember, new_poll: MakePoll
) -> None:
    named, anonymous = await new_poll(anonymous=False, multiple=True), await new_poll()
    kim, sam, ali = (
        await new_member("kim@example.org", "Kim"),
        await new_member("sam@example.org", "Sam"),
        await new_member("ali@example.org", "Ali"),
    )
    for poll in (named, anonymous):
        await cast(services, poll, kim, 0)
        await cast(services, poll, sam, 0)
    await cast(services, named, ali, 0, 1)
    await cast(services, anonymous, ali, 1)

    seen = await results(services, named, admin=True)
    assert seen.voters == 3 and seen.with_names
    assert [(o.votes, o.percent, o.names) for o in seen.options] == [
        (3, 100.0, ["Ali", "Kim", "Sam"]),
        (1, 33.3, ["Ali"]),
        (0, 0.0, []),
    ]
    assert all(not o.names for o in (await results(services, named)).options)
    hidden = await results(services, anonymous, admin=True)
    assert not hidden.with_names and all(not o.names for o in hidden.options)
    assert hidden.counts() == {
        "Improving referrals": 2,
        "Children out of sight": 1,
        "Neglect toolkit": 0,
    }
    assert "names" not in polls.results_csv(hidden)


async def test_results_csv_cannot_run_formulas(
    services: Services, new_member: AddMember, new_poll: MakePoll
) -> None:
    poll = await new_poll(
        options=['=HYPERLINK("http://evil.example")', "+1", "-1", "@SUM(A1)", "Plain"],
        anonymous=False,
    )
    await cast(
        services, poll, await new_member("x@example.org", "=cmd|' /C calc'!A0"), 0
    )
    text = polls.results_csv(await results(services, poll, admin=True))
    lines = text.splitlines()
    assert lines[0] == "option,votes,percent of voters,names"
    assert (
        lines[1]
        == '"\'=HYPERLINK(""http://evil.example"")",1,100.0,\'=cmd|\' /C calc\'!A0'
    )
    assert [line.split(",")[0] for line in lines[2:5]] == ["'+1", "'-1", "'@SUM(A1)"]
    assert lines[-1] == "voters,1,,"


async def test_a_poll_cannot_stay_open_longer_than_its_vote_links(
    services: Services,
) -> None:
    now = services.clock.now()
    assert polls.closing_time(
        now + timedelta(days=89), zone=services.settings.zone, now=now
    ) == now + timedelta(days=89)


async def test_a_members_votes_are_in_their_export_and_stay_as_counts_after_erasure(
    services: Services, new_member: AddMember, new_poll: MakePoll
) -> None:
    from bot.domain import privacy

    poll, kim = (
        await new_poll(anonymous=False),
        await new_member("kim@example.org", "Kim"),
    )
    await cast(services, poll, kim, 1)
    async with services.sessions() as session:
        exported = await privacy.export_member_data(session, "kim@example.org")
    assert exported["poll_votes"] == [
        {
            "poll": poll.question,
            "anonymous_poll": False,
            "choices": ["Children out of sight"],
            "channel": "web",
            "at": services.clock.now().isoformat(),
        }
    ]
    async with services.sessions() as session:
        await privacy.erase_member(session, "kim@example.org", now=services.clock.now())
    after = await results(services, poll, admin=True)
    assert after.voters == 1 and after.options[1].names == ["(erased member)"]


async def test_closing_waits_for_a_vote_in_flight_on_postgresql(
    services: Services, new_member: AddMember, new_poll: MakePoll
) -> None:
    """The share lock a vote takes on its poll holds the close back until the vote commits,
    so the published results include every vote that was accepted. (SQLite runs one write
    transaction at a time, so there the question does not arise.)"""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from bot.domain.polls import voting

    if services.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL row locks; SQLite serialises write transactions")
    poll, kim = await new_poll(), await new_member("kim@example.org", "Kim")
    now = services.clock.now()
    async with services.sessions() as voting_session:
        await voting._lock_open_poll(voting_session, poll.id or 0, now)  # a vote, begun
        async with services.sessions() as closing:
            connection = await closing.connection()
            await connection.execute(text("SET LOCAL lock_timeout = '300ms'"))
            with pytest.raises(OperationalError, match="lock timeout"):
                await polls.close_poll(closing, poll.id or 0, now=now)
        await voting._upsert(
            voting_session, poll.id or 0, kim.id or 0, [2], channel="web", now=now
        )
        await voting_session.commit()  # the vote lands; now the close can go ahead
    async with services.sessions() as closing:
        assert await polls.close_poll(closing, poll.id or 0, now=now)
    assert (await results(services, poll)).counts()["Neglect toolkit"] == 1
