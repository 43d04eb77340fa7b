"""`forumbot bench slack`: the real app under uvicorn, signed slash commands, one JSON object.

Only the shape and the counts are checked: timings depend on the machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

FIGURES = {
    "requests",
    "concurrency",
    "ack_p50_ms",
    "ack_p95_ms",
    "ack_p99_ms",
    "ack_max_ms",
    "errors",
    "error_kinds",
    "replies",
    "seconds",
    "requests_per_s",
}


def test_bench_slack_acknowledges_every_command_and_prints_json(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(
        tmp_path
    )  # no config/.env or config/forumbot.toml of the checkout
    args = ["bench", "slack", "--requests", "20", "--concurrency", "5", "--json"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)

    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert set(figures) == FIGURES
    assert figures["requests"] == 20 and figures["concurrency"] == 5
    assert figures["errors"] == 0 and figures["error_kinds"] == {}
    assert figures["replies"] == 20  # every command answered on its response URL
    acks = [figures[f"ack_{name}_ms"] for name in ("p50", "p95", "p99", "max")]
    assert all(isinstance(ms, float) and ms > 0 for ms in acks)
    assert acks == sorted(acks)
    assert not list(
        tmp_path.iterdir()
    )  # nothing written where it ran: a temporary database


def test_bench_slack_against_a_url_needs_the_signing_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["bench", "slack", "--url", "http://127.0.0.1:9", "--requests", "1"]
    result = CliRunner().invoke(app, args)

    assert result.exit_code != 0
    assert "FORUMBOT_SLACK_SIGNING_SECRET" in str(result.exception)
