"""Briefings read from Markdown files with front matter in the content folder.

Import is incremental: a file whose digest is unchanged is skipped; a changed file updates
its briefing only while that is still a draft. Once approved or published the stored text
is what was signed off, so a changed file is reported for a person to act on, never
republished silently. The slug is the file's name.

Front matter: kind, title, summary, topics (a list), report_url, webinar_url.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.briefings.kinds import Draft, check, slugify
from bot.domain.briefings.records import DRAFT, apply, create
from bot.errors import InvalidInputError
from bot.store.tables import Briefing


@dataclass
class ImportResult:
    """What an import did, file by file (names relative to the folder)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    changed_after_approval: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def _topics(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(t.strip() for t in value.split(",") if t.strip())
    if isinstance(value, list):
        return tuple(str(t) for t in value)
    raise InvalidInputError("'topics' must be a list of topics.", field="topics")


def _text(meta: dict[str, Any], name: str) -> str:
    value = meta.get(name)
    return "" if value is None else str(value)


def parse(text: str, topics: tuple[str, ...] = ()) -> Draft:
    """A checked draft from a file's text. Raises InvalidInputError in plain English."""
    try:
        post = frontmatter.loads(text)
    except (ValueError, yaml.YAMLError) as error:
        raise InvalidInputError(f"The front matter is not valid: {error}") from None
    meta = dict(post.metadata)
    if not meta.get("kind"):
        raise InvalidInputError("The front matter has no 'kind'.", field="kind")
    draft = Draft(
        kind=str(meta["kind"]),
        title=_text(meta, "title"),
        summary=_text(meta, "summary"),
        body=post.content,
        report_url=_text(meta, "report_url") or None,
        webinar_url=_text(meta, "webinar_url") or None,
        topics=_topics(meta.get("topics")),
    )
    return check(draft, topics)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def _by_slug(session: AsyncSession, slug: str) -> Briefing | None:
    statement = select(Briefing).where(col(Briefing.slug) == slug)
    return (await session.exec(statement)).first()


def read_folder(folder: Path) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every *.md file in the folder (not subfolders), in name order."""
    if not folder.is_dir():
        raise InvalidInputError(f"There is no folder {folder}.")
    return [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.md"))]


async def import_file(
    session: AsyncSession,
    name: str,
    data: bytes,
    result: ImportResult,
    *,
    topics: tuple[str, ...],
    by: str,
    now: datetime,
) -> None:
    """Import one file, recording the outcome in `result`; the caller commits. `by` (who
    runs the import) is recorded as the writer of what it creates or changes, so they
    cannot approve it themselves."""
    slug, sha = slugify(Path(name).stem), digest(data)
    row = await _by_slug(session, slug)
    if row is not None and row.source_path != name:
        result.failed.append((name, f"the slug {slug!r} is already used by another"))
        return
    if row is not None and row.digest == sha:
        result.unchanged.append(name)
        return
    if row is not None and row.status != DRAFT:
        result.changed_after_approval.append(name)
        return
    try:
        draft = parse(data.decode("utf-8", errors="replace"), topics)
    except InvalidInputError as error:
        result.failed.append((name, str(error)))
        return
    if row is None:
        row = await create(session, draft, by=by, now=now, slug=slug)
        result.created.append(name)
    else:
        apply(row, draft, now)
        row.edited_by = by
        result.updated.append(name)
    row.source_path, row.digest = name, sha
    session.add(row)
    await session.flush()


async def import_folder(
    session: AsyncSession,
    folder: Path,
    *,
    topics: tuple[str, ...],
    by: str,
    now: datetime,
) -> ImportResult:
    """Import every *.md file in the folder (not its subfolders), in name order, as `by`."""
    result = ImportResult()
    for name, data in read_folder(folder):
        await import_file(session, name, data, result, topics=topics, by=by, now=now)
    return result
