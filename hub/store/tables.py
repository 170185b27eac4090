"""The audit and tracking store's tables (docs/design.md §7).

Events are keyed by (source, event id), as CloudEvents defines identity; deliveries hang off
them by that key, so the auditor can write a routing decision from the journal record alone.
Personal identifiers are kept exactly as the event carried them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

DELIVERY_STATES = ("routed", "received", "replied", "closed", "rejected")

# Deterministic constraint names keep later migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

UNIT = 64
EVENT_ID = 64
SOURCE = 96
HASH = 64


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; SQLite keeps no offset, so UTC is implied."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("the store keeps only times with a UTC offset")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, _dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime()}  # noqa: RUF012  (SQLAlchemy reads it as is)


class EventRow(Base):
    """One event as it came in; a duplicate (same source and id) only bumps the count."""

    __tablename__ = "events"
    __table_args__ = (Index(None, "type", "time"),)

    source: Mapped[str] = mapped_column(String(SOURCE), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(EVENT_ID), primary_key=True)
    type: Mapped[str] = mapped_column(String(128))
    subject: Mapped[str | None] = mapped_column(String(128))
    case_no: Mapped[str | None] = mapped_column(String(64), index=True)
    time: Mapped[datetime]
    received_at: Mapped[datetime]
    envelope: Mapped[dict[str, Any]] = mapped_column(JSON)
    signature: Mapped[str | None] = mapped_column(Text)
    signing_key: Mapped[str | None] = mapped_column(String(128))
    duplicate_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DeliveryRow(Base):
    """One copy of an event routed to one recipient, and how that recipient answered."""

    __tablename__ = "deliveries"
    __table_args__ = (
        ForeignKeyConstraint(["event_source", "event_id"], ["events.source", "events.event_id"]),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{state}'" for state in DELIVERY_STATES) + ")",
            name="status",
        ),
        Index(None, "recipient", "status"),
        Index(None, "status", "receipt_due"),
        Index(None, "status", "reply_due"),
        Index(None, "routed_at"),  # a month's scorecard
    )

    event_source: Mapped[str] = mapped_column(String(SOURCE), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(EVENT_ID), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(UNIT), primary_key=True)
    routed_at: Mapped[datetime]
    fields: Mapped[list[str]] = mapped_column(JSON)
    receipt_due: Mapped[datetime | None]
    reply_due: Mapped[datetime | None]
    receipt_at: Mapped[datetime | None]
    reply_event_id: Mapped[str | None] = mapped_column(String(EVENT_ID))
    replied_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="routed", server_default="routed")
    receipt_overdue_at: Mapped[datetime | None]
    reply_overdue_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    last_attempt_at: Mapped[datetime | None]
    """When the copy was last redelivered; None until it is (the first attempt is `routed_at`)."""
    calendar: Mapped[str | None] = mapped_column(String(16))
    """`official` or `provisional`: the calendar its deadlines were counted on (None: none was,
    or routed before the hub recorded it)."""

    # Declared so that a flush inserts events before their deliveries; never loaded implicitly.
    event: Mapped[EventRow] = relationship(lazy="raise")


class EventAttachmentRow(Base):
    """A document an event attaches by reference (`DocumentRef`), keyed by its digest: the
    document store (`hub.documents`) finds the events attaching a document here, and their
    deliveries say who may fetch it."""

    __tablename__ = "event_attachments"
    __table_args__ = (
        ForeignKeyConstraint(["event_source", "event_id"], ["events.source", "events.event_id"]),
    )

    sha256: Mapped[str] = mapped_column(String(HASH), primary_key=True)
    event_source: Mapped[str] = mapped_column(String(SOURCE), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(EVENT_ID), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    number: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(64))


class RejectionRow(Base):
    """A record the router refused; its Kafka position makes a replayed journal idempotent."""

    __tablename__ = "rejections"
    __table_args__ = (
        UniqueConstraint("topic", "kafka_partition", "kafka_offset"),
        Index(None, "code", "rejected_at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    code: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)
    field_paths: Mapped[list[str]] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(String(SOURCE), index=True)
    event_id: Mapped[str | None] = mapped_column(String(EVENT_ID))
    type: Mapped[str | None] = mapped_column(String(128))
    subject: Mapped[str | None] = mapped_column(String(128))
    case_no: Mapped[str | None] = mapped_column(String(64), index=True)
    """The canonical case number when the refused record's subject is one: `fyhub trace CASE`."""
    correlation_id: Mapped[str | None] = mapped_column(String(EVENT_ID))
    """On a refused receipt or reply: the id of the event it claimed to answer."""
    topic: Mapped[str] = mapped_column(String(255))
    kafka_partition: Mapped[int] = mapped_column(Integer)
    kafka_offset: Mapped[int] = mapped_column(BigInteger)
    rejected_at: Mapped[datetime]


class AuditLogRow(Base):
    """Append-only, hash-chained (see `hub.store.audit_chain`); `seq` is assigned on append."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str | None] = mapped_column(String(EVENT_ID), index=True)
    unit: Mapped[str | None] = mapped_column(String(UNIT))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(HASH))
    row_hash: Mapped[str] = mapped_column(String(HASH), unique=True)


class ProcessedRow(Base):
    """Keys a consumer has applied, written in the same transaction as the effect."""

    __tablename__ = "processed"

    consumer: Mapped[str] = mapped_column(String(128), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    processed_at: Mapped[datetime]


class LiaisonChangeRow(Base):
    """A routed `unit.liaison.changed.v1`: the history of the liaison officers units announced,
    in the order the hub routed them. Names and phones are kept as the event carried them."""

    __tablename__ = "liaison_changes"
    __table_args__ = (Index(None, "unit", "changed_at"),)

    event_source: Mapped[str] = mapped_column(String(SOURCE), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(EVENT_ID), primary_key=True)
    unit: Mapped[str] = mapped_column(String(UNIT))
    changed_at: Mapped[datetime]
    """When the hub routed the change (the journal entry's time)."""
    effective_on: Mapped[date]
    old: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The liaison replaced (name, post, phone); None when one is added."""
    new: Mapped[dict[str, Any]] = mapped_column(JSON)


class UnitLiaisonRow(Base):
    """Each liaison officer a received change named, by unit and name: `current` as announced
    (the registry's entry of that name is overridden), or `replaced` by a later change (the
    registry's entry of that name no longer applies). Units and names no change named are as
    the registry lists them."""

    __tablename__ = "unit_liaisons"
    __table_args__ = (CheckConstraint("state IN ('current', 'replaced')", name="state"),)

    unit: Mapped[str] = mapped_column(String(UNIT), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    post: Mapped[str] = mapped_column(String(500))
    phone: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    since: Mapped[date]
    """When the officer took office (`effective_on`); once replaced, when the successor did."""
    event_source: Mapped[str] = mapped_column(String(SOURCE))
    event_id: Mapped[str] = mapped_column(String(EVENT_ID))
    """The change that set this row."""
    changed_at: Mapped[datetime]


class UnreadableEntryRow(Base):
    """A journal entry the auditor could not apply and skipped: where it is in the journal, the
    SHA-256 of its bytes and why (field paths and error kinds, never values). The entry itself
    stays in the journal for whoever fixes the cause."""

    __tablename__ = "unreadable_entries"
    __table_args__ = (UniqueConstraint("journal_partition", "journal_offset"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    journal_partition: Mapped[int] = mapped_column(Integer)
    journal_offset: Mapped[int] = mapped_column(BigInteger)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(HASH))
    problems: Mapped[list[str]] = mapped_column(JSON)
    journal_at: Mapped[datetime]
    """The journal record's Kafka timestamp."""
    refusal: Mapped[str | None] = mapped_column(String(32))
    """Set for a record refused as untrusted (`hub.journal.trust.Refusal`): not sealed by the
    hub, or its event not signed by its unit; None for one that could not be read."""


CONSOLE_ROLES = ("office", "liaison")
TRACE_VIEW_OUTCOMES = ("shown", "not_found", "refused")
LOGIN = 64


class ConsoleAccountRow(Base):
    """Who may sign in to the office console: the office's staff see everything, a unit's
    liaison only what involves its unit. Only an Argon2 hash of the password is kept."""

    __tablename__ = "console_accounts"
    __table_args__ = (
        CheckConstraint(
            "role IN (" + ", ".join(f"'{role}'" for role in CONSOLE_ROLES) + ")", name="role"
        ),
        CheckConstraint(
            "(role = 'office' AND unit IS NULL) OR (role = 'liaison' AND unit IS NOT NULL)",
            name="unit",
        ),
    )

    login: Mapped[str] = mapped_column(String(LOGIN), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(UNIT))
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Failed sign-ins since the last success or lock."""
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    credentials_changed_at: Mapped[datetime]
    """The last password change, disabling or enabling: sessions signed in before it end."""


class ConsoleTraceViewRow(Base):
    """One look at a trace page in the console: who asked for which case or event, when, and
    whether it was shown (`not_found`: nothing known; `refused`: not of the liaison's unit)."""

    __tablename__ = "console_trace_views"
    __table_args__ = (
        CheckConstraint(
            "outcome IN (" + ", ".join(f"'{o}'" for o in TRACE_VIEW_OUTCOMES) + ")",
            name="outcome",
        ),
        Index(None, "viewed_at"),
        Index(None, "login", "viewed_at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    login: Mapped[str] = mapped_column(String(LOGIN))
    role: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(UNIT))
    query: Mapped[str] = mapped_column(String(255))
    """The case number or event id asked for, identifier-like runs masked."""
    case_no: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    viewed_at: Mapped[datetime]


CONSOLE_TABLES: Final = (ConsoleAccountRow.__tablename__, ConsoleTraceViewRow.__tablename__)
"""The console's own tables, the one exception to the auditor being the store's only writer: who
may sign in, and who looked at which trace. They hold no decision of the hub, so nothing in the
journal rebuilds them; back them up with the store (`fyhub replay` leaves them as they are)."""


# --- measure-expiry watch ---

MEASURE_STATES = ("requested", "in_force", "not_controlled", "released", "applied")


class MeasureRow(Base):
    """A routed control request that imposes, continues or releases a seal or freeze, and what
    its answer made of it (`hub.measures.book`): the seals and freezes `in_force` are what the
    tracker reminds the court of before they lapse. Nothing of the asset but its kind."""

    __tablename__ = "measures"
    __table_args__ = (
        CheckConstraint(
            "state IN (" + ", ".join(f"'{state}'" for state in MEASURE_STATES) + ")",
            name="state",
        ),
        Index(None, "state", "ends_on"),
        Index(None, "court", "case_no"),
    )

    event_source: Mapped[str] = mapped_column(String(SOURCE), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(EVENT_ID), primary_key=True)
    """The control request's id."""
    court: Mapped[str] = mapped_column(String(UNIT))
    unit: Mapped[str] = mapped_column(String(UNIT))
    """The unit holding the measure."""
    case_no: Mapped[str] = mapped_column(String(64))
    request_no: Mapped[str] = mapped_column(String(500))
    action: Mapped[str] = mapped_column(String(32))
    asset_kind: Mapped[str] = mapped_column(String(32))
    ends_on: Mapped[date | None]
    """The last day of the term, as registered (after any continuation)."""
    previous_request_no: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16))
    reminded_for_end: Mapped[date | None]
    """The end the court was last reminded of (`enforcement.control.expiring.v1`)."""
