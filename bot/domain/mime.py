"""Writes the one message shape the bot sends: multipart/alternative, plain text then HTML.

Why not `email.message.EmailMessage`? It is correct but costs about 1.8 ms a message here,
mostly in header folding, four times what sending the message costs; a newsletter to the
whole forum would spend most of its time in it. This writer uses the same stdlib pieces
for the hard parts (RFC 2047 words from `email.header`, address quoting from
`email.utils.formataddr`, quoted-printable from `binascii`) and is checked against the
stdlib parser in tests/domain/test_mime.py.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
MAX_HEADER_TEXT = 200
CRLF = "\r\n"


@dataclass(frozen=True)
class ListHeaders:
    """What makes a message list mail: its List-Id and one-click unsubscribe (RFC 2919, 8058)."""

    list_id: str
    list_name: str
    unsubscribe_url: str | None = None
    unsubscribe_mailto: str | None = None


@dataclass(frozen=True)
class CalendarAttachment:
    """An iCalendar invitation (RFC 6047 iMIP): shown inline as text/calendar with its method,
    and attached as a .ics file for clients that only import files."""

    content: str
    method: str = "REQUEST"
    filename: str = "invite.ics"


def clean_header_text(value: str, limit: int = MAX_HEADER_TEXT) -> str:
    """Make untrusted text safe for a header: control characters (CR, LF...) become spaces.

    A name or subject typed into a form can hold CR/LF; left in, it could add headers such as
    Bcc. Collapsing them keeps the text readable and the header single.
    """
    cleaned = " ".join(_CONTROL.sub(" ", value).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def message_id_for(key: str, domain: str, secret: str = "") -> str:
    """A Message-ID derived from the outbox key, so a re-sent message keeps its identity.

    Keyed with the secret, it cannot be guessed: a bounce report that quotes it proves the
    message really came from us (see bot.domain.inbox).
    """
    digest = hmac.new(secret.encode(), key.encode(), hashlib.sha256).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def address(name: str, addr_spec: str) -> str:
    """`"Name" <addr>` with the name cleaned, quoted and RFC 2047-encoded as needed."""
    spec = addr_spec.strip()
    if _CONTROL.search(spec) or any(c in spec for c in '<>," '):
        raise ValueError(f"not a plain email address: {addr_spec!r}")
    display = clean_header_text(name)
    if display.isascii():
        return formataddr((display, spec))
    # formataddr writes a non-ASCII name as one encoded word, which for a long name is longer
    # than a header line may be (998 bytes); Header folds it into several.
    return f"{Header(display, 'utf-8').encode(linesep=CRLF)} <{formataddr(('', spec))}>"


def _header_value(value: str) -> str:
    """Plain ASCII stays as it is; anything else becomes RFC 2047 encoded words."""
    if value.isascii():
        return value
    return Header(value, "utf-8").encode(linesep=CRLF)


def _qp(text: str) -> str:
    """Quoted-printable over CRLF lines: lines stay under 76 characters, any charset survives."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    # b2a_qp ends its soft line breaks as the input's first line ends (bare LF when there is
    # none), so encode over LF and turn every line end, soft or hard, into CRLF afterwards.
    encoded = binascii.b2a_qp(normalised.encode("utf-8"), istext=True).decode("ascii")
    return encoded.replace("\n", CRLF)


def _part(subtype: str, body: str) -> str:
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}'
        f"Content-Transfer-Encoding: quoted-printable{CRLF}{CRLF}{_qp(body)}"
    )


def list_header_lines(headers: ListHeaders) -> list[tuple[str, str]]:
    lines = [
        (
            "List-Id",
            f"{_header_value(clean_header_text(headers.list_name))} <{headers.list_id}>",
        )
    ]
    targets = [
        f"<{url}>"
        for url in (headers.unsubscribe_url, headers.unsubscribe_mailto)
        if url
    ]
    if targets:
        lines.append(("List-Unsubscribe", ", ".join(targets)))
    if headers.unsubscribe_url:
        lines.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    lines.append(("Precedence", "list"))
    return lines


def build_message(
    *,
    subject: str,
    text: str,
    html: str,
    sender: str,
    to: str,
    message_id: str,
    date: datetime,
    list_headers: ListHeaders | None = None,
    extra: Sequence[tuple[str, str]] = (),
    calendar: CalendarAttachment | None = None,
) -> bytes:
    """RFC 5322 bytes of a multipart/alternative message (plain text first, as RFC 2046 asks).

    `sender` and `to` come from `address()`; every other header value is cleaned here.
    """
    # "=_" can never occur in quoted-printable text (QP writes "=" as "=3D"), so no body can
    # contain the boundary.
    boundary = "=_" + message_id.strip("<>").replace("@", ".")
    headers = [
        ("From", sender),
        ("To", to),
        ("Subject", _header_value(clean_header_text(subject))),
        ("Date", format_datetime(date)),
        ("Message-ID", message_id),
        ("MIME-Version", "1.0"),
        ("Auto-Submitted", "auto-generated"),
        *(list_header_lines(list_headers) if list_headers else []),
        *(
            (name, _header_value(clean_header_text(value, 900)))
            for name, value in extra
        ),
    ]
    if calendar is None:
        headers.append(("Content-Type", _ALTERNATIVE.format(boundary)))
        body = _alternative(boundary, text, html)
    else:
        headers.append(
            ("Content-Type", f'multipart/mixed; boundary="{_mixed(boundary)}"')
        )
        body = _with_calendar(boundary, text, html, calendar)
    head = "".join(f"{name}: {value}{CRLF}" for name, value in headers)
    return (head + CRLF + body).encode("ascii")


_ALTERNATIVE = 'multipart/alternative; boundary="{}"'


def _mixed(boundary: str) -> str:
    """The outer boundary: neither it nor the inner one is a prefix of the other."""
    return "=_mixed_" + boundary.removeprefix("=_")


def _alternative(boundary: str, text: str, html: str, *extra: str) -> str:
    parts = [_part("plain", text), _part("html", html), *extra]
    lines = [line for part in parts for line in (f"--{boundary}", part)]
    return CRLF.join([*lines, f"--{boundary}--", ""])


def _base64(content: str) -> str:
    return binascii.b2a_base64(content.encode("utf-8"), newline=False).decode("ascii")


def _wrapped(encoded: str) -> str:
    return CRLF.join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


def _with_calendar(
    boundary: str, text: str, html: str, calendar: CalendarAttachment
) -> str:
    """multipart/mixed: the alternative (plain, HTML, text/calendar) then the .ics file.

    This is the shape calendar services send themselves: mail clients that understand iMIP
    act on the inline text/calendar part, others offer the attached file. Base64 never
    contains "=_", so no part can hold a boundary.
    """
    method = "CANCEL" if calendar.method.upper() == "CANCEL" else "REQUEST"
    encoded = _wrapped(_base64(calendar.content))
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", calendar.filename) or "invite.ics"
    inline = (
        f'Content-Type: text/calendar; charset="utf-8"; method={method}{CRLF}'
        f"Content-Transfer-Encoding: base64{CRLF}{CRLF}{encoded}"
    )
    attached = (
        f'Content-Type: application/ics; name="{filename}"{CRLF}'
        f'Content-Disposition: attachment; filename="{filename}"{CRLF}'
        f"Content-Transfer-Encoding: base64{CRLF}{CRLF}{encoded}"
    )
    alternative = _alternative(boundary, text, html, inline)
    outer = _mixed(boundary)
    return CRLF.join(
        [
            f"--{outer}",
            f"Content-Type: {_ALTERNATIVE.format(boundary)}{CRLF}{CRLF}{alternative}",
            f"--{outer}",
            attached,
            f"--{outer}--",
            "",
        ]
    )
