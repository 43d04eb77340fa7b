"""Cleaning PDF-extracted text and cutting it into overlapping passages under their headings."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.knowledge.passages import (
    STRIDE_WORDS,
    WINDOW_WORDS,
    Passage,
    blocks,
    sentences,
    split_passages,
)

HEADER = "Birmingham Safeguarding Children Partnership Annual Report 2019/20"
PAGES = [
    [
        "Rapid Reviews",
        "",
        "When a serious incident is notified, the partnership holds a rapid",
        "review meeting with the agencies involved. The review goes to the national",
        "panel within fifteen working days.",
    ],
    [
        "Multi-",
        "agency audits check how well agencies work together on neglect cases",
        "across the city.",
    ],
    [
        "Training",
        "",
        "The partnership offers free training to practitioners in every agency.",
    ],
    [
        "Escalation",
        "",
        "If you disagree with a decision made by another agency, speak to the",
        "worker first and then escalate to your manager.",
    ],
    [
        "Early Help",
        "",
        "An early help assessment brings the family and the professionals",
        "together to agree a plan.",
    ],
]


def pdf_text(pages: list[list[str]], *, header: str = HEADER) -> str:
    """Text as pypdf extracts it: a running header, the page, and a page number, per page."""
    return "\n".join(
        "\n".join([header, "", *lines, "", f"Page {n} of {len(pages)}", ""])
        for n, lines in enumerate(pages, 1)
    )


def everything(passages: list[Passage]) -> str:
    return "\n".join(f"{p.section}\n{p.text}" for p in passages)


def test_running_headers_and_page_numbers_repeated_on_every_page_are_dropped() -> None:
    passages = split_passages(pdf_text(PAGES), "Annual Report")

    text = everything(passages)
    assert HEADER not in text
    assert "Page 1 of 5" not in text and "Page 5" not in text
    assert not re.search(r"\bof 5\b", text)
    assert "panel within fifteen working days." in text


def test_bare_page_numbers_are_dropped_but_numbers_in_sentences_stay() -> None:
    text = "\n".join(
        f"Paragraph {word} mentions 12 reviews held in 2019.\n\n{n}\n"
        for n, word in enumerate(["one", "two", "three"], 1)
    )
    found = blocks(text)
    assert found == [
        "Paragraph one mentions 12 reviews held in 2019.",
        "Paragraph two mentions 12 reviews held in 2019.",
        "Paragraph three mentions 12 reviews held in 2019.",
    ]


def test_a_line_repeated_on_two_pages_is_content_not_furniture() -> None:
    pages = [
        ["Contact the Children's Advice and Support Service.", "First page text."],
        ["Contact the Children's Advice and Support Service.", "Second page text."],
    ]
    text = everything(split_passages(pdf_text(pages, header="Header"), "Doc"))
    assert text.count("Contact the Children's Advice and Support Service.") == 2
    assert "First page text." in text and "Second page text." in text


def test_lines_broken_mid_sentence_are_rejoined() -> None:
    passages = split_passages(pdf_text(PAGES), "Annual Report")
    text = everything(passages)
    assert (
        "When a serious incident is notified, the partnership holds a rapid review "
        "meeting with the agencies involved." in text
    )
    assert (
        "If you disagree with a decision made by another agency, speak to the worker "
        "first and then escalate to your manager." in text
    )
    assert "\n" not in "".join(p.text for p in passages)


def test_a_hyphen_at_the_end_of_a_line_is_kept_when_the_word_goes_on() -> None:
    text = everything(split_passages(pdf_text(PAGES), "Annual Report"))
    assert "Multi-agency audits check how well agencies work together" in text
    assert "Multi- agency" not in text and "Multiagency" not in text
    assert blocks("child-\ncentred practice") == ["child-centred practice"]


def test_headings_are_recognised_and_passages_carry_them_as_their_section() -> None:
    passages = split_passages(pdf_text(PAGES), "Annual Report")

    by_section = {p.section: p.text for p in passages}
    assert list(by_section) == ["Rapid Reviews", "Training", "Escalation", "Early Help"]
    assert by_section["Rapid Reviews"].startswith("When a serious incident is notified")
    # the multi-agency paragraph on page 2 carries on under the heading of page 1
    assert "Multi-agency audits" in by_section["Rapid Reviews"]
    assert by_section["Training"] == (
        "The partnership offers free training to practitioners in every agency."
    )
    assert [p.position for p in passages] == list(range(len(passages)))


def test_text_before_the_first_heading_falls_under_the_document_title() -> None:
    passages = split_passages(
        "This report looks back on the year.\n\nOur Priorities\n\nNeglect comes first.",
        "Annual Report",
    )
    assert [(p.section, p.text) for p in passages] == [
        ("Annual Report", "This report looks back on the year."),
        ("Our Priorities", "Neglect comes first."),
    ]


def test_sentences_and_colons_and_list_items_are_not_headings() -> None:
    text = (
        "The partnership will:\n\n"
        "- Set standards for multi-agency practice\n"
        "- Promote working together\n\n"
        "Agencies must respond.\n\n"
        "Who Can Refer?\n\n"
        "Anyone can refer a concern."
    )
    passages = split_passages(text, "Our Purpose")
    assert {p.section for p in passages} == {"Our Purpose"}
    assert blocks(text)[1:3] == [
        "- Set standards for multi-agency practice",
        "- Promote working together",
    ]


def test_headings_with_nothing_under_them_are_kept_as_text_not_lost() -> None:
    """Flattened tables and lists of names come out of PDFs as short capitalised lines."""
    text = (
        "Appendix 2: Membership\n\n"
        "Independent Scrutineer\n\n"
        "Chief Constable West Midlands Police\n\n"
        "Partners\n\n"
        "The partners meet every month.\n\n"
        "Published June 2024"
    )
    passages = split_passages(text, "Arrangements")
    assert [p.section for p in passages] == ["Partners", "Published June 2024"]
    assert passages[0].text == (
        "Appendix 2: Membership Independent Scrutineer Chief Constable West Midlands "
        "Police The partners meet every month."
    )
    assert passages[1].text == "Published June 2024"


def test_long_sections_become_overlapping_windows_of_whole_sentences() -> None:
    numbered = [
        f"Sentence number {n} says something about practice in case {n}."
        for n in range(1, 81)
    ]  # 10 words each: 800 words in all
    text = "Working Together\n\n" + "\n".join(
        s.replace(" about ", " about\n")  # broken across lines, as a PDF would give it
        for s in numbered
    )
    passages = split_passages(text, "Guide")

    assert len(passages) > 3
    assert {p.section for p in passages} == {"Working Together"}
    assert [p.position for p in passages] == list(range(len(passages)))
    windows = [sentences(p.text) for p in passages]
    for window in windows:
        assert set(window) <= set(numbered)  # whole sentences only
        words = sum(len(s.split()) for s in window)
        assert words <= WINDOW_WORDS + 10  # one sentence may tip it over
    for earlier, later in itertools.pairwise(windows):
        shared = set(earlier) & set(later)
        assert shared, "consecutive windows overlap"
        assert later[0] in earlier  # the next window starts inside this one
        advance = numbered.index(later[0]) - numbered.index(earlier[0])
        assert 0 < advance * 10 <= STRIDE_WORDS + 10
    assert windows[0][0] == numbered[0] and windows[-1][-1] == numbered[-1]
    assert set().union(*map(set, windows)) == set(numbered)


def test_empty_and_blank_text_gives_no_passages() -> None:
    assert split_passages("", "Title") == []
    assert split_passages("\n \n\t\n", "Title") == []
    assert split_passages("1\n2\n3\n", "Title") == []  # only page numbers


# --- properties ----------------------------------------------------------------------------

TOKEN = re.compile(r"[A-Za-z0-9]+")


STEMS = [
    *("Multi", "agency", "the", "partnership", "Rapid", "review", "child", "neglect"),
    *("Early", "help", "escalate", "a", "of", "to", "in", "Section", "Figure"),
    *("Priority", "CASS", "MASH", "we", "will", "and", "practitioners"),
]
LINE = st.tuples(
    st.sampled_from(["line", "line", "line", "blank", "bullet"]),
    st.lists(
        st.tuples(
            st.sampled_from(STEMS),
            st.sampled_from(["", "", "", ",", ".", ";", ":", "?", "!", "-", ")"]),
        ),
        min_size=1,
        max_size=14,
    ),
    st.sampled_from(["", " ", "\t", "- ", "• ", "1. ", "a) "]),
)


@st.composite
def document_text(draw: st.DrawFn) -> str:
    """Text shaped like a PDF's: headings, broken lines, hyphens, bullets, punctuation.

    Every word carries a different number, so no two lines are the same: nothing in it is
    page furniture, and no line is a bare page number.
    """
    numbers = iter(range(1_000_000))
    lines = []
    for kind, words, prefix in draw(st.lists(LINE, max_size=40)):
        if kind == "blank":
            lines.append(prefix if prefix.isspace() else "")
            continue
        text = " ".join(f"{stem}{next(numbers)}{end}" for stem, end in words)
        lines.append(prefix + text if kind == "bullet" else text)
    return "\n".join(lines)


@settings(max_examples=300, deadline=None)
@given(document_text())
def test_property_no_word_of_the_text_is_lost(text: str) -> None:
    passages = split_passages(text, "Title")

    found = set(TOKEN.findall(everything(passages)))
    wanted = set(TOKEN.findall(text)) - {"1", "a"}  # the bullets' own markers
    assert wanted <= found, f"lost: {sorted(wanted - found)}"
    assert [p.position for p in passages] == list(range(len(passages)))
    assert all(p.text.strip() for p in passages)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_property_split_passages_never_raises_on_any_text(text: str) -> None:
    passages = split_passages(text, "Title")
    assert all(isinstance(p, Passage) and p.text for p in passages)
