"""`forumbot init`, `kb ingest/list/stats`, `ask --json` and `tickets` run in-process as an operator would.

The evaluation contract: with FORUMBOT_DATA_DIR an empty folder (no database URL, no config
file), `forumbot init && forumbot kb ingest ../shared/seeds` works, and `forumbot ask --json`
prints {"kind", "text", "sources": [{"document", "title", "section", "excerpt", "score"}]}.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.domain.knowledge import asking, tickets
from bot.errors import InvalidInputError
from bot.runtime import open_services
from bot.settings import load_settings
from bot.store.db import make_sync_engine

REPO = Path(__file__).parents[2]
SEEDS = REPO.parent / "shared" / "seeds"
SAMPLE_KB = REPO / "config" / "knowledge"
ESCALATE = "how do i escalate a disagreement with another agency"
URGENT = "a pupil just told me her dad hit her and she is scared to go home"
OUT_OF_SCOPE = "what's the weather tomorrow"
SOURCE_KEYS = {"document", "title", "section", "excerpt", "score"}

needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(),
    reason=f"the seed documents are not at {SEEDS} (CI checks out ../shared next to the repo)",
)


def forumbot(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, (
        f"forumbot {' '.join(args)} exited {result.exit_code}:\n{result.output}"
    )
    return result


def forumbot_json(*args: str) -> Any:
    return json.loads(forumbot(*args).stdout)


def seed_names() -> list[str]:
    return sorted(p.name for p in SEEDS.iterdir() if p.is_file())


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty FORUMBOT_DATA_DIR, no database URL, a config file that does not exist."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # no config/.env or config/forumbot.toml of the checkout
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("FORUMBOT_DATA_DIR", str(data))
    monkeypatch.delenv("FORUMBOT_DATABASE_URL", raising=False)
    monkeypatch.setenv("FORUMBOT_CONFIG_FILE", str(tmp_path / "no-such-config.toml"))
    assert not (tmp_path / "no-such-config.toml").exists()
    assert list(data.iterdir()) == []
    return data


@pytest.fixture
def seeded(data_dir: Path) -> Path:
    if not SEEDS.is_dir():
        pytest.skip(
            f"the seed documents are not at {SEEDS} (CI checks out ../shared next to the repo)"
        )
    forumbot("init")
    forumbot("kb", "ingest", str(SEEDS))
    return data_dir


def check_answer(answer: Any) -> None:
    """One reply of the evaluation contract."""
    assert isinstance(answer, dict)
    assert set(answer) == {"kind", "text", "sources"}
    assert answer["kind"] in ("answer", "urgent", "handoff")
    assert isinstance(answer["text"], str) and answer["text"]
    for source in answer["sources"]:
        assert set(source) == SOURCE_KEYS
        assert isinstance(source["score"], float) and source["score"] > 0
        for key in ("document", "title", "section", "excerpt"):
            assert isinstance(source[key], str) and source[key]
    scores = [s["score"] for s in answer["sources"]]
    assert scores == sorted(scores, reverse=True), "best source first"


# --- ingest, list, stats -------------------------------------------------------------------


@needs_seeds
def test_init_then_ingest_the_seeds_into_an_empty_data_dir(data_dir: Path) -> None:
    forumbot("init")
    assert (data_dir / "forumbot.db").exists()

    report = forumbot_json("kb", "ingest", str(SEEDS), "--json")
    assert sorted(report["added"]) == seed_names()
    assert len(report["added"]) == 5
    assert report["updated"] == report["unchanged"] == report["removed"] == []
    assert report["failed"] == {}
    assert report["passages"] > 100

    listed = forumbot_json("kb", "list", "--json")
    assert [d["document"] for d in listed] == seed_names()
    for document in listed:
        assert document["passages"] > 0 and document["title"]
    stats = forumbot_json("kb", "stats", "--json")
    assert stats == {
        "documents": 5,
        "passages": sum(d["passages"] for d in listed),
        "unanswered_30_days": 0,
        "unhelpful_30_days": 0,
        "open_tickets": 0,
    }
    assert stats["passages"] == report["passages"]

    again = forumbot_json("kb", "ingest", str(SEEDS), "--json")
    assert sorted(again["unchanged"]) == seed_names()
    assert again["added"] == again["updated"] == again["removed"] == []
    assert again["passages"] == 0
    plain = forumbot("kb", "ingest", str(SEEDS)).stdout
    assert plain.strip() == "added 0, updated 0, unchanged 5, removed 0; 0 new passages"
    assert forumbot_json("kb", "list", "--json") == listed


@pytest.mark.usefixtures("data_dir")
def test_ingest_of_the_sample_knowledge_base_leaves_its_readme_out() -> None:
    # `config/knowledge` as the quick start types it, relative to the working folder
    (Path.cwd() / "config").mkdir()
    (Path.cwd() / "config" / "knowledge").symlink_to(SAMPLE_KB)
    expected = sorted(p.name for p in SAMPLE_KB.glob("*.md") if p.name != "README.md")
    assert (SAMPLE_KB / "README.md").exists() and len(expected) >= 5
    forumbot("init")

    report = forumbot_json("kb", "ingest", "config/knowledge", "--json")

    assert sorted(report["added"]) == expected
    assert "README.md" not in report["added"] and report["failed"] == {}
    listed = {d["document"]: d for d in forumbot_json("kb", "list", "--json")}
    assert sorted(listed) == expected
    escalation = listed["escalation.md"]
    assert escalation["title"] == "Resolving professional disagreements and escalation"
    assert escalation["source_url"] == "https://www.lscpbirmingham.org.uk/"
    assert escalation["review_date"] == "2027-03-31"
    assert escalation["owner"] == "BSCP Business Manager"
    table = forumbot("kb", "list").stdout
    assert f"{len(expected)} documents" in table and "escalation.md" in table

    again = forumbot_json("kb", "ingest", "config/knowledge", "--json")
    assert sorted(again["unchanged"]) == expected and again["removed"] == []


def test_ingest_of_a_path_that_does_not_exist_is_refused(data_dir: Path) -> None:
    forumbot("init")
    result = CliRunner().invoke(app, ["kb", "ingest", str(data_dir / "nowhere")])
    assert result.exit_code != 0
    assert "does not exist" in result.output


@pytest.mark.usefixtures("data_dir")
def test_ingest_drops_a_file_removed_from_an_ingested_folder_and_reports_a_bad_one(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "one.md").write_text("---\ntitle: One\n---\n\nFirst page.\n")
    (folder / "two.txt").write_text("Second page of text.\n")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    (folder / "notes.docx").write_bytes(b"ignored: not a supported suffix")
    forumbot("init")

    first = forumbot_json("kb", "ingest", str(folder), "--json")
    assert sorted(first["added"]) == ["one.md", "two.txt"]
    assert list(first["failed"]) == ["broken.pdf"]
    plain = CliRunner().invoke(
        app, ["kb", "ingest", str(folder)], catch_exceptions=False
    )
    assert "skipped broken.pdf: broken.pdf: cannot read this PDF" in plain.stderr

    (folder / "two.txt").unlink()
    (folder / "one.md").write_text("---\ntitle: One\n---\n\nFirst page, revised.\n")
    second = forumbot_json("kb", "ingest", str(folder), "--json")
    assert (second["updated"], second["removed"]) == (["one.md"], ["two.txt"])
    assert [d["document"] for d in forumbot_json("kb", "list", "--json")] == ["one.md"]


# --- ask -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
def test_ask_json_prints_one_object_with_cited_sources_best_first() -> None:
    output = forumbot("ask", "--json", ESCALATE).stdout

    assert len(output.strip().splitlines()) == 1
    answer = json.loads(output)
    check_answer(answer)
    assert answer["kind"] == "answer"
    assert 1 <= len(answer["sources"]) <= 3
    best = answer["sources"][0]
    assert best["document"] == "004_a3d4380934c705ab.txt"  # the file's own name
    assert {s["document"] for s in answer["sources"]} <= set(seed_names())
    # The excerpt is the whole passage; the reply quotes sentences of it, word for word.
    quoted = answer["text"].split("“", 1)[1].split("”", 1)[0].removesuffix("…")
    assert len(quoted) > 40 and quoted in best["excerpt"]
    assert "escalation" in best["excerpt"].lower()


@pytest.mark.usefixtures("seeded")
def test_ask_without_json_prints_the_kind_and_the_text() -> None:
    output = forumbot("ask", ESCALATE).stdout
    assert output.startswith("[answer]\nHere is what the partnership's documents say:")


@pytest.mark.usefixtures("seeded")
def test_an_urgent_message_puts_999_first() -> None:
    answer = forumbot_json("ask", "--json", URGENT)
    check_answer(answer)
    assert answer["kind"] == "urgent"
    first_line = answer["text"].splitlines()[0]
    assert "999" in first_line
    assert answer["text"].index("999") < 60


@pytest.mark.usefixtures("seeded")
def test_an_out_of_scope_question_is_handed_off() -> None:
    answer = forumbot_json("ask", "--json", OUT_OF_SCOPE)
    check_answer(answer)
    assert answer["kind"] == "handoff"
    assert "could not find a clear answer" in answer["text"]
    assert "business support team" in answer["text"]
    assert "“" not in answer["text"]  # what retrieval found is listed, not quoted
    for source in answer["sources"]:
        assert source["excerpt"][:60] not in answer["text"]


@pytest.mark.usefixtures("seeded")
def test_ask_batch_prints_one_object_per_line_in_order(tmp_path: Path) -> None:
    questions = [
        ESCALATE,
        URGENT,
        OUT_OF_SCOPE,
        "what are the rapid review timescales",
        ESCALATE,
    ]
    batch = tmp_path / "questions.txt"
    batch.write_text("\n".join(questions) + "\n", encoding="utf-8")

    lines = forumbot("ask", "--json", "--batch", str(batch)).stdout.splitlines()

    assert len(lines) == len(questions)
    answers = [json.loads(line) for line in lines]
    for answer in answers:
        check_answer(answer)
    assert [a["kind"] for a in answers] == [
        "answer",
        "urgent",
        "handoff",
        "answer",
        "answer",
    ]
    assert answers[0] == answers[4]  # same question, same reply
    assert answers[0] == forumbot_json("ask", "--json", ESCALATE)
    stats = forumbot_json("kb", "stats", "--json")
    assert stats["unanswered_30_days"] == 1  # every question asked is logged


# --- tickets -------------------------------------------------------------------------------


def open_email_ticket(question: str, reply_to: str) -> int:
    """What the email channel does when an asker passes a question on."""

    async def work() -> int:
        async with (
            open_services(load_settings(), transports={}) as services,
            services.sessions() as session,
        ):
            asked = await asking.ask(
                session,
                services.knowledge,
                question,
                wording=services.conversation.wording(),
                channel="email",
                now=services.clock.now(),
            )
            ticket = await tickets.open_ticket(
                session,
                question_id=asked.question_id,
                channel="email",
                reply_to=reply_to,
                now=services.clock.now(),
            )
            assert ticket.id is not None
            return ticket.id

    return asyncio.run(work())


def count_rows(database_url: str, sql: str) -> int:
    engine = make_sync_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.usefixtures("data_dir")
def test_tickets_list_and_answer_with_save(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("FORUMBOT_DATABASE_URL", database_url)
    forumbot("init")
    forumbot("kb", "ingest", str(SAMPLE_KB))
    question = "who looks after the quarterly zoomorphic digest"
    assert forumbot_json("ask", "--json", question)["kind"] == "handoff"
    assert forumbot_json("tickets", "list", "--json") == []
    ticket_id = open_email_ticket(question, "asker@example.org")

    listed = forumbot_json("tickets", "list", "--json")
    assert listed == [
        {
            "id": ticket_id,
            "channel": "email",
            "status": "open",
            "question": question,
            "answer": None,
        }
    ]
    assert (
        forumbot("tickets", "list").stdout.strip()
        == f"#{ticket_id} [open, email] {question}"
    )
    assert forumbot_json("kb", "stats", "--json")["open_tickets"] == 1

    refused = CliRunner().invoke(app, ["tickets", "answer", str(ticket_id), "  "])
    assert isinstance(refused.exception, InvalidInputError)
    assert forumbot_json("tickets", "list", "--json")[0]["status"] == "open"

    answer = "The business unit looks after the quarterly zoomorphic digest."
    done = forumbot(
        "tickets", "answer", str(ticket_id), answer, "--save", "--by", "sam@example.org"
    )
    assert done.stdout.strip() == (
        f"Ticket {ticket_id} answered and saved to the knowledge base."
    )
    assert forumbot_json("tickets", "list", "--json") == []
    (answered,) = forumbot_json("tickets", "list", "--all", "--json")
    assert (answered["status"], answered["answer"]) == ("answered", answer)
    assert (
        count_rows(
            database_url,
            f"SELECT count(*) FROM outbox WHERE idempotency_key = 'ticket:{ticket_id}:answer' "
            "AND channel = 'email' AND recipient = 'asker@example.org'",
        )
        == 1
    )

    now_known = forumbot_json("ask", "--json", question)
    assert now_known["kind"] == "answer"
    assert now_known["sources"][0]["document"] == f"ticket-{ticket_id}"
    assert "ticket-" + str(ticket_id) in [
        d["document"] for d in forumbot_json("kb", "list", "--json")
    ]
