"""The house style and safety of each rendering: raw HTML and bad links never get through."""

from __future__ import annotations

import re
from typing import Any

from bot.domain.briefings.markup import sections, to_html, to_mrkdwn
from bot.domain.briefings.style import facts, slack_blocks
from bot.domain.chat import fit
from bot.rendering import Renderer
from bot.runtime import renderer_for
from bot.settings import Settings
from bot.store.tables import Briefing
from tests.briefings.kit import XSS

BASE = "https://forum.example.org"


def _row(**changes: object) -> Briefing:
    values: dict[str, Any] = {
        "id": 3,
        "slug": "escalation",
        "kind": "learning_lessons",
        "title": f"Title {XSS}",
        "summary": f"Summary {XSS}",
        "body": f"## Key learning\n\n{XSS}\n\n[bad](javascript:alert(1)) [ok](https://ok.example.org/?a=1&b=2)",
        "report_url": "https://www.example.org/report",
        "webinar_url": None,
        "topics": [],
    }
    values.update(changes)
    return Briefing(**values)


def test_markdown_escapes_raw_html_and_drops_unsafe_links() -> None:
    html = str(
        to_html(
            f"{XSS}\n\n[x](javascript:alert(1)) [y](data:text/html,hi) ![i](https://e.org/i.png)"
        )
    )
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert re.findall(r'href="([^"]+)"', html) == [
        "https://e.org/i.png"
    ]  # image: a link
    linked = str(to_html("[mail](mailto:a@b.org) [web](https://e.org/a?b=1&c=2)"))
    assert '<a href="mailto:a@b.org">mail</a>' in linked
    assert '<a href="https://e.org/a?b=1&amp;c=2">web</a>' in linked


def test_mrkdwn_escapes_control_characters_and_keeps_structure() -> None:
    text = to_mrkdwn(
        "Use **bold** & _care_ <b>\n\n- one [link](https://e.org/?a=1&b=2)\n- two\n\n1. first\n2. second"
    )
    assert text == (
        "Use *bold* &amp; _care_ &lt;b&gt;\n"
        "• one <https://e.org/?a=1&amp;b=2|link>\n• two\n1. first\n2. second"
    )
    assert to_mrkdwn("[bad](javascript:alert(1))") == "[bad](javascript:alert(1))"


def test_sections_split_at_headings_but_not_inside_code() -> None:
    found = sections("Intro\n\n# One\nA\n```\n## not a heading\n```\n## Two ##\nB")
    assert [s.heading for s in found] == ["", "One", "Two"]
    assert "## not a heading" in found[1].markdown


def test_email_is_escaped_in_html_and_plain_in_text() -> None:
    renderer = renderer_for(Settings(_env_file=None))
    context = {
        **facts(_row(), BASE),
        "recipient_name": "Sam <b>",
        "sender": type("S", (), {"name": "Practitioner Forum"})(),
        "unsubscribe_url": "https://forum.example.org/unsubscribe/t",
        "preferences_url": "https://forum.example.org/preferences/t",
    }
    email = renderer.render_email("briefing", context)
    assert "<script" not in email.html and "onerror=" not in email.html.replace(
        "onerror=alert(1)&gt;", ""
    )
    assert "&lt;script&gt;" in email.html and "Sam &lt;b&gt;" in email.html
    assert "javascript:" not in email.html.replace("[bad](javascript:alert(1))", "")
    assert email.subject == f"Learning Lessons Briefing: Title {XSS}"
    assert (
        XSS in email.text
        and "Read the full report: https://www.example.org/report" in email.text
    )
    assert "https://forum.example.org/briefings/escalation" in email.text


def test_web_page_escapes_everything_typed() -> None:
    page = Renderer(globals={"partnership": "P", "partnership_short": "P"}).render(
        "web/briefings/show.html.j2",
        {**facts(_row(), BASE), "zone": Settings(_env_file=None).zone},
    )
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert 'href="javascript' not in page


def test_slack_blocks_escape_text_and_fit_block_kit() -> None:
    long = "## Key learning\n\n" + ("word " * 2000)
    blocks = slack_blocks(_row(body=long + f"\n\n{XSS}"), BASE)
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": f"Title {XSS}"[:150]},
    }
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert all(len(t) <= 3000 for t in texts)
    assert not any("<script" in t for t in texts)
    assert "<https://www.example.org/report|Read the full report>" in texts[-1]
    assert "<https://forum.example.org/briefings/escalation|" in texts[-1]
    assert fit(blocks) == [blocks]
