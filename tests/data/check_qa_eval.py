"""Check tests/data/qa_eval.jsonl against the seed documents.

    python tests/data/check_qa_eval.py [SEEDS_DIR]

SEEDS_DIR defaults to ../shared/seeds from the project root. Every `answer` question must name
a seed file, and each of its 1-3 `expect` phrases (3-10 words) must occur in that file once both
sides are lower-cased and their whitespace collapsed, which is how the benchmark matches them.
`also_documents`, when present, lists other seeds that carry the same passage (the annual
report 2019/20 is reproduced inside the scrutiny pack). Exits 1 and lists the problems if any.

Splits: `dev` is for tuning; `heldout` is looked at only to report. `heldout2` (written before
the retrieval changes of the search review) and `heldout3` (written after the first round of
them) were added as fresh estimates of how the bot does on questions nobody tuned against.
`heldout4` was written from the seeds alone, before anyone read the triage and scope rules
(the honest estimate before the triage review); `heldout5` after that review's first changes,
and `heldout6` after its second (each measured before any rule was changed for its misses).
`heldout7` was written before the semantic triage check was tuned and read only to measure it
(urgent messages in new wordings, and procedure questions that name harm). `heldout8` was
written blind, from the seeds alone, by someone who had seen neither the code nor the other
questions, and measured before any change it prompted (phrases there run to 10 words).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

KINDS = {"answer", "urgent", "handoff"}
SPLITS = {
    "dev",
    "heldout",
    "heldout2",
    "heldout3",
    "heldout4",
    "heldout5",
    "heldout6",
    "heldout7",
    "heldout8",
}
HERE = Path(__file__).resolve().parent
DEFAULT_SEEDS = HERE.parents[2] / "shared" / "seeds"


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def check(rows: list[dict[str, object]], seeds: dict[str, str]) -> list[str]:
    problems: list[str] = []
    ids = Counter(str(row.get("id")) for row in rows)
    problems += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    texts = Counter(normalise(str(row.get("question", ""))) for row in rows)
    problems += [f"duplicate question {q!r}" for q, n in texts.items() if n > 1]
    for row in rows:
        rid = row.get("id")
        question = row.get("question")
        if not isinstance(question, str) or not question.strip():
            problems.append(f"{rid}: empty question")
        if row.get("kind") not in KINDS:
            problems.append(f"{rid}: kind {row.get('kind')!r}")
        if row.get("split") not in SPLITS:
            problems.append(f"{rid}: split {row.get('split')!r}")
        if row.get("kind") != "answer":
            if "document" in row or row.get("expect"):
                problems.append(f"{rid}: only answers carry document/expect")
            continue
        document = row.get("document")
        expect = row.get("expect")
        if not isinstance(document, str) or document not in seeds:
            problems.append(f"{rid}: unknown document {document!r}")
            continue
        if not isinstance(expect, list) or not 1 <= len(expect) <= 3:
            problems.append(f"{rid}: expect must list 1-3 phrases")
            continue
        for phrase in expect:
            if not isinstance(phrase, str) or not 3 <= len(phrase.split()) <= 10:
                problems.append(f"{rid}: phrase {phrase!r} is not 3-10 words")
            elif normalise(phrase) not in seeds[document]:
                problems.append(f"{rid}: {phrase!r} not in {document}")
        also = row.get("also_documents", [])
        for other in also if isinstance(also, list) else [also]:
            text = seeds.get(str(other), "")
            if not any(normalise(str(p)) in text for p in expect):
                problems.append(f"{rid}: no expect phrase in also_documents {other!r}")
    return problems


def main() -> int:
    seeds_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEEDS
    seeds = {
        p.name: normalise(p.read_text(encoding="utf-8"))
        for p in seeds_dir.glob("*.txt")
    }
    lines = (HERE / "qa_eval.jsonl").read_text(encoding="utf-8").splitlines()
    rows: list[dict[str, object]] = [json.loads(line) for line in lines if line.strip()]
    problems = check(rows, seeds)
    for problem in problems:
        print(problem)
    counts = Counter((str(row.get("kind")), str(row.get("split"))) for row in rows)
    for (kind, split), n in sorted(counts.items()):
        print(f"{kind:8} {split:8} {n}")
    documents = Counter(
        str(row["document"]) for row in rows if row.get("kind") == "answer"
    )
    for document, n in sorted(documents.items()):
        print(f"answer   {document} {n}")
    print(f"{len(rows)} questions, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
