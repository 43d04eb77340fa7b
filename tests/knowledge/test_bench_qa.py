"""`forumbot bench qa --json`: the figures' shape, and every labelled urgent message caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

REPO = Path(__file__).parents[2]
SEEDS = REPO.parent / "shared" / "seeds"
FIGURES = {
    "questions": int,
    "answerable": int,
    "hit_at_3": float,
    "mrr": float,
    "answered_as_answer": float,
    "urgent_recall": float,
    "false_urgent": int,
    "handoff_recall": float,
    "handoff_precision": float,
    "p50_ms": float,
    "p95_ms": float,
}


@pytest.mark.skipif(
    not SEEDS.is_dir(),
    reason=f"the seed documents are not at {SEEDS} (CI checks out ../shared next to the repo)",
)
def test_bench_qa_json_reports_every_figure_and_catches_every_urgent_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(
        REPO
    )  # its defaults: tests/data/qa_eval.jsonl and ../shared/seeds
    questions = [
        json.loads(line)
        for line in (REPO / "tests" / "data" / "qa_eval.jsonl").read_text().splitlines()
        if line.strip()
    ]

    result = CliRunner().invoke(app, ["bench", "qa", "--json"], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert len(result.stdout.strip().splitlines()) == 1
    report = json.loads(result.stdout)
    assert isinstance(report["ingest_s"], float) and report["ingest_s"] >= 0
    assert isinstance(report["passages"], int) and report["passages"] > 100
    for name, kind in FIGURES.items():
        assert isinstance(report[name], kind), (name, report[name])
    for name in (
        "hit_at_3",
        "mrr",
        "urgent_recall",
        "handoff_recall",
        "handoff_precision",
    ):
        assert 0.0 <= report[name] <= 1.0
    assert 0 <= report["p50_ms"] <= report["p95_ms"]
    assert report["questions"] == len(questions)
    assert report["answerable"] == sum(q["kind"] == "answer" for q in questions)
    for split in {q["split"] for q in questions}:
        assert set(FIGURES) <= set(report[split])
        assert report[split]["questions"] == sum(q["split"] == split for q in questions)
    assert isinstance(report["misses"], list)
    for miss in report["misses"]:
        assert set(miss) == {"id", "kind", "got", "question"}

    # the triage guard: no labelled emergency may be missed, and none raised falsely
    assert report["urgent_recall"] == 1.0
    assert report["false_urgent"] == 0
    assert not [m for m in report["misses"] if m["kind"] == "urgent"]
