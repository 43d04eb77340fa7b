"""SQLModel tables. Every timestamp is stored as UTC (see `UTCDateTime`)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, String, Text, UniqueConstraint
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
    receipt: str | None = Field(default=None, max_length=100)  # see Transport.deliver


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


# --- the Practitioner Forum: sessions, places, questions in advance, feedback, polls

SESSION_STATUSES = ("scheduled", "cancelled", "completed")
RSVP_STATUSES = ("invited", "attending", "waiting", "declined")


class ForumSession(SQLModel, table=True):
    """One forum meeting. Times are UTC here and shown in the partnership's time zone.

    `uid` is the iCalendar UID, stable for the session's life; `sequence` goes up with every
    change that attendees' calendars must take (time, place, cancellation). `agenda` holds
    the whole agenda as sent (the configured fixed items first), so a later change of
    configuration does not rewrite history.
    """

    __tablename__ = "forum_sessions"

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(sa_column=Column(String(200), unique=True, nullable=False))
    title: str = Field(max_length=200)
    topic: str | None = Field(default=None, max_length=200)
    description: str = Field(default="", sa_type=Text)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    join_url: str | None = Field(default=None, max_length=1000)
    capacity: int | None = None
    agenda: list[str] = Field(default_factory=list, sa_type=JSON)
    audience_topics: list[str] = Field(default_factory=list, sa_type=JSON)
    audience_organisations: list[str] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(default="scheduled", max_length=20, index=True)
    sequence: int = 0
    notes: str | None = Field(default=None, sa_type=Text)
    guests: int = 0
    slack_channel: str | None = Field(default=None, max_length=32)
    slack_ts: str | None = Field(default=None, max_length=32)
    created_by: str | None = Field(default=None, max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    invited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Rsvp(SQLModel, table=True):
    """A member's place at a session: invited, attending, waiting (in `responded_at` order)
    or declined; and, after the session, whether they attended."""

    __tablename__ = "rsvps"
    __table_args__ = (
        UniqueConstraint("session_id", "member_id", name="uq_rsvps_session_member"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(
        foreign_key="forum_sessions.id", index=True, ondelete="CASCADE"
    )
    member_id: int = Field(foreign_key="members.id", index=True, ondelete="CASCADE")
    status: str = Field(default="invited", max_length=20)
    channel: str | None = Field(default=None, max_length=20)
    invited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    invited_sequence: int | None = None
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attended: bool | None = None
    feedback_requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SessionQuestion(SQLModel, table=True):
    """A question sent in advance for a session's open Q&A. `member_id` is NULL when asked
    anonymously: nobody, the chair included, can tell who asked."""

    __tablename__ = "session_questions"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(
        foreign_key="forum_sessions.id", index=True, ondelete="CASCADE"
    )
    member_id: int | None = Field(
        default=None, foreign_key="members.id", ondelete="SET NULL"
    )
    text: str = Field(sa_type=Text)
    channel: str = Field(max_length=20)
    status: str = Field(default="open", max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SessionQuestionVote(SQLModel, table=True):
    """One member's upvote of one question; the primary key makes it count once."""

    __tablename__ = "session_question_votes"

    question_id: int = Field(
        foreign_key="session_questions.id", primary_key=True, ondelete="CASCADE"
    )
    member_id: int = Field(
        foreign_key="members.id", primary_key=True, ondelete="CASCADE"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SessionFeedback(SQLModel, table=True):
    """An attendee's rating (1-5) and comment after a session; one per member, changeable."""

    __tablename__ = "session_feedback"
    __table_args__ = (
        UniqueConstraint(
            "session_id", "member_id", name="uq_session_feedback_session_member"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(
        foreign_key="forum_sessions.id", index=True, ondelete="CASCADE"
    )
    member_id: int | None = Field(
        default=None, foreign_key="members.id", ondelete="SET NULL"
    )
    rating: int
    comment: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


POLL_STATUSES = ("open", "closed")


class Poll(SQLModel, table=True):
    """A poll of members. `options` are the choices' labels in order; votes refer to their
    positions. Once `closes_at` has passed no vote is taken, whether or not the closing job
    has run yet."""

    __tablename__ = "polls"

    id: int | None = Field(default=None, primary_key=True)
    question: str = Field(max_length=500)
    options: list[str] = Field(default_factory=list, sa_type=JSON)
    multiple: bool = False
    anonymous: bool = True
    status: str = Field(default="open", max_length=20, index=True)
    closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    created_by: str | None = Field(default=None, max_length=320)
    slack_channel: str | None = Field(default=None, max_length=32)
    slack_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PollVote(SQLModel, table=True):
    """A member's current choice in a poll; the primary key makes it one vote per member."""

    __tablename__ = "poll_votes"

    poll_id: int = Field(foreign_key="polls.id", primary_key=True, ondelete="CASCADE")
    member_id: int = Field(
        foreign_key="members.id", primary_key=True, ondelete="CASCADE"
    )
    choices: list[int] = Field(default_factory=list, sa_type=JSON)
    channel: str | None = Field(default=None, max_length=20)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- learning briefings, feeds and the newsletter

BRIEFING_KINDS = ("learning_lessons", "audit", "bulletin", "practice_update")
BRIEFING_STATUSES = ("draft", "approved", "published", "withdrawn")


class Briefing(SQLModel, table=True):
    """A learning briefing in the partnership's house style, authored as Markdown.

    `source_path` and `digest` are set for briefings read from the content folder, so a
    re-import skips unchanged files; web-authored ones have neither. Publishing happens
    once: `published_at` is set in the same transaction that queues the messages.
    """

    __tablename__ = "briefings"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=Column(String(200), unique=True, nullable=False))
    kind: str = Field(max_length=30, index=True)
    title: str = Field(max_length=300)
    summary: str = Field(default="", sa_type=Text)
    body: str = Field(default="", sa_type=Text)  # Markdown
    report_url: str | None = Field(default=None, max_length=1000)
    webinar_url: str | None = Field(default=None, max_length=1000)
    topics: list[str] = Field(default_factory=list, sa_type=JSON)
    source_path: str | None = Field(default=None, max_length=1000, unique=True)
    digest: str | None = Field(default=None, max_length=64)
    status: str = Field(default="draft", max_length=20, index=True)
    created_by: str | None = Field(default=None, max_length=320)
    edited_by: str | None = Field(default=None, max_length=320)  # who last wrote it
    approved_by: str | None = Field(default=None, max_length=320)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Feed(SQLModel, table=True):
    """An RSS or Atom feed the bot follows, with the validators for conditional requests."""

    __tablename__ = "feeds"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    url: str = Field(sa_column=Column(String(1000), unique=True, nullable=False))
    active: bool = True
    etag: str | None = Field(default=None, max_length=500)
    last_modified: str | None = Field(default=None, max_length=100)
    last_polled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FeedItem(SQLModel, table=True):
    """One entry of a feed, stored once (by its id, else its link). `chosen` marks it for
    the next newsletter; `newsletter_id` records the issue that carried it."""

    __tablename__ = "feed_items"
    __table_args__ = (
        UniqueConstraint("feed_id", "guid", name="uq_feed_items_feed_guid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    feed_id: int = Field(foreign_key="feeds.id", index=True, ondelete="CASCADE")
    guid: str = Field(max_length=1000)
    title: str = Field(max_length=500)
    link: str | None = Field(default=None, max_length=1000)
    summary: str = Field(default="", sa_type=Text)  # plain text, tags stripped
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    fetched_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    chosen: bool = False
    newsletter_id: int | None = Field(default=None, index=True)


NEWSLETTER_STATUSES = ("draft", "scheduled", "sending", "sent")


class Newsletter(SQLModel, table=True):
    """One issue of the newsletter. Its content is fixed when sending starts (`content`,
    the composed digest as JSON), so a resumed send gives everyone the same issue; each
    member's copy is keyed `{campaign}:member:{id}` in the outbox, so none goes twice."""

    __tablename__ = "newsletters"

    id: int | None = Field(default=None, primary_key=True)
    campaign: str = Field(sa_column=Column(String(200), unique=True, nullable=False))
    title: str = Field(max_length=300)
    chair_note: str | None = Field(default=None, sa_type=Text)
    period_start: datetime = Field(sa_type=UTCDateTime)
    period_end: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="draft", max_length=20, index=True)
    content: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    scheduled_for: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recipients: int = 0


class Unsubscribe(SQLModel, table=True):
    """Which campaign's email a member unsubscribed from, for the campaign report. Holds no
    member id: the count is what the report needs."""

    __tablename__ = "unsubscribes"

    id: int | None = Field(default=None, primary_key=True)
    campaign: str = Field(max_length=200, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Click(SQLModel, table=True):
    """A click on a tracked link (only when click tracking is switched on). Counts per
    campaign and link; no member id, address or IP is kept."""

    __tablename__ = "clicks"

    id: int | None = Field(default=None, primary_key=True)
    campaign: str = Field(max_length=200, index=True)
    url: str = Field(max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- training and surveys


class Course(SQLModel, table=True):
    """A multi-agency training course; its runs are `TrainingEvent`s."""

    __tablename__ = "courses"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_column=Column(String(300), unique=True, nullable=False))
    description: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TrainingEvent(SQLModel, table=True):
    """One run of a course: when, who trains, places offered. `ref` is the booking
    system's id for the event, so a re-imported CSV updates instead of duplicating."""

    __tablename__ = "training_events"

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="courses.id", index=True, ondelete="CASCADE")
    ref: str | None = Field(default=None, max_length=100, unique=True)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    trainer: str | None = Field(default=None, max_length=200)
    places: int = 0
    location: str | None = Field(default=None, max_length=300)
    status: str = Field(default="scheduled", max_length=20)
    evaluation_survey_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Booking(SQLModel, table=True):
    """A delegate's place on an event. Delegates need not be forum members: `member_id` is
    set when the address belongs to one. `attended` is None until attendance is known."""

    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("event_id", "email", name="uq_bookings_event_email"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(
        foreign_key="training_events.id", index=True, ondelete="CASCADE"
    )
    email: str = Field(max_length=254, index=True)
    name: str | None = Field(default=None, max_length=100)
    organisation: str | None = Field(default=None, max_length=150)
    member_id: int | None = Field(
        default=None, foreign_key="members.id", ondelete="SET NULL"
    )
    status: str = Field(default="booked", max_length=20)  # booked, cancelled
    attended: bool | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


SURVEY_STATUSES = ("draft", "open", "closed")


class Survey(SQLModel, table=True):
    """A survey or a course evaluation. `definition` holds the questions (validated on
    import: see bot.domain.surveys); `audience` says who is asked."""

    __tablename__ = "surveys"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=Column(String(200), unique=True, nullable=False))
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_type=Text)
    kind: str = Field(default="survey", max_length=20)  # survey, evaluation
    anonymous: bool = True
    definition: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    audience: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: str = Field(default="draft", max_length=20, index=True)
    opens_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminder_days: list[int] = Field(default_factory=list, sa_type=JSON)
    event_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SurveyInvitation(SQLModel, table=True):
    """Who was asked, and only whether they have answered (for reminders).

    `respondent` is "member:ID" or "booking:ID". For an anonymous survey nothing links this
    mark to the answers: no time is kept (`answered_at` stays NULL), and responses carry no
    respondent, no time and a random id.
    """

    __tablename__ = "survey_invitations"
    __table_args__ = (
        UniqueConstraint(
            "survey_id", "respondent", name="uq_survey_invitations_respondent"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="surveys.id", index=True, ondelete="CASCADE")
    respondent: str = Field(max_length=50)
    invited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered: bool = False
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SurveyResponse(SQLModel, table=True):
    """One set of answers. For anonymous surveys `respondent` and `submitted_at` are NULL
    and `id` is random, so neither order nor time can tie it to an invitation."""

    __tablename__ = "survey_responses"
    # One response per named respondent (NULLs, the anonymous ones, never collide). On
    # SQLite the table has no rowid: rows are kept in the order of their random id, so no
    # hidden counter records the order answers arrived (PostgreSQL: see surveys.responding).
    __table_args__ = (
        UniqueConstraint(
            "survey_id", "respondent", name="uq_survey_responses_respondent"
        ),
        {"sqlite_with_rowid": False},
    )

    id: str = Field(primary_key=True, max_length=32)  # uuid4().hex
    survey_id: int = Field(foreign_key="surveys.id", index=True, ondelete="CASCADE")
    respondent: str | None = Field(default=None, max_length=50, index=True)
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
