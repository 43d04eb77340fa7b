"""The sample knowledge base (config/knowledge) and the partnership's contacts, for channel tests."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from bot.domain.knowledge import store
from bot.runtime import Services
from bot.settings import Contact
from bot.store.tables import Question, Ticket

SAMPLE_KB = Path(__file__).resolve().parents[2] / "config" / "knowledge"
# As config/forumbot.toml has them: 999 and the front door first, then the business unit.
CONTACTS = [
    Contact(name="Emergency services", phone="999", urgent=True),
    Contact(
        name="Children's Advice and Support Service (CASS)",
        phone="0121 303 1888",
        urgent=True,
    ),
    Contact(name="BSCP business unit", email="business.unit@partnership.example.org"),
]
URGENT_LINE = (
    "If you are worried a child is in danger now: Emergency services: 999; "
    "Children's Advice and Support Service (CASS): 0121 303 1888."
)


async def ingest_sample(services: Services) -> store.IngestReport:
    """Ingest the sample knowledge base as `forumbot kb ingest config/knowledge` does."""
    files = [
        store.SourceFile(str(path), path.read_bytes())
        for path in sorted(SAMPLE_KB.glob("*.md"))
        if path.stem.lower() != "readme"
    ]
    async with services.sessions() as session:
        report = await store.ingest(
            session, files, roots=[str(SAMPLE_KB) + "/"], now=services.clock.now()
        )
    assert report.added and not report.failed, report
    return report


async def questions(services: Services) -> list[Question]:
    """Every logged question, oldest first, read in a fresh session."""
    async with services.sessions() as session:
        rows = await session.exec(select(Question).order_by(col(Question.id)))
        return list(rows.all())


async def tickets(services: Services) -> list[Ticket]:
    """Every ticket, oldest first, read in a fresh session."""
    async with services.sessions() as session:
        rows = await session.exec(select(Ticket).order_by(col(Ticket.id)))
        return list(rows.all())
