"""build_message writes bytes the stdlib parser reads back exactly, with no header injection."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.mime import (
    MAX_HEADER_TEXT,
    ListHeaders,
    address,
    build_message,
    clean_header_text,
    message_id_for,
)

DATE = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
LIST = ListHeaders(
    list_id="practitioner-forum.partnership.example.org",
    list_name="Example Partnership Practitioner Forum",
    unsubscribe_url="https://forum.example.org/unsubscribe/abc123",
)
INJECTION = "\r\nBcc: evil@example.com"


def _build(
    *,
    subject: str = "Forum update",
    text: str = "Hello\n",
    html: str = "<p>Hello</p>",
    to_name: str = "Sam Practitioner",
    to_address: str = "sam@example.org",
    sender_name: str = "Practitioner Forum",
    key: str = "update:1:sam@example.org",
    list_headers: ListHeaders | None = None,
) -> bytes:
    return build_message(
        subject=subject,
        text=text,
        html=html,
        sender=address(sender_name, "forum@partnership.example.org"),
        to=address(to_name, to_address),
        message_id=message_id_for(key, "partnership.example.org"),
        date=DATE,
        list_headers=list_headers,
    )


def _parse(raw: bytes) -> EmailMessage:
    message: Any = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part"
    content = part.get_content()
    assert isinstance(content, str)
    # The wire format has CRLF line ends (RFC 5322) and the parser keeps them.
    return content.replace("\r\n", "\n")


def _raw_lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n")


def test_is_multipart_alternative_with_plain_text_first() -> None:
    message = _parse(_build())
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert message["MIME-Version"] == "1.0"
    assert message.defects == []


def test_both_parts_decode_to_the_exact_input() -> None:
    text = (
        "Hello Zoë – café\n\nLine with trailing space \nEquals = sign, tab\there.\n"
        + "long " * 40
        + "\n"
    )
    html = '<p lang="fr">Zoë – café</p>\n<p>' + "mot " * 60 + "</p>"
    message = _parse(_build(text=text, html=html))
    assert _body(message, "plain") == text
    assert _body(message, "html") == html


def test_line_endings_in_the_input_are_normalised() -> None:
    message = _parse(_build(text="one\r\ntwo\rthree\nfour"))
    assert _body(message, "plain") == "one\ntwo\nthree\nfour"


def test_non_ascii_names_and_subject_round_trip() -> None:
    raw = _build(
        subject="Zoë – café: forum news",
        to_name="Zoë Brontë-Ånström",
        sender_name="Fórum – ESCP",
    )
    assert raw.isascii()
    message = _parse(raw)
    assert str(message["Subject"]) == "Zoë – café: forum news"
    (to,) = message["To"].addresses
    assert (to.display_name, to.addr_spec) == ("Zoë Brontë-Ånström", "sam@example.org")
    (sender,) = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (
        "Fórum – ESCP",
        "forum@partnership.example.org",
    )


def test_ascii_names_with_specials_are_quoted() -> None:
    message = _parse(_build(to_name='Smith, "Jo" <boss@example.com>'))
    (to,) = message["To"].addresses
    assert (to.display_name, to.addr_spec) == (
        'Smith, "Jo" <boss@example.com>',
        "sam@example.org",
    )


@pytest.mark.parametrize("where", ["to_name", "sender_name", "subject"])
@pytest.mark.parametrize("prefix", ["Sam", "Zoë"])
def test_crlf_in_a_name_or_subject_cannot_add_a_header(where: str, prefix: str) -> None:
    kwargs: dict[str, Any] = {where: prefix + INJECTION}
    raw = _build(**kwargs)
    message = _parse(raw)
    assert message["Bcc"] is None
    assert not any(line.lower().startswith(b"bcc:") for line in _raw_lines(raw))
    assert message.defects == []
    # The text survives on one line as harmless words in the header it was meant for.
    header = {"to_name": "To", "sender_name": "From", "subject": "Subject"}[where]
    assert "Bcc: evil@example.com" in str(message[header])


def test_list_headers_only_for_list_mail() -> None:
    listed = _parse(_build(list_headers=LIST))
    assert listed["List-Id"] == f"{LIST.list_name} <{LIST.list_id}>"
    assert listed["List-Unsubscribe"] == f"<{LIST.unsubscribe_url}>"
    assert listed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert listed["Precedence"] == "list"

    personal = _parse(_build())
    for name in ("List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Precedence"):
        assert personal[name] is None, name


def test_non_ascii_list_name_is_encoded() -> None:
    welsh = ListHeaders(
        LIST.list_id,
        "Partneriaeth Diogelu Plant – Fforwm Ymarferwyr",
        LIST.unsubscribe_url,
    )
    raw = _build(list_headers=welsh)
    assert raw.isascii()
    assert _parse(raw)["List-Id"] == f"{welsh.list_name} <{welsh.list_id}>"


def test_list_mail_without_unsubscribe_url_has_no_one_click_header() -> None:
    mailto_only = ListHeaders(
        LIST.list_id, LIST.list_name, unsubscribe_mailto="mailto:leave@example.org"
    )
    message = _parse(_build(list_headers=mailto_only))
    assert message["List-Unsubscribe"] == "<mailto:leave@example.org>"
    assert message["List-Unsubscribe-Post"] is None


def test_message_id_is_stable_for_a_key() -> None:
    first = message_id_for("update:7:sam@example.org", "partnership.example.org")
    assert first == message_id_for(
        "update:7:sam@example.org", "partnership.example.org"
    )
    assert first != message_id_for(
        "update:8:sam@example.org", "partnership.example.org"
    )
    assert first.startswith("<") and first.endswith("@partnership.example.org>")
    message = _parse(_build(key="update:7:sam@example.org"))
    assert message["Message-ID"] == first
    assert _build(key="update:7:sam@example.org") == _build(
        key="update:7:sam@example.org"
    )


def test_headers_carry_date_and_auto_submitted() -> None:
    message = _parse(_build())
    assert message["Date"].datetime == DATE
    assert message["Auto-Submitted"] == "auto-generated"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"text": "x" * 5000, "html": "<p>" + "y" * 5000 + "</p>"},
        {"text": "é" * 3000, "html": "日本語" * 1000},
        {"subject": "ü" * 500},
        {"subject": "w" * 500},
        {"to_name": "😀" * 300},
        {"to_name": "n" * 300},
        {
            "list_headers": ListHeaders(
                "l.example.org", "L" * 500, unsubscribe_url="https://x.example.org/u"
            )
        },
    ],
    ids=[
        "long-ascii-body",
        "long-unicode-body",
        "long-unicode-subject",
        "long-ascii-subject",
        "long-emoji-name",
        "long-ascii-name",
        "long-list-name",
    ],
)
def test_every_raw_line_is_at_most_998_bytes(kwargs: dict[str, Any]) -> None:
    raw = _build(**kwargs)
    assert max(len(line) for line in _raw_lines(raw)) <= 998
    assert _parse(raw).defects == []


def test_long_non_ascii_name_is_folded_and_still_parses() -> None:
    name = "😀" * 150 + " Zoë"
    message = _parse(_build(to_name=name))
    (to,) = message["To"].addresses
    assert to.addr_spec == "sam@example.org"
    # The name is split over several RFC 2047 words; the stdlib parser (unlike mail clients)
    # leaves a space where two words of a phrase meet, so compare without spaces.
    assert to.display_name.replace(" ", "") == name.replace(" ", "")


@pytest.mark.parametrize(
    "bad",
    [
        "sam@example.org\r\nBcc: evil@example.com",
        "sam@example.org\nx",
        "sam @example.org",
        "sam@exam ple.org",
        "<sam@example.org>",
        "Sam <sam@example.org>",
        "sam@example.org>",
        "a@example.org, b@example.org",
        '"sam"@example.org',
    ],
)
def test_address_rejects_anything_but_a_plain_address(bad: str) -> None:
    with pytest.raises(ValueError, match="not a plain email address"):
        address("Sam", bad)


def test_address_strips_surrounding_whitespace() -> None:
    assert address("Sam", "  sam@example.org ") == "Sam <sam@example.org>"


def test_clean_header_text_collapses_control_characters_and_truncates() -> None:
    assert clean_header_text("a\r\nb\tc\x00d  e") == "a b c d e"
    long = clean_header_text("x" * 1000)
    assert len(long) == MAX_HEADER_TEXT and long.endswith("…")


# Surrogates cannot be encoded at all, so no caller can hand them over.
_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=1000)


@settings(max_examples=200, deadline=None)
@given(subject=_TEXT, text=_TEXT, html=_TEXT, name=_TEXT)
def test_arbitrary_text_round_trips_through_the_stdlib_parser(
    subject: str, text: str, html: str, name: str
) -> None:
    raw = _build(subject=subject, text=text, html=html, to_name=name)
    assert raw.isascii()
    assert max(len(line) for line in _raw_lines(raw)) <= 998
    message = _parse(raw)
    assert message.defects == []
    assert [p.get_content_type() for p in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]

    def newlines(value: str) -> str:
        return value.replace("\r\n", "\n").replace("\r", "\n")

    assert _body(message, "plain") == newlines(text)
    assert _body(message, "html") == newlines(html)
    assert str(message["Subject"]) == clean_header_text(subject)
    assert message["Bcc"] is None
    (to,) = message["To"].addresses
    assert to.addr_spec == "sam@example.org"
    assert to.display_name.replace(" ", "") == clean_header_text(name).replace(" ", "")
