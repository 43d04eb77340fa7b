"""The knowledge base in the database (SQLite and PostgreSQL): ingest, index, questions, tickets."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.knowledge import asking, store, tickets
from bot.domain.knowledge.answers import ANSWER, HANDOFF
from bot.domain.knowledge.redaction import REMINDER
from bot.errors import InvalidInputError, NotFoundError
from bot.runtime import Services
from bot.store.tables import KbDocument, KbPassage, OutboxMessage, Question, Ticket
from tests.conftest import StepClock
from tests.knowledge.pdf import minimal_pdf
from tests.servers.smtp import SmtpServer

ROOT = "/kb/partnership/"
SAMPLE_KB = Path(__file__).parents[2] / "config" / "knowledge"
ESCALATION = b"""---
title: Resolving professional disagreements
source_url: https://partnership.example.org/escalation
owner: Business Manager
review_date: "2027-03-31"
---

## The Resolution and Escalation Protocol

When you disagree with a decision made by another agency about a child, speak to the
worker first. If that does not resolve it, escalate the disagreement to your manager and
then to the designated safeguarding lead of each agency.
"""
REVIEWS = b"""Rapid Reviews and Local Reviews

Rapid review timescales

The partnership completes a rapid review within fifteen working days of notification of
a serious incident to the national panel.
"""
TRAINING = b"""<html><head><title>Training for practitioners</title></head><body>
<h2>Neglect training</h2><p>The partnership runs free neglect training with the graded care
profile tool every month for practitioners in every agency.</p></body></html>"""


def files(**named: bytes) -> list[store.SourceFile]:
    return [store.SourceFile(ROOT + name, data) for name, data in named.items()]


BASE = {
    "escalation.md": ESCALATION,
    "reviews.txt": REVIEWS,
    "training.html": TRAINING,
}


async def ingest(
    services: Services,
    session: AsyncSession,
    sources: Sequence[store.SourceFile],
    roots: Sequence[str] = (ROOT,),
) -> store.IngestReport:
    return await store.ingest(session, sources, roots=roots, now=services.clock.now())


async def passages_of(session: AsyncSession, name: str) -> list[str]:
    rows = await session.exec(
        select(KbPassage)
        .join(KbDocument, col(KbDocument.id) == col(KbPassage.document_id))
        .where(col(KbDocument.name) == name)
        .order_by(col(KbPassage.position))
    )
    return [p.text for p in rows.all()]


# --- ingest --------------------------------------------------------------------------------


async def test_ingest_adds_documents_with_their_metadata_and_passages(
    services: Services,
) -> None:
    async with services.sessions() as session:
        report = await ingest(services, session, files(**BASE))

        assert sorted(report.added) == ["escalation.md", "reviews.txt", "training.html"]
        assert report.updated == report.unchanged == report.removed == []
        assert report.failed == {}
        listed = await store.documents(session)
        assert [(d.name, n) for d, n in listed] == [
            ("escalation.md", 1),
            ("reviews.txt", 1),
            ("training.html", 1),
        ]
        assert report.passages == 3
        escalation = listed[0][0]
        assert escalation.path == ROOT + "escalation.md"
        assert escalation.title == "Resolving professional disagreements"
        assert escalation.source_url == "https://partnership.example.org/escalation"
        assert (escalation.owner, escalation.review_date) == (
            "Business Manager",
            "2027-03-31",
        )
        assert listed[1][0].title == "Rapid Reviews and Local Reviews"
        assert listed[2][0].title == "Training for practitioners"
        entries = await store.entries(session)
        assert [(e.document, e.section) for e in entries] == [
            ("escalation.md", "The Resolution and Escalation Protocol"),
            ("reviews.txt", "Rapid review timescales"),
            ("training.html", "Neglect training"),
        ]
        assert entries[0].source_url == "https://partnership.example.org/escalation"


async def test_ingest_is_incremental_unchanged_skipped_changed_replaced_removed_dropped(
    services: Services, clock: StepClock
) -> None:
    async with services.sessions() as session:
        await ingest(services, session, files(**BASE))
        first_digest = {d.name: d.digest for d, _ in await store.documents(session)}

        clock.advance(minutes=5)
        again = await ingest(services, session, files(**BASE))
        assert sorted(again.unchanged) == sorted(BASE)
        assert again.added == again.updated == again.removed == []
        assert again.passages == 0

        clock.advance(minutes=5)
        changed = REVIEWS.replace(b"fifteen working days", b"ten working days")
        report = await ingest(
            services,
            session,
            files(**{"escalation.md": ESCALATION, "reviews.txt": changed}),
        )
        assert report.updated == ["reviews.txt"]
        assert report.unchanged == ["escalation.md"]
        assert report.removed == ["training.html"]  # no longer under the root
        assert report.added == [] and report.failed == {}

        listed = {d.name: (d, n) for d, n in await store.documents(session)}
        assert sorted(listed) == ["escalation.md", "reviews.txt"]
        reviews, count = listed["reviews.txt"]
        assert count == 1
        assert reviews.digest != first_digest["reviews.txt"]
        assert reviews.ingested_at == clock.now()
        assert listed["escalation.md"][0].digest == first_digest["escalation.md"]
        (text,) = await passages_of(session, "reviews.txt")
        assert "within ten working days" in text and "fifteen" not in text
        assert await passages_of(session, "training.html") == []
        all_passages = (await session.exec(select(KbPassage))).all()
        assert len(all_passages) == 2  # the old passages went with their versions


async def test_files_outside_the_roots_are_not_dropped(services: Services) -> None:
    async with services.sessions() as session:
        single = store.SourceFile("/elsewhere/standalone.txt", REVIEWS)
        await ingest(services, session, [single], roots=())
        report = await ingest(services, session, files(**BASE))
        assert report.removed == []
        names = [d.name for d, _ in await store.documents(session)]
        assert "standalone.txt" in names


@pytest.mark.parametrize(
    "neighbour",
    ["/kb/teamXa/other.txt", "/KB/TEAM_A/other.txt"],
    ids=["underscore-is-not-a-wildcard", "case-matters"],
)
async def test_a_root_drops_only_documents_under_itself(
    services: Services, neighbour: str
) -> None:
    """A root is a path prefix, not a LIKE pattern: `_` is a character, and case counts."""
    async with services.sessions() as session:
        await ingest(
            services, session, [store.SourceFile(neighbour, REVIEWS)], roots=()
        )
        report = await ingest(
            services,
            session,
            [store.SourceFile("/kb/team_a/mine.md", ESCALATION)],
            roots=["/kb/team_a/"],
        )
        assert report.removed == []
        assert sorted(d.path for d, _ in await store.documents(session)) == sorted(
            [neighbour, "/kb/team_a/mine.md"]
        )


async def test_a_bad_file_is_reported_and_the_others_still_land(
    services: Services,
) -> None:
    good_pdf = minimal_pdf(
        [
            [
                "Early Help Assessment Guidance Notes",
                "An early help assessment is shared.",
            ]
        ]
    )
    sources = files(
        **BASE,
        **{
            "broken.pdf": good_pdf[:120],
            "minutes.docx": b"PK\x03\x04",
            "guidance.pdf": good_pdf,
        },
    )
    async with services.sessions() as session:
        report = await ingest(services, session, sources)

        assert sorted(report.failed) == ["broken.pdf", "minutes.docx"]
        assert "cannot read this PDF" in report.failed["broken.pdf"]
        assert "not a supported format" in report.failed["minutes.docx"]
        assert sorted(report.added) == sorted([*BASE, "guidance.pdf"])
        names = [d.name for d, _ in await store.documents(session)]
        assert names == [
            "escalation.md",
            "guidance.pdf",
            "reviews.txt",
            "training.html",
        ]
        (pdf_text,) = await passages_of(session, "guidance.pdf")
        assert "An early help assessment is shared." in pdf_text


async def test_ingest_reports_progress_per_file(services: Services) -> None:
    seen: list[int] = []
    async with services.sessions() as session:
        await store.ingest(
            session,
            files(**BASE),
            roots=[ROOT],
            now=services.clock.now(),
            progress=seen.append,
        )
    assert seen == [1, 2, 3]


async def test_the_live_index_rebuilds_when_documents_change_and_only_then(
    services: Services, clock: StepClock
) -> None:
    knowledge = services.knowledge
    async with services.sessions() as session:
        empty = await knowledge.index(session)
        assert empty.entries == [] and empty.search("escalation") == []
        before = await store.version(session)

        await ingest(services, session, files(**BASE))
        after = await store.version(session)
        assert after != before
        index = await knowledge.index(session)
        assert index is not empty
        assert len(index.entries) == 3
        assert await knowledge.index(session) is index  # nothing changed: kept

        clock.advance(minutes=1)
        await ingest(services, session, files(**BASE))  # all unchanged
        assert await store.version(session) == after
        assert await knowledge.index(session) is index

        clock.advance(minutes=1)
        await ingest(
            services,
            session,
            files(**{**BASE, "reviews.txt": REVIEWS.replace(b"fifteen", b"ten")}),
        )
        rebuilt = await knowledge.index(session)
        assert rebuilt is not index
        hits = rebuilt.search("rapid review timescales")
        assert hits[0].entry.document == "reviews.txt"
        assert "ten working days" in hits[0].entry.text

        clock.advance(minutes=1)
        await ingest(
            services, session, files(**{"reviews.txt": REVIEWS})
        )  # two dropped
        assert {e.document for e in (await knowledge.index(session)).entries} == {
            "reviews.txt"
        }


# --- asking --------------------------------------------------------------------------------


def sample_kb() -> list[store.SourceFile]:
    """The sample knowledge base the project ships (its README is about it, not in it)."""
    return [
        store.SourceFile(str(path), path.read_bytes())
        for path in sorted(SAMPLE_KB.glob("*.md"))
        if path.stem != "README"
    ]


async def ask(services: Services, session: AsyncSession, text: str) -> asking.Asked:
    return await asking.ask(
        session,
        services.knowledge,
        text,
        wording=services.conversation.wording(),
        channel="web",
        now=services.clock.now(),
    )


async def test_ask_answers_from_the_documents_and_logs_the_question(
    services: Services,
) -> None:
    async with services.sessions() as session:
        await ingest(services, session, sample_kb(), roots=())
        asked = await ask(
            services, session, "how do I escalate a disagreement with another agency"
        )

        assert asked.answer.kind == ANSWER
        best = asked.answer.sources[0]
        assert (best.document, best.section) == (
            "escalation.md",
            "The Resolution and Escalation Protocol",
        )
        assert best.url == "https://www.lscpbirmingham.org.uk/"
        assert best.title == "Resolving professional disagreements and escalation"
        assert best.quote in asked.answer.text and best.quote in best.excerpt
        logged = await session.get(Question, asked.question_id)
        assert logged is not None
        assert (logged.channel, logged.kind) == ("web", ANSWER)
        assert logged.text == "how do I escalate a disagreement with another agency"
        assert logged.top_score == pytest.approx(best.score)
        assert logged.helpful is None


async def test_ask_logs_only_the_redacted_question_and_still_answers(
    services: Services,
) -> None:
    question = (
        "Jack, 7, of 12 High Street B1 1AA: how do I escalate a disagreement with "
        "another agency"
    )
    async with services.sessions() as session:
        await ingest(services, session, sample_kb(), roots=())
        asked = await ask(services, session, question)

        assert asked.answer.kind == ANSWER
        assert asked.answer.text.startswith(REMINDER)
        assert asked.answer.sources[0].document == "escalation.md"
        logged = await session.get(Question, asked.question_id)
        assert logged is not None
        for detail in ("Jack", "High Street", "B1 1AA"):
            assert detail not in logged.text
        assert "[name and age]" in logged.text and "[postcode]" in logged.text
        assert logged.text.endswith(
            "how do I escalate a disagreement with another agency"
        )


async def test_feedback_and_the_report_of_handoffs_and_unhelpful_answers(
    services: Services, clock: StepClock
) -> None:
    async with services.sessions() as session:
        await ingest(services, session, sample_kb(), roots=())
        old = await ask(services, session, "what is the weather going to be like")
        clock.advance(days=40)
        since = clock.now() - timedelta(days=30)
        helpful = await ask(services, session, "what are the rapid review timescales")
        unhelpful = await ask(services, session, "how do I escalate a disagreement")
        handoff = await ask(services, session, "can you book me a table for lunch")
        assert old.answer.kind == handoff.answer.kind == HANDOFF
        assert helpful.answer.kind == unhelpful.answer.kind == ANSWER

        await asking.record_feedback(session, helpful.question_id, helpful=True)
        await asking.record_feedback(session, unhelpful.question_id, helpful=True)
        await asking.record_feedback(session, unhelpful.question_id, helpful=False)
        with pytest.raises(NotFoundError):
            await asking.record_feedback(session, 999_999, helpful=True)

        found = await asking.report(session, since=since)
        assert [q.id for q in found["unanswered"]] == [handoff.question_id]
        assert [q.id for q in found["unhelpful"]] == [unhelpful.question_id]
        everything = await asking.report(session, since=since - timedelta(days=60))
        assert {q.id for q in everything["unanswered"]} == {
            old.question_id,
            handoff.question_id,
        }


# --- tickets -------------------------------------------------------------------------------


async def handed_off(
    services: Services, session: AsyncSession, text: str, *, channel: str, reply_to: str
) -> Ticket:
    asked = await ask(services, session, text)
    return await tickets.open_ticket(
        session,
        question_id=asked.question_id,
        channel=channel,
        reply_to=reply_to,
        now=services.clock.now(),
    )


async def outbox(session: AsyncSession) -> list[OutboxMessage]:
    return list((await session.exec(select(OutboxMessage))).all())


async def test_open_ticket_is_idempotent_per_question_and_holds_the_redacted_text(
    services: Services,
) -> None:
    async with services.sessions() as session:
        asked = await ask(services, session, "can Jack, 7, come to the forum with mum")
        first = await tickets.open_ticket(
            session,
            question_id=asked.question_id,
            channel="email",
            reply_to="asker@example.org",
            now=services.clock.now(),
        )
        second = await tickets.open_ticket(
            session,
            question_id=asked.question_id,
            channel="email",
            reply_to="asker@example.org",
            now=services.clock.now(),
        )
        assert first.id == second.id
        assert len((await session.exec(select(Ticket))).all()) == 1
        assert first.status == tickets.OPEN
        assert "Jack" not in first.text and "[name and age]" in first.text
        assert [t.id for t in await tickets.list_tickets(session)] == [first.id]
        with pytest.raises(NotFoundError):
            await tickets.open_ticket(
                session,
                question_id=999_999,
                channel="web",
                reply_to=None,
                now=services.clock.now(),
            )


async def test_answering_an_email_ticket_emails_the_asker_once(
    services: Services, smtpd: SmtpServer, clock: StepClock
) -> None:
    answer = "The next forum is on 12 May; we have added you to the list."
    async with services.sessions() as session:
        ticket = await handed_off(
            services,
            session,
            "when is the next practitioner forum",
            channel="email",
            reply_to="asker@example.org",
        )
        assert ticket.id is not None
        clock.advance(hours=2)
        answered = await tickets.answer_ticket(
            session,
            services.mailroom,
            ticket.id,
            f"  {answer}\n",
            by="support@example.org",
            now=clock.now(),
        )
        assert answered.status == tickets.ANSWERED
        assert answered.answer == answer
        assert (answered.answered_by, answered.answered_at) == (
            "support@example.org",
            clock.now(),
        )
        (row,) = await outbox(session)
        assert row.idempotency_key == f"ticket:{ticket.id}:answer"
        assert (row.channel, row.recipient, row.status) == (
            "email",
            "asker@example.org",
            "pending",
        )
        assert await tickets.list_tickets(session) == []
        everything = await tickets.list_tickets(session, status=None)
        assert [t.id for t in everything] == [ticket.id]

    assert await services.delivery_worker().drain() == 1
    (received,) = smtpd.messages
    assert received.recipients == ("asker@example.org",)
    message = received.parsed()
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert answer in text
    assert "when is the next practitioner forum" in text


async def test_answering_a_slack_ticket_queues_one_chat_message_to_the_asker(
    services: Services,
) -> None:
    async with services.sessions() as session:
        ticket = await handed_off(
            services,
            session,
            "who do I ask about the forum rota",
            channel="slack",
            reply_to="U024BE7LH",
        )
        assert ticket.id is not None
        await tickets.answer_ticket(
            session,
            services.mailroom,
            ticket.id,
            "Ask the business support team on extension 4000.",
            by="support",
            now=services.clock.now(),
        )
        (row,) = await outbox(session)
        assert row.idempotency_key == f"ticket:{ticket.id}:answer"
        assert (row.channel, row.recipient) == ("slack", "U024BE7LH")
        payload = json.loads(row.payload)
        assert payload["channel"] == "U024BE7LH"
        assert "Ask the business support team on extension 4000." in payload["text"]
        assert "who do I ask about the forum rota" in payload["text"]


async def test_a_web_ticket_answer_sends_nothing(services: Services) -> None:
    async with services.sessions() as session:
        asked = await ask(services, session, "who do I ask about the forum rota")
        ticket = await tickets.open_ticket(
            session,
            question_id=asked.question_id,
            channel="web",
            reply_to=None,
            now=services.clock.now(),
        )
        assert ticket.id is not None
        await tickets.answer_ticket(
            session,
            services.mailroom,
            ticket.id,
            "Ask Sam.",
            by="x",
            now=services.clock.now(),
        )
        assert await outbox(session) == []
        assert (await tickets.get_ticket(session, ticket.id)).answer == "Ask Sam."


async def test_a_saved_answer_becomes_a_passage_that_the_next_search_finds(
    services: Services, clock: StepClock
) -> None:
    question = "where do I find the zoomorphic safeguarding quarterly digest"
    async with services.sessions() as session:
        await ingest(services, session, sample_kb(), roots=())
        first = await ask(services, session, question)
        assert first.answer.kind == HANDOFF
        ticket = await tickets.open_ticket(
            session,
            question_id=first.question_id,
            channel="web",
            reply_to=None,
            now=clock.now(),
        )
        assert ticket.id is not None
        clock.advance(hours=1)
        await tickets.answer_ticket(
            session,
            services.mailroom,
            ticket.id,
            "The zoomorphic safeguarding quarterly digest is on the partnership intranet.",
            by="support",
            now=clock.now(),
            save=True,
        )

        saved = [
            d
            for d, _ in await store.documents(session)
            if d.path == f"tickets/{ticket.id}"
        ]
        assert [d.name for d in saved] == [f"ticket-{ticket.id}"]
        hits = (await services.knowledge.index(session)).search(question)
        assert hits[0].entry.document == f"ticket-{ticket.id}"
        assert hits[0].entry.section == tickets.ANSWERS_SECTION
        assert "on the partnership intranet" in hits[0].entry.text
        again = await ask(services, session, question)
        assert again.answer.sources[0].document == f"ticket-{ticket.id}"
        assert again.answer.kind == ANSWER
        assert "on the partnership intranet" in again.answer.text


async def test_an_empty_answer_is_refused_and_the_ticket_stays_open(
    services: Services,
) -> None:
    async with services.sessions() as session:
        ticket = await handed_off(
            services, session, "anything", channel="email", reply_to="a@example.org"
        )
        assert ticket.id is not None
        for empty in ("", "   \n\t"):
            with pytest.raises(InvalidInputError, match="Write an answer first"):
                await tickets.answer_ticket(
                    session,
                    services.mailroom,
                    ticket.id,
                    empty,
                    by="support",
                    now=services.clock.now(),
                )
        with pytest.raises(NotFoundError):
            await tickets.answer_ticket(
                session,
                services.mailroom,
                999_999,
                "An answer.",
                by="x",
                now=services.clock.now(),
            )
        assert (await tickets.get_ticket(session, ticket.id)).status == tickets.OPEN
        assert await outbox(session) == []
