"""Anonymity that holds: for an anonymous survey nothing in the database ties a response to
the invitation of the person who gave it, on SQLite and PostgreSQL.

People answer in a known order with answers that tell them apart; then every column of
survey_responses (read from the schema, so a column added later is checked too) is joined
with every column of survey_invitations. A join that could identify someone would match
different invitations for different responses: every join must match the same invitations
(the same ones for every response, or for each response none or all of them). On PostgreSQL the system columns a query can
also read (the writing transaction's id `xmin`, the row's place `ctid`) are checked too.
"""

from __future__ import annotations

import json
import logging
import random

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from bot.domain import surveys
from bot.runtime import Services
from bot.store.tables import Member, Survey, SurveyInvitation, SurveyResponse
from tests.domain.mailbox import outbox_rows
from tests.surveys.conftest import key, members, open_survey, sample

PEOPLE = 8


def _columns(connection: Connection, table: str) -> list[str]:
    return [c["name"] for c in inspect(connection).get_columns(table)]


async def _schema(services: Services) -> tuple[list[str], list[str]]:
    async with services.engine.connect() as connection:
        responses = await connection.run_sync(_columns, "survey_responses")
        invitations = await connection.run_sync(_columns, "survey_invitations")
    return responses, invitations


async def _matches(
    services: Services, survey: Survey, left: str, right: str
) -> set[frozenset[str]]:
    """For each response, the set of respondents whose invitation matches it when joined on
    responses.`left` = invitations.`right` (both read as text)."""
    query = text(
        f"SELECT r.id, i.respondent FROM survey_responses r "
        f"LEFT JOIN survey_invitations i ON i.survey_id = :id "
        f"AND CAST(r.{left} AS TEXT) = CAST(i.{right} AS TEXT) WHERE r.survey_id = :id"
    )
    async with services.sessions() as session:
        connection = await session.connection()
        rows = (await connection.execute(query, {"id": survey.id})).all()
    found: dict[str, set[str]] = {}
    for response_id, respondent in rows:
        found.setdefault(response_id, set()).update([respondent] if respondent else [])
    return {frozenset(s) for s in found.values()}


async def _answer_in_order(
    services: Services, survey: Survey, people: list[Member]
) -> list[str]:
    """Each person answers with a comment naming their place in the order; returns the
    respondent keys in answering order."""
    order = people[:]
    random.Random(8).shuffle(order)
    for place, person in enumerate(order):
        services.clock.advance(minutes=7)  # type: ignore[attr-defined]
        async with services.sessions() as session:
            await surveys.submit(
                session,
                survey.id or 0,
                key(person),
                {"aware": "no", "comments": f"answer {place}"},
                now=services.clock.now(),
            )
    return [key(p) for p in order]


async def _physical_order(services: Services, table: str, column: str) -> list[str]:
    """A table's rows in storage order (SQLite's rowid, PostgreSQL's ctid), which a query
    can read although no column holds it."""
    place = "ctid" if dialect_name_of(services) == "postgresql" else "rowid"
    query = text(f"SELECT {column} FROM {table} ORDER BY {place}")
    async with services.sessions() as session:
        connection = await session.connection()
        return [str(v) for v in (await connection.execute(query)).scalars().all()]


def dialect_name_of(services: Services) -> str:
    return services.engine.dialect.name


async def test_no_query_can_join_a_response_to_its_respondent(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    people = await members(services, PEOPLE)
    survey, _ = await open_survey(services)
    queued = len(await outbox_rows(services))
    caplog.set_level(logging.DEBUG, logger="bot")
    order = await _answer_in_order(services, survey, people)
    assert order != [
        key(p) for p in people
    ]  # the answering order is not the invitation order

    responses, invitations = await _schema(services)
    assert sorted(responses) == [
        "answers",
        "id",
        "respondent",
        "submitted_at",
        "survey_id",
    ], (
        "survey_responses has a new column: check that it cannot identify a respondent, "
        "then add it here"
    )
    if dialect_name_of(services) == "postgresql":
        responses, invitations = [*responses, "xmin"], [*invitations, "xmin"]
    for left in responses:
        for right in invitations:
            matched = await _matches(services, survey, left, right)
            singles_out = any(0 < len(found) < PEOPLE for found in matched)
            assert len(matched) == 1 or not singles_out, (
                f"joining responses.{left} = invitations.{right} ties responses to "
                f"some respondents: {matched}"
            )

    async with services.sessions() as session:
        stored = (await session.exec(select(SurveyResponse))).all()
        marks = (await session.exec(select(SurveyInvitation))).all()
    assert len(stored) == PEOPLE
    assert all(r.respondent is None and r.submitted_at is None for r in stored)
    assert all(
        len(r.id) == 32 and r.id[12] == "4" for r in stored
    )  # uuid4, not a counter
    by_id = [r.answers["comments"] for r in sorted(stored, key=lambda r: r.id)]
    # Random ids: sorted, they follow the answering order only by chance (1 in 8!).
    assert by_id != [f"answer {n}" for n in range(PEOPLE)]
    assert all(m.answered and m.answered_at is None for m in marks)
    # Rewriting the marks did not leave the invitations stored in answering order.
    assert await _physical_order(services, "survey_invitations", "respondent") == [
        key(p) for p in people
    ]
    assert len(await outbox_rows(services)) == queued  # answering queued nothing
    for record in caplog.records:
        if not record.name.startswith("bot"):
            continue  # the database driver's own debug lines are off in production
        message = record.getMessage()
        assert not any(k in message for k in order), (
            f"a log names a respondent: {message}"
        )


async def _answer(
    services: Services, survey: Survey, person: Member, place: int
) -> None:
    services.clock.advance(minutes=7)  # type: ignore[attr-defined]
    async with services.sessions() as session:
        await surveys.submit(
            session,
            survey.id or 0,
            key(person),
            {"aware": "no", "comments": f"answer {place}"},
            now=services.clock.now(),
        )


async def _orders(services: Services, survey: Survey) -> dict[str, list[int]]:
    """The answering places of the responses in each order a query can read without a
    column holding it: the plain scan, and SQLite's rowid or PostgreSQL's ctid and xmin
    (a writing transaction's id grows with time). An order the table lacks is left out."""
    queries = {"scan": "SELECT answers FROM survey_responses WHERE survey_id = :id"}
    if dialect_name_of(services) == "postgresql":
        for column in ("ctid", "xmin::text::bigint"):
            queries[column] = f"{queries['scan']} ORDER BY {column}"
    else:
        queries["rowid"] = f"{queries['scan']} ORDER BY rowid"
    found: dict[str, list[int]] = {}
    for name, query in queries.items():
        async with services.sessions() as session:
            connection = await session.connection()
            try:
                rows = (await connection.execute(text(query), {"id": survey.id})).all()
            except DBAPIError:
                continue  # SQLite: a table WITHOUT ROWID has no rowid to order by
        found[name] = [_place(answers) for (answers,) in rows]
    return found


def _place(answers: object) -> int:
    data = json.loads(answers) if isinstance(answers, str) else answers
    assert isinstance(data, dict)
    return int(str(data["comments"]).removeprefix("answer "))


async def _groups(services: Services, survey: Survey, column: str) -> list[set[str]]:
    """The survey's invitations grouped by `column`, groups in that column's order."""
    query = text(
        f"SELECT CAST({column} AS TEXT), respondent FROM survey_invitations "
        "WHERE survey_id = :id"
    )
    async with services.sessions() as session:
        connection = await session.connection()
        rows = (await connection.execute(query, {"id": survey.id})).all()
    grouped: dict[str, set[str]] = {}
    for value, respondent in rows:
        grouped.setdefault(value or "", set()).add(respondent)
    return [grouped[v] for v in sorted(grouped)]


async def test_a_reminder_round_between_answers_does_not_pair_them(
    services: Services,
) -> None:
    """The attack: a reminder round splits invitations into answered-before and not yet
    (reminded_at); if responses were stored in answering order, the first responses in
    storage order would be those of the first group. Neither half may be readable."""
    people = await members(services, PEOPLE)
    survey, _ = await open_survey(services, sample(reminders=[7]))
    order = people[:]
    random.Random(11).shuffle(order)
    half = PEOPLE // 2
    for place, person in enumerate(order[:half]):
        await _answer(services, survey, person, place)
    services.clock.advance(days=7)  # type: ignore[attr-defined]
    async with services.sessions() as session:
        reminded = await surveys.send_reminders(
            session, post=services.mailroom, now=services.clock.now()
        )
    assert reminded == PEOPLE - half  # who to remind is still known
    for place, person in enumerate(order[half:], start=half):
        await _answer(services, survey, person, place)

    columns = ["reminded_at", "answered", "answered_at", "invited_at"]
    if dialect_name_of(services) == "postgresql":
        columns.append("xmin")
    orders = await _orders(services, survey)
    assert "scan" in orders and all(len(o) == PEOPLE for o in orders.values())
    for column in columns:
        groups = await _groups(services, survey, column)
        assert len(groups) == 1, f"invitations.{column} splits respondents: {groups}"
    for name, places in orders.items():
        # Random order: it follows the answering order only by chance (1 in 8!).
        assert places != sorted(places), f"responses stored in answering order ({name})"
    if dialect_name_of(services) == "sqlite":
        assert "rowid" not in orders  # WITHOUT ROWID: no insertion counter at all
