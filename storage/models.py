"""SQLAlchemy 2 ORM models: every table termcoach keeps, portable between SQLite and PostgreSQL.

Times are stored as timezone-aware UTC (`UtcDateTime`), so SQLite and PostgreSQL read back the same
values. JSON columns use the generic `JSON` type (TEXT on SQLite, JSON on PostgreSQL).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite drops tzinfo otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store naive values as UTC and aware ones converted to UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read back as an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """Wall-clock UTC now, for server-side defaults only (the engine passes its own clock)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints predictably."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON(), date: Date()}  # noqa: RUF012


class Learner(Base):
    """A person learning: one per user per workspace per platform."""

    __tablename__ = "learners"
    __table_args__ = (UniqueConstraint("platform", "workspace", "user_id", name="uq_learner"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    workspace: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    new_per_day: Mapped[int] = mapped_column(Integer, default=5)
    quiz_mode: Mapped[str] = mapped_column(String(16), default="buttons")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Conversation(Base):
    """A chat's state: the running activity as JSON, guarded by a version for optimistic locking."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)
    platform: Mapped[str] = mapped_column(String(32))
    workspace: Mapped[str] = mapped_column(String(128))
    chat: Mapped[str] = mapped_column(String(128))
    thread: Mapped[str | None] = mapped_column(String(128))
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The last inbound message ids handled here: a redelivery is dropped by the same versioned
    # write that saves the turn, so deduplication costs no extra statement and holds across replicas.
    recent_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    pack_version: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ReviewCard(Base):
    """A learner's FSRS card for one term; FSRS fields are real columns."""

    __tablename__ = "review_cards"
    __table_args__ = (
        UniqueConstraint("learner_id", "term_id", name="uq_card"),
        Index("ix_review_cards_learner_due", "learner_id", "due"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    term_id: Mapped[str] = mapped_column(String(100))
    state: Mapped[int] = mapped_column(Integer, default=1)
    step: Mapped[int | None] = mapped_column(Integer, default=0)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime] = mapped_column(UtcDateTime())
    last_review: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ReviewLogRow(Base):
    """One FSRS review: the rating given to a card at a moment (UTC)."""

    __tablename__ = "review_logs"
    __table_args__ = (Index("ix_review_logs_learner_time", "learner_id", "reviewed_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    term_id: Mapped[str] = mapped_column(String(100))
    rating: Mapped[int] = mapped_column(Integer)
    reviewed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    duration_ms: Mapped[int | None] = mapped_column(Integer)


class QuizAttempt(Base):
    """An answer to one question; the unique question id makes a second answer a no-op."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (Index("ix_quiz_attempts_learner_time", "learner_id", "answered_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), unique=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    conversation_key: Mapped[str] = mapped_column(String(400))
    term_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    topics: Mapped[str] = mapped_column(String(400), default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    correct: Mapped[bool] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # "I don't know": rated Again, but no wrong guess, so accuracy leaves it out.
    skipped: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class TermSeen(Base):
    """A term card a learner has been shown (for "next unseen term" and progress)."""

    __tablename__ = "terms_seen"
    __table_args__ = (UniqueConstraint("learner_id", "term_id", name="uq_term_seen"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    term_id: Mapped[str] = mapped_column(String(100))
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RoleplaySession(Base):
    """A role-play: its transcript, feedback and rubric score."""

    __tablename__ = "roleplay_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    conversation_key: Mapped[str] = mapped_column(String(400))
    scenario_id: Mapped[str] = mapped_column(String(100))
    transcript: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    feedback: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ChatStatus(Base):
    """Platform-side state of a chat: blocked or gone (inactive) and migrations to a new id."""

    __tablename__ = "chat_status"
    __table_args__ = (UniqueConstraint("platform", "workspace", "chat", name="uq_chat_status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    workspace: Mapped[str] = mapped_column(String(128))
    chat: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    reason: Mapped[str | None] = mapped_column(String(300))
    migrated_to: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Subscription(Base):
    """A chat subscribed to the daily term: local time, timezone, days, and its walk of the pack."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("platform", "workspace", "chat", "thread_key", name="uq_subscription"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    workspace: Mapped[str] = mapped_column(String(128))
    chat: Mapped[str] = mapped_column(String(128))
    thread_key: Mapped[str] = mapped_column(String(128), default="")
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    local_time: Mapped[str] = mapped_column(String(5), default="09:00")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    weekdays_only: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    inactive_reason: Mapped[str | None] = mapped_column(String(300))
    order_seed: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Delivery(Base):
    """The daily delivery log: one row per subscription per local date, claimed before sending."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "local_date", name="uq_delivery"),
        Index("ix_deliveries_status_lease", "status", "lease_until"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    term_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="claimed")
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    lease_until: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    # The platform's id of the sent post, so its counts can be edited into it later.
    message_id: Mapped[str | None] = mapped_column(String(64))
    # When someone last said "I knew it" / "New to me", and when the counts were last edited in:
    # the post is edited at most once a minute, whichever replica handles the press.
    counted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class DailyResponse(Base):
    """One learner's answer to one daily post ("knew" or "new"): the post's counts are these."""

    __tablename__ = "daily_responses"
    __table_args__ = (UniqueConstraint("delivery_id", "learner_id", name="uq_daily_response"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    verb: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class SlackInstallation(Base):
    """A Slack workspace installation; the bot token is Fernet-encrypted at rest."""

    __tablename__ = "slack_installations"
    __table_args__ = (UniqueConstraint("enterprise_id", "team_id", name="uq_slack_installation"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(String(64), default="")
    team_id: Mapped[str] = mapped_column(String(64))
    team_name: Mapped[str | None] = mapped_column(String(200))
    bot_user_id: Mapped[str | None] = mapped_column(String(64))
    bot_id: Mapped[str | None] = mapped_column(String(64))
    bot_token_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    bot_scopes: Mapped[str] = mapped_column(Text, default="")
    installer_user_id: Mapped[str | None] = mapped_column(String(64))
    installed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class OAuthState(Base):
    """A one-time OAuth state value issued by /slack/install, consumed by the redirect."""

    __tablename__ = "oauth_states"

    state: Mapped[str] = mapped_column(String(200), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PlatformState(Base):
    """Small keyed records an adapter needs across restarts and replicas, with an expiry.

    A Telegram poll id maps to its chat and answer payloads, a long button payload to its short
    callback data, a sent question to its message: an update that reaches another replica, or
    arrives after a restart, finds them here instead of in one process's memory.
    """

    __tablename__ = "platform_state"
    __table_args__ = (
        UniqueConstraint("platform", "workspace", "kind", "key", name="uq_platform_state"),
        Index("ix_platform_state_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    workspace: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    value: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SavedPhrase(Base):
    """A sentence a learner kept from a debrief, reviewed like a term (card "phrase:<id>")."""

    __tablename__ = "saved_phrases"
    __table_args__ = (UniqueConstraint("learner_id", "text", name="uq_saved_phrase"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(400))
    source: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OutboxEntry(Base):
    """The replies of one turn, written in the turn's transaction and sent after it committed.

    A sender claims a row with a lease (`claimed_by`, `lease_until`), sends its replies in order,
    counts those delivered in `done`, and records the outcome; a row whose sender died is taken
    over once its lease ran out. `delivery` is the adapter's own, opaque context (where a reply
    goes, the pressed message); `ref` is the conversation as the engine saw it.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_lease", "status", "lease_until"),
        Index("ix_outbox_conversation", "conversation", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    conversation: Mapped[str] = mapped_column(String(400))
    message_id: Mapped[str | None] = mapped_column(String(120))
    ref: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    replies: Mapped[list[Any]] = mapped_column(JSON, default=list)
    delivery: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    done: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    error: Mapped[str | None] = mapped_column(Text)


class HealthProbe(Base):
    """One row per process, rewritten by `/readyz`: readiness is a real write, not a SELECT 1."""

    __tablename__ = "health_probes"

    worker: Mapped[str] = mapped_column(String(100), primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime())
