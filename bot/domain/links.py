"""Signed links in emails: confirm, unsubscribe, preferences, sign-in. No login needed, no guessing.

A token carries the member's id and a fingerprint of their address, signed with the secret
key and a salt per purpose, so a confirmation token cannot be used to unsubscribe, a token
stops working once the member is erased or re-joins under a new id, and any edit breaks it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from bot.errors import ExpiredLinkError, InvalidLinkError
from bot.store.tables import Member

DAY = 24 * 3600
MAX_AGE = {
    "confirm": 7 * DAY,
    "preferences": 400 * DAY,
    "unsubscribe": 400 * DAY,
    "login": 1800,
    "answer": 90 * DAY,
    "ticket": 400 * DAY,
    # the forum: a reply to an invitation, a poll vote, feedback after a session, and a
    # member's own page of sessions (questions in advance, places)
    "rsvp": 400 * DAY,
    "vote": 90 * DAY,
    "feedback": 90 * DAY,
    "forum": 400 * DAY,
    "click": 400 * DAY,  # a tracked link in list mail (only with click tracking on)
    # a survey or course evaluation to answer (survey id, respondent key, fingerprint)
    "survey": 120 * DAY,
}


def fingerprint(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Links:
    """Builds and reads the bot's signed links."""

    base_url: str
    secret: str

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt=f"forumbot:{purpose}")

    def token(self, purpose: str, payload: Any) -> str:
        return str(self._serializer(purpose).dumps(payload))

    def member_url(self, purpose: str, member: Member) -> str:
        """/confirm/..., /preferences/... or /unsubscribe/... for this member."""
        assert member.id is not None and member.email is not None
        token = self.token(purpose, [member.id, fingerprint(member.email)])
        return f"{self.base_url}/{purpose}/{token}"

    def read(self, purpose: str, token: str) -> Any:
        """The payload of a genuine, unexpired token.

        Raises:
            ExpiredLinkError: The token is genuine but older than its purpose allows.
            InvalidLinkError: The token was altered or made for another purpose.
        """
        try:
            return self._serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
        except SignatureExpired:
            raise ExpiredLinkError("This link has expired.") from None
        except BadSignature:
            raise InvalidLinkError(
                "This link is not valid. It may have been copied incompletely."
            ) from None

    def read_member(self, purpose: str, token: str) -> tuple[int, str]:
        """(member id, address fingerprint) from a member link.

        Raises:
            ExpiredLinkError, InvalidLinkError: As for `read`.
        """
        payload = self.read(purpose, token)
        if not (
            isinstance(payload, list)
            and len(payload) == 2
            and isinstance(payload[0], int)
        ):
            raise InvalidLinkError("This link is not valid.")
        return payload[0], str(payload[1])

    def item_url(
        self, purpose: str, member: Member, *items: int | str, path: str | None = None
    ) -> str:
        """A member's link about one thing: `/rsvp/TOKEN` for (session id, "yes"), say.

        The token carries the member (as in `member_url`) followed by `items`, so an edited
        session id or answer breaks the signature.
        """
        assert member.id is not None and member.email is not None
        token = self.token(purpose, [member.id, fingerprint(member.email), *items])
        return f"{self.base_url}/{path or purpose}/{token}"

    def read_item(
        self, purpose: str, token: str, count: int
    ) -> tuple[int, str, list[int | str]]:
        """(member id, address fingerprint, the `count` items) from an `item_url` token.

        Raises:
            ExpiredLinkError, InvalidLinkError: As for `read`; also when the items are not
                `count` ints or strings.
        """
        payload = self.read(purpose, token)
        if not (
            isinstance(payload, list)
            and len(payload) == 2 + count
            and isinstance(payload[0], int)
            and all(isinstance(item, int | str) for item in payload[1:])
        ):
            raise InvalidLinkError("This link is not valid.")
        return payload[0], str(payload[1]), list(payload[2:])
