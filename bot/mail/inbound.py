"""Pure parsing of mail sent to the bot: commands, and bounce reports (DSNs, RFC 3464)."""

from __future__ import annotations

import email
import html
import re
from email import policy
from email.errors import MessageError
from email.message import EmailMessage, Message
from email.utils import parseaddr
from typing import Any

from bot.domain.inbox import FailedDelivery, IncomingMail

MAX_TEXT = 20_000
AUTOMATIC_PRECEDENCE = ("bulk", "list", "junk", "auto_reply")


def parse_incoming(raw: bytes, envelope_sender: str = "") -> IncomingMail:
    """What a message says, for the router. Never raises on malformed mail: it does its best."""
    message: Any = email.message_from_bytes(raw, policy=policy.default)
    sender = _address(message, envelope_sender)
    return IncomingMail(
        sender=sender,
        subject=_header(message, "Subject"),
        text=_text(message)[:MAX_TEXT],
        automatic=_automatic(message, envelope_sender, sender),
        failures=tuple(_failures(message)),
        original_message_id=_original_message_id(message),
        message_id=_header(message, "Message-ID")[:300],
    )


def _original_message_id(message: Message) -> str:
    """The Message-ID of the message a report returns (its message/rfc822 or headers part)."""
    if message.get_content_type() != "multipart/report":
        return ""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            original = payload[0] if isinstance(payload, list) and payload else None
        elif kind == "text/rfc822-headers":
            raw = part.get_payload(decode=True)
            original = (
                email.message_from_bytes(raw, policy=policy.default)
                if isinstance(raw, bytes)
                else None
            )
        else:
            continue
        if isinstance(original, Message):
            return _header(original, "Message-ID")
    return ""


def _header(message: Message, name: str) -> str:
    # The stdlib's header parser raises many kinds of error on hostile input
    # ('From: .:' gives AttributeError in Python 3.11).
    try:
        return " ".join(str(message.get(name, "")).split())
    except (ValueError, IndexError, TypeError, AttributeError, MessageError):
        return ""


def _address(message: EmailMessage, envelope_sender: str) -> str:
    for candidate in (_header(message, "From"), envelope_sender):
        address = parseaddr(candidate)[1].strip().lower()
        if "@" in address:
            return address
    return ""


def _automatic(message: EmailMessage, envelope_sender: str, sender: str) -> bool:
    """Auto-replies, list traffic and bounces: RFC 3834 says never to answer them."""
    auto = _header(message, "Auto-Submitted").lower()
    precedence = _header(message, "Precedence").lower()
    return (
        (auto not in ("", "no"))
        or precedence in AUTOMATIC_PRECEDENCE
        or bool(_header(message, "List-Id"))
        or envelope_sender in ("<>",)
        or sender.startswith(("mailer-daemon@", "postmaster@", "noreply@", "no-reply@"))
    )


def _text(message: EmailMessage) -> str:
    try:
        body = message.get_body(preferencelist=("plain", "html"))
        content = body.get_content() if body is not None else ""
    except (LookupError, ValueError, AttributeError):
        return ""
    if not isinstance(content, str):
        return ""
    if body is not None and body.get_content_type() == "text/html":
        return _html_text(content)
    return content


_HIDDEN = re.compile(r"<(head|style|script)\b", re.IGNORECASE)
_BREAK = re.compile(r"<(br|/?p|/?div|/li|/tr|/h[1-6])\b[^<>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")  # [^<>]: stays linear on a body of unclosed '<'


def _html_text(markup: str) -> str:
    """The words of an HTML-only body, a line per block, so its first line can be a command."""
    markup = markup[: MAX_TEXT * 10]
    lower = markup.lower()
    kept: list[str] = []
    position = 0
    while (hidden := _HIDDEN.search(lower, position)) is not None:
        kept.append(markup[position : hidden.start()])
        end = lower.find(f"</{hidden.group(1).lower()}", hidden.end())
        position = len(markup) if end == -1 else end
    kept.append(markup[position:])
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", "".join(kept))))


def _failures(message: Message) -> list[FailedDelivery]:
    if message.get_content_type() != "multipart/report":
        return []
    found: list[FailedDelivery] = []
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            found.extend(
                _from_status(block)
                for block in _status_blocks(part)
                if _is_failure(block)
            )
    return found


def _status_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    return (
        [p for p in payload if isinstance(p, Message)]
        if isinstance(payload, list)
        else []
    )


def _is_failure(block: Message) -> bool:
    return (
        bool(block.get("Final-Recipient"))
        and str(block.get("Action", "")).strip().lower() == "failed"
    )


def _from_status(block: Message) -> FailedDelivery:
    recipient = (
        str(block.get("Final-Recipient", "")).split(";", 1)[-1].strip().strip("<>")
    )
    return FailedDelivery(
        recipient=recipient.lower(),
        status=str(block.get("Status", "5.0.0")).strip(),
        diagnostic=" ".join(str(block.get("Diagnostic-Code", "")).split())[:500],
    )
