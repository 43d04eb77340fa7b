"""`forumbot bench qa`: retrieval and triage quality, and speed, on a labelled question set.

Each line of the question file: {"id", "question", "kind": answer|urgent|handoff, "document",
"expect": [phrases], "split": dev|heldout|heldout2…heldout8}. An answerable question is a hit
when one of the top three sources is from its document and that passage contains one of its
phrases. The passage is read from the source's `excerpt`, as the evaluation contract prints it, so
the figures measure what a caller of `forumbot ask --json` sees. Figures are reported overall and
per split.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain.knowledge import store
from bot.domain.knowledge.answers import (
    ANSWER,
    HANDOFF,
    URGENT,
    Answer,
    answer_question,
)
from bot.domain.knowledge.documents import SUFFIXES
from bot.runtime import open_services
from bot.settings import Settings
from bot.store.db import upgrade_schema


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    kind: str
    document: str | None
    expect: tuple[str, ...]
    split: str
    also: tuple[str, ...] = ()  # other documents holding the same text (002 copies 000)


def load_cases(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            cases.append(
                Case(
                    raw["id"],
                    raw["question"],
                    raw["kind"],
                    raw.get("document"),
                    tuple(raw.get("expect", ())),
                    raw.get("split", "dev"),
                    tuple(raw.get("also_documents", ())),
                )
            )
    return cases


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def rank_of_hit(case: Case, answer: Answer) -> int | None:
    """1-based rank of the first right source, or None."""
    for rank, source in enumerate(answer.sources[:3], 1):
        text = _norm(source.excerpt)
        if source.document in (case.document, *case.also) and any(
            _norm(p) in text for p in case.expect
        ):
            return rank
    return None


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def metrics(results: list[tuple[Case, Answer, float, int | None]]) -> dict[str, Any]:
    answerable = [(c, a, r) for c, a, _, r in results if c.kind == ANSWER]
    urgent = [a for c, a, _, _ in results if c.kind == URGENT]
    out_of_scope = [a for c, a, _, _ in results if c.kind == HANDOFF]
    said_handoff = [c for c, a, _, _ in results if a.kind == HANDOFF]
    latencies = sorted(ms for _, _, ms, _ in results)
    return {
        "questions": len(results),
        "answerable": len(answerable),
        "hit_at_3": share(
            sum(r is not None for _, _, r in answerable), len(answerable)
        ),
        "mrr": round(
            statistics.fmean([1 / r if r else 0.0 for _, _, r in answerable]), 3
        )
        if answerable
        else None,
        "answered_as_answer": share(
            sum(a.kind == ANSWER for _, a, _ in answerable), len(answerable)
        ),
        "urgent_recall": share(sum(a.kind == URGENT for a in urgent), len(urgent)),
        "false_urgent": sum(
            a.kind == URGENT for c, a, _, _ in results if c.kind != URGENT
        ),
        "handoff_recall": share(
            sum(a.kind == HANDOFF for a in out_of_scope), len(out_of_scope)
        ),
        "handoff_precision": share(
            sum(c.kind == HANDOFF for c in said_handoff), len(said_handoff)
        ),
        "p50_ms": round(latencies[len(latencies) // 2], 2) if latencies else None,
        "p95_ms": round(latencies[int(len(latencies) * 0.95)], 2)
        if latencies
        else None,
    }


async def run_qa(
    settings: Settings, questions: Path, documents: list[Path]
) -> dict[str, Any]:
    """Ingest `documents` into a temporary database, ask every question, and measure."""
    cases = load_cases(questions)
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings.model_copy(
            update={"data_dir": Path(tmp), "database_url": None}
        )
        upgrade_schema(settings.effective_database_url)
        async with (
            open_services(settings, transports={}) as services,
            services.sessions() as session,
        ):
            files = [
                store.SourceFile(str(p.resolve()), p.read_bytes())
                for p in _expand(documents)
            ]
            started = time.perf_counter()
            await store.ingest(session, files, roots=[], now=services.clock.now())
            index = await services.knowledge.index(session)
            ingest_s = time.perf_counter() - started
            wording = services.conversation.wording()
            results = []
            for case in cases:
                began = time.perf_counter()
                answer = answer_question(index, case.question, wording)
                elapsed = (time.perf_counter() - began) * 1000
                results.append((case, answer, elapsed, rank_of_hit(case, answer)))
    report: dict[str, Any] = {
        "ingest_s": round(ingest_s, 3),
        "passages": len(index.entries),
        **metrics(results),
    }
    for split in sorted({c.split for c in cases}):
        report[split] = metrics([r for r in results if r[0].split == split])
    report["misses"] = [
        {"id": c.id, "kind": c.kind, "got": a.kind, "question": c.question}
        for c, a, _, r in results
        if (c.kind == ANSWER and r is None) or (c.kind != ANSWER and a.kind != c.kind)
    ]
    return report


def _expand(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found += (
            sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES)
            if path.is_dir()
            else [path]
        )
    return found
