"""parse_document: Markdown with front matter, plain text, HTML and PDF (a real one, built here)."""

from __future__ import annotations

import pytest

from bot.domain.knowledge.documents import SUFFIXES, parse_document
from bot.domain.knowledge.passages import split_passages
from bot.errors import InvalidInputError
from tests.knowledge.pdf import minimal_pdf

MARKDOWN = b"""---
title: Rapid reviews and local reviews
source_url: https://partnership.example.org/reviews
owner: BSCP Business Manager
review_date: "2027-03-31"
sample: true
---

SAMPLE CONTENT: how the partnership reviews serious incidents.

## Notifying an incident

The local authority notifies the national panel within five working days of learning of
a serious incident.

## Rapid review timescales

The partnership completes a rapid review within fifteen working days of the notification.
It then decides whether a local child safeguarding practice review is needed.
"""


def test_markdown_front_matter_gives_the_metadata_and_headings_become_sections() -> (
    None
):
    document = parse_document("rapid-reviews.md", MARKDOWN)

    assert document.name == "rapid-reviews.md"
    assert document.title == "Rapid reviews and local reviews"
    assert document.source_url == "https://partnership.example.org/reviews"
    assert document.owner == "BSCP Business Manager"
    assert document.review_date == "2027-03-31"
    assert "---" not in document.text and "sample: true" not in document.text
    assert "#" not in document.text

    passages = split_passages(document.text, document.title)
    assert [p.section for p in passages] == [
        "Rapid reviews and local reviews",
        "Notifying an incident",
        "Rapid review timescales",
    ]
    assert [p.position for p in passages] == [0, 1, 2]
    timescales = passages[2].text
    assert timescales.startswith("The partnership completes a rapid review within")
    assert "local child safeguarding practice review is needed." in timescales
    # the line broken after "within five working days of learning of" is one sentence again
    assert "of learning of a serious incident." in passages[1].text


def test_markdown_review_date_written_as_a_yaml_date_is_kept_as_text() -> None:
    document = parse_document(
        "escalation.markdown",
        b"---\ntitle: Escalation\nreview_date: 2027-03-31\nurl: https://x.example.org/e\n---\n\nBody.\n",
    )
    assert document.review_date == "2027-03-31"
    assert document.source_url == "https://x.example.org/e"  # `url` is taken too
    assert document.owner is None


def test_markdown_without_front_matter_takes_its_title_from_the_first_heading() -> None:
    document = parse_document(
        "notes.md",
        b"# Resolution and Escalation Protocol Guide\n\nSpeak to the worker first.\n",
    )
    assert document.title == "Resolution and Escalation Protocol Guide"
    assert document.source_url is None and document.owner is None
    assert "Speak to the worker first." in document.text


def test_plain_text_is_read_as_it_is_with_a_guessed_title() -> None:
    data = (
        b"Business Improvement Plan 2021-23\n\n"
        b"The plan sets out the partnership's strategic intent.\n"
    )
    document = parse_document("plan.txt", data)
    assert document.title == "Business Improvement Plan 2021-23"
    assert document.text == data.decode()
    assert document.source_url is None


def test_a_title_that_cannot_be_guessed_falls_back_to_the_file_name() -> None:
    document = parse_document(
        "front_door-contacts.txt", b"call the front door.\nthen tell your lead.\n"
    )
    assert document.title == "front door contacts"


def test_undecodable_bytes_in_text_do_not_stop_the_document() -> None:
    document = parse_document("old.txt", b"Caf\xe9 meeting notes about neglect.\n")
    assert "meeting notes about neglect." in document.text


HTML = b"""<!doctype html>
<html>
<head>
  <title>Practitioner Forum</title>
  <style>body { color: red; } .forum { display: none; }</style>
  <script>var tracking = "analytics-code";</script>
</head>
<body>
  <nav>Home | About us | Contact</nav>
  <h1>Practitioner Forum</h1>
  <p>The forum meets every quarter online.</p>
  <h2>Who can come</h2>
  <p>Any practitioner working with children in the city can attend.<br>Places are free.</p>
  <ul><li>Health visitors</li><li>Teachers</li></ul>
  <script>document.write("injected text");</script>
  <footer>Copyright the partnership</footer>
</body>
</html>
"""


def test_html_gives_title_and_headings_and_drops_script_style_and_page_furniture() -> (
    None
):
    document = parse_document("forum.html", HTML)

    assert document.title == "Practitioner Forum"
    for dropped in (
        "color: red",
        "analytics-code",
        "injected text",
        "About us",
        "Copyright",
    ):
        assert dropped not in document.text
    passages = split_passages(document.text, document.title)
    sections = {p.section: p.text for p in passages}
    assert sections["Practitioner Forum"] == "The forum meets every quarter online."
    assert sections["Who can come"].startswith(
        "Any practitioner working with children in the city can attend."
    )
    assert "Places are free." in sections["Who can come"]
    # list items are items, not headings, however short they are
    assert sections["Who can come"].endswith("• Health visitors • Teachers")
    assert set(sections) == {"Practitioner Forum", "Who can come"}


def test_html_without_a_title_element_guesses_one_and_htm_is_html() -> None:
    document = parse_document(
        "page.htm",
        b"<body><h1>Learning From Case Reviews Page</h1><p>Read the briefings.</p></body>",
    )
    assert document.title == "Learning From Case Reviews Page"
    assert "Read the briefings." in document.text
    assert "<" not in document.text


def test_pdf_text_and_title_are_extracted_from_a_real_pdf() -> None:
    data = minimal_pdf(
        [
            [
                "Rapid Review Guidance for Practitioners",
                "The partnership completes a rapid review within fifteen working",
                "days of the notification.",
            ],
            ["Escalation", "Multi-", "agency disagreements go to a manager (first)."],
        ],
        title="Rapid Review Guidance",
    )
    assert data.startswith(b"%PDF-1.4")

    document = parse_document("guidance.PDF", data)

    assert document.title == "Rapid Review Guidance"
    lines = [line.strip() for line in document.text.splitlines() if line.strip()]
    assert lines == [
        "Rapid Review Guidance for Practitioners",
        "The partnership completes a rapid review within fifteen working",
        "days of the notification.",
        "Escalation",
        "Multi-",
        "agency disagreements go to a manager (first).",
    ]
    joined = " ".join(p.text for p in split_passages(document.text, document.title))
    assert "within fifteen working days of the notification." in joined
    assert "Multi-agency disagreements go to a manager (first)." in joined


def test_pdf_without_a_title_in_its_metadata_guesses_one_from_its_text() -> None:
    document = parse_document(
        "report.pdf",
        minimal_pdf(
            [["Annual Report of the Partnership 2019", "It was a year of progress."]]
        ),
    )
    assert document.title == "Annual Report of the Partnership 2019"


@pytest.mark.parametrize(
    "data",
    [
        minimal_pdf([["Some text on a page."]])[:150],  # cut off half way
        b"%PDF-1.4\nthis is not really a PDF at all\n",
        b"not a PDF at all, just a file with the wrong name",
        b"",
    ],
    ids=["truncated", "garbage-after-header", "not-a-pdf", "empty"],
)
def test_a_damaged_pdf_is_an_invalid_input_naming_the_file(data: bytes) -> None:
    with pytest.raises(InvalidInputError, match=r"broken\.pdf: cannot read this PDF"):
        parse_document("broken.pdf", data)


@pytest.mark.parametrize("name", ["minutes.docx", "sheet.xlsx", "README", "image.png"])
def test_an_unsupported_format_is_an_invalid_input(name: str) -> None:
    with pytest.raises(InvalidInputError, match="not a supported format") as raised:
        parse_document(name, b"whatever")
    assert name in str(raised.value)
    for suffix in SUFFIXES:
        assert suffix in str(raised.value)
