"""Signed links never reach the web server's access log (a survey link decodes to the
person answering an anonymous survey)."""

from __future__ import annotations

import logging

import pytest

from bot.domain.links import Links
from bot.web.logs import LINK_PATHS, redact_access_log, redact_path

TOKEN = Links(base_url="https://forum.example.org", secret="secret").token(
    "survey", [3, "member:7", "ab"]
)


@pytest.mark.parametrize("prefix", LINK_PATHS)
def test_a_token_after_a_link_path_is_redacted(prefix: str) -> None:
    path = f"/{prefix}/{TOKEN}/more?x=1"
    assert redact_path(path) == f"/{prefix}/[link]/more?x=1"


def test_a_token_anywhere_else_is_redacted_and_plain_paths_are_kept() -> None:
    assert TOKEN not in redact_path(f"/elsewhere?next={TOKEN}")
    assert redact_path("/admin/surveys/12/report.csv") == "/admin/surveys/12/report.csv"
    assert redact_path("/static/site.css?v=3") == "/static/site.css?v=3"


def test_uvicorn_access_lines_carry_no_token(caplog: pytest.LogCaptureFixture) -> None:
    redact_access_log()
    redact_access_log()  # twice: still one filter
    access = logging.getLogger("uvicorn.access")
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    # uvicorn's own call: client, method, path with query, HTTP version, status.
    access.info(
        '%s - "%s %s HTTP/%s" %d',
        "10.0.0.1:5000",
        "POST",
        f"/surveys/{TOKEN}",
        "1.1",
        303,
    )
    assert [r.getMessage() for r in caplog.records] == [
        '10.0.0.1:5000 - "POST /surveys/[link] HTTP/1.1" 303'
    ]
    assert sum(type(f).__name__ == "RedactLinks" for f in access.filters) == 1
