"""The knowledge base in the database: incremental ingest, listing, statistics, and the live index."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.knowledge.documents import parse_document
from bot.domain.knowledge.index import Entry, KnowledgeIndex
from bot.domain.knowledge.passages import split_passages
from bot.domain.knowledge.terms import Terms
from bot.errors import InvalidInputError
from bot.store.tables import KbDocument, KbPassage


@dataclass(frozen=True)
class SourceFile:
    """A file to ingest: its path (its identity) and its bytes."""

    path: str
    data: bytes


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    passages: int = 0


async def ingest(
    session: AsyncSession,
    files: Sequence[SourceFile],
    *,
    roots: Sequence[str],
    now: datetime,
    progress: Callable[[int], None] = lambda _: None,
) -> IngestReport:
    """Bring the knowledge base in line with `files`. Commits.

    Unchanged files (same digest) are skipped, changed ones replaced, and documents that
    were ingested from under `roots` but are not among `files` any more are dropped.
    """
    report = IngestReport()
    for done, file in enumerate(files, 1):
        await _ingest_one(session, file, report, now)
        progress(done)
    present = {f.path for f in files}
    if roots:
        # A root is a path prefix compared in Python: in SQL, LIKE would take `_` and `%` in
        # a path as wildcards, and SQLite's LIKE ignores case.
        known = (await session.exec(select(KbDocument))).all()
        for document in known:
            if document.path not in present and document.path.startswith(tuple(roots)):
                await session.exec(
                    delete(KbPassage).where(col(KbPassage.document_id) == document.id)
                )
                await session.delete(document)
                report.removed.append(document.name)
    await session.commit()
    return report


async def _ingest_one(
    session: AsyncSession, file: SourceFile, report: IngestReport, now: datetime
) -> None:
    digest = hashlib.sha256(file.data).hexdigest()
    existing = (
        await session.exec(select(KbDocument).where(col(KbDocument.path) == file.path))
    ).first()
    name = Path(file.path).name
    if existing is not None and existing.digest == digest:
        report.unchanged.append(name)
        return
    try:
        parsed = parse_document(name, file.data)
    except InvalidInputError as error:
        report.failed[name] = str(error)
        return
    passages = split_passages(parsed.text, parsed.title)
    if existing is None:
        existing = KbDocument(path=file.path, name=name, title="", digest="")
        session.add(existing)
        report.added.append(name)
    else:
        await session.exec(
            delete(KbPassage).where(col(KbPassage.document_id) == existing.id)
        )
        report.updated.append(name)
    existing.title, existing.digest, existing.ingested_at = (
        parsed.title[:300],
        digest,
        now,
    )
    existing.source_url, existing.owner, existing.review_date = (
        parsed.source_url,
        parsed.owner,
        parsed.review_date,
    )
    await session.flush()
    assert existing.id is not None
    session.add_all(
        KbPassage(
            document_id=existing.id,
            section=p.section[:300],
            position=p.position,
            text=p.text,
        )
        for p in passages
    )
    report.passages += len(passages)


async def documents(session: AsyncSession) -> list[tuple[KbDocument, int]]:
    """Every document with its number of passages, by name."""
    counts = dict(
        (
            await session.exec(
                select(col(KbPassage.document_id), func.count()).group_by(
                    col(KbPassage.document_id)
                )
            )
        ).all()
    )
    found = (
        await session.exec(select(KbDocument).order_by(col(KbDocument.name)))
    ).all()
    return [(d, int(counts.get(d.id or 0, 0))) for d in found]


async def entries(session: AsyncSession) -> list[Entry]:
    """All passages, as the index takes them."""
    rows = (
        await session.exec(
            select(KbPassage, KbDocument)
            .join(KbDocument, col(KbDocument.id) == col(KbPassage.document_id))
            .order_by(col(KbDocument.name), col(KbPassage.position))
        )
    ).all()
    return [
        Entry(p.id or 0, d.name, d.title, p.section, p.text, d.source_url)
        for p, d in rows
    ]


async def version(session: AsyncSession) -> tuple[int, str]:
    """Changes whenever anything is ingested or dropped: the live index rebuilds on a change."""
    count, latest = (
        await session.exec(select(func.count(), func.max(col(KbDocument.ingested_at))))
    ).one()
    return int(count), str(latest)


@dataclass
class KnowledgeBase:
    """The live index for a process, rebuilt when the documents change."""

    terms: Terms
    _index: KnowledgeIndex | None = None
    _version: tuple[int, str] | None = None

    async def index(self, session: AsyncSession) -> KnowledgeIndex:
        current = await version(session)
        if self._index is None or current != self._version:
            self._index = KnowledgeIndex(await entries(session), self.terms)
            self._version = current
        return self._index
