"""SQLModel tables. Every timestamp is stored as UTC (see `UTCDateTime`)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend.

    SQLite has no time zones: SQLAlchemy stores naive text there, and comparisons in SQL only
    work when every value is in one zone. We store naive UTC and hand back aware UTC.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class OutboxMessage(SQLModel, table=True):
    """One message to one recipient on one channel, written before anything is sent.

    `idempotency_key` is unique: enqueueing the same logical message twice (a job retried,
    a double click) stores it once. `status` moves pending -> sending -> sent, or to failed
    (permanent) or cancelled; a `sending` row whose lease has expired belongs to a worker that
    died and is claimed again.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(
        sa_column=Column(String(255), unique=True, nullable=False)
    )
    channel: str = Field(max_length=20)
    recipient: str = Field(max_length=320, index=True)
    campaign: str | None = Field(default=None, max_length=200, index=True)
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Bounce(SQLModel, table=True):
    """A permanent delivery failure recorded against a recipient (a hard bounce)."""

    __tablename__ = "bounces"

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=320, index=True)
    outbox_id: int | None = Field(default=None, index=True)
    code: int | None = None
    reason: str = Field(max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Lease(SQLModel, table=True):
    """A named, expiring lock held by one process (the scheduler's leader, say)."""

    __tablename__ = "leases"

    name: str = Field(primary_key=True, max_length=100)
    holder: str = Field(max_length=200)
    expires_at: datetime = Field(sa_type=UTCDateTime)


MEMBER_STATUSES = ("pending", "active", "unsubscribed", "bounced", "erased")


class Member(SQLModel, table=True):
    """A forum member or newsletter subscriber.

    `email` is stored normalised (trimmed, lower-case) and is unique; it is NULL once the
    member is erased, when every personal field is cleared and only the row's dates and status
    remain, for anonymous counts.
    """

    __tablename__ = "members"

    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, max_length=254, unique=True)
    name: str | None = Field(default=None, max_length=100)
    organisation: str | None = Field(default=None, max_length=150, index=True)
    role: str | None = Field(default=None, max_length=100)
    sector: str | None = Field(default=None, max_length=50)
    topics: list[str] = Field(default_factory=list, sa_type=JSON)
    channels: list[str] = Field(default_factory=lambda: ["email"], sa_type=JSON)
    slack_user_id: str | None = Field(default=None, max_length=32, index=True)
    status: str = Field(default="pending", max_length=20, index=True)
    consent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    consent_method: str | None = Field(default=None, max_length=50)
    consent_wording: str | None = Field(default=None, max_length=1000)
    bounce_count: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    left_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UsedToken(SQLModel, table=True):
    """Single-use links (admin sign-in) already spent, by a digest of the token."""

    __tablename__ = "used_tokens"

    digest: str = Field(primary_key=True, max_length=64)
    used_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class KbDocument(SQLModel, table=True):
    """A document in the knowledge base: where it came from, and a digest to skip unchanged files."""

    __tablename__ = "kb_documents"

    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(sa_column=Column(String(1000), unique=True, nullable=False))
    name: str = Field(max_length=255)
    title: str = Field(max_length=300)
    source_url: str | None = Field(default=None, max_length=1000)
    owner: str | None = Field(default=None, max_length=200)
    review_date: str | None = Field(default=None, max_length=20)
    digest: str = Field(max_length=64)
    ingested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class KbPassage(SQLModel, table=True):
    """A passage of a document: the unit retrieval finds and answers quote."""

    __tablename__ = "kb_passages"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(
        foreign_key="kb_documents.id", index=True, ondelete="CASCADE"
    )
    section: str = Field(max_length=300)
    position: int
    text: str = Field(sa_type=Text)


class Question(SQLModel, table=True):
    """A question someone asked, redacted, with the reply's kind and their feedback.

    Feeds the report of unanswered and unhelpful questions; holds no identifying details
    (see bot.domain.knowledge.privacy).
    """

    __tablename__ = "questions"

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    text: str = Field(sa_type=Text)
    kind: str = Field(max_length=20, index=True)
    top_score: float = 0.0
    helpful: bool | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Ticket(SQLModel, table=True):
    """A question handed to the business support team, and their answer.

    `reply_to` says where the answer goes: an email address, a Slack user or channel id,
    or nothing for the web (the asker keeps a signed link to the ticket page).
    """

    __tablename__ = "tickets"

    id: int | None = Field(default=None, primary_key=True)
    question_id: int | None = Field(default=None, foreign_key="questions.id")
    channel: str = Field(max_length=20)
    reply_to: str | None = Field(default=None, max_length=320)
    text: str = Field(sa_type=Text)
    status: str = Field(default="open", max_length=20, index=True)
    answer: str | None = Field(default=None, sa_type=Text)
    answered_by: str | None = Field(default=None, max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
