"""The bar chart macro says what it counts: its empty text and its table's column are the
caller's words, so a poll's chart and the attendance chart do not talk of "members"."""

from __future__ import annotations

from bot.runtime import Services


def _render(services: Services, call: str) -> str:
    source = '{% from "web/_charts.html.j2" import bars %}' + call
    return services.renderer.env.from_string(source).render()


def test_the_chart_uses_the_callers_words(services: Services) -> None:
    empty = _render(services, '{{ bars("Votes", {}, "v", empty="No votes yet.") }}')
    assert "No votes yet." in empty and "members" not in empty
    full = _render(
        services, '{{ bars("Votes per option", {"A": 2}, "v", unit="Votes") }}'
    )
    assert '<th scope="col">Votes</th>' in full and "Members" not in full
    default = _render(services, '{{ bars("By organisation", {}, "o") }}')
    assert "No active members yet." in default
