"""The court's case database, as far as the hub sees it: what the court files, what it exports,
and what comes back.

Three kinds of table:

- **business rows** the court's own system writes: cases (the parsed 案号, court, cause, filing
  date, judge or enforcement officer), parties, enforcement requests, dishonest-debtor listings
  and their corrections, bankruptcy cases and rulings, administrative cases and hearings, judicial
  suggestions;
- **exports**, the court's outbox: one row per event to publish, written in the same transaction
  as the business row it announces. The connector drains it in `id` order. Each export row
  carries the event id its event will have, fixed when the row is written, so publishing the same
  row twice (a crash between publishing and marking it exported) queues one event;
- **answers** from the units: `answers` is the ledger, keyed by the answer's event id, so an
  answer delivered twice is written back once; the family tables hang off it (asset findings,
  control results, sanction measures, claims, deregistrations, defences, appearance reports,
  suggestion replies). `hub_notices` keeps the hub's receipts, rejections and overdue notices.

Answers refer to what they answer by the court's own numbers (request_no, listing_id, case_no,
suggestion_no) and by `correlationid` (the export's event id), not by foreign key: an answer is
recorded even when it names a request this database does not know, so nothing is dropped.

SQLAlchemy Core, portable: SQLite (the default, one file) and PostgreSQL.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    inspect,
)
from sqlalchemy import text as text_clause
from sqlalchemy.types import TypeDecorator

from schemas.dates import CHINA_TIME

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# Deterministic constraint names: the same schema on SQLite and PostgreSQL.
metadata: Final = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

NAME: Final = 100
SHORT: Final = 500
EVENT_ID: Final = 64
UNIT: Final = 64
CASE_NO: Final = 64
EXPORT_STATES: Final = ("pending", "exported", "refused")
"""pending: not yet handed to the SDK; exported: in the SDK's durable outbox; refused: the
SDK's check (the hub's own parser) refused it, `problem` says why (field paths only)."""
NOTICE_KINDS: Final = ("receipt", "rejected", "overdue")


class ChinaDateTime(TypeDecorator[datetime]):
    """Aware datetimes in; aware datetimes at +08:00 out (SQLite keeps no offset: UTC inside)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("the court database keeps only times with a UTC offset")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, _dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
        return aware.astimezone(CHINA_TIME)


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True, autoincrement=True)


def _answer_key() -> Column[str]:
    return Column(
        "answer_event_id",
        String(EVENT_ID),
        ForeignKey("answers.answer_event_id"),
        nullable=False,
    )


# --- business rows ---------------------------------------------------------------------------

cases: Final = Table(
    "cases",
    metadata,
    _id(),
    Column("case_no", String(CASE_NO), nullable=False, unique=True),
    Column("year", Integer, nullable=False),
    Column("court_code", String(16), nullable=False),
    Column("type_code", String(8), nullable=False),
    Column("number", Integer, nullable=False),
    Column("court", String(NAME), nullable=False),
    Column("cause", String(SHORT)),
    Column("filed_on", Date),
    Column("judge", String(NAME), comment="承办法官 / 执行员."),
    Column("judge_work_id", String(SHORT)),
    Column("created_at", ChinaDateTime, nullable=False),
)

parties: Final = Table(
    "parties",
    metadata,
    _id(),
    Column("case_id", ForeignKey("cases.id"), nullable=False),
    Column("role", String(16), nullable=False),
    Column(
        "kind",
        String(16),
        comment="natural / legal; unknown for a subject identified by an `other` document.",
    ),
    Column("name", String(NAME), nullable=False),
    Column("id_type", String(16), nullable=False),
    Column(
        "id_no",
        String(64),
        nullable=False,
        comment="Resident ID number, USCC, organisation code or passport number, as filed.",
    ),
    Column("legal_rep", String(NAME)),
    UniqueConstraint("case_id", "role", "id_type", "id_no"),
    CheckConstraint("role IN ('debtor', 'plaintiff')", name="role"),
)

enforcement_requests: Final = Table(
    "enforcement_requests",
    metadata,
    _id(),
    Column("request_no", String(SHORT), nullable=False, unique=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column(
        "to_units",
        String(SHORT),
        nullable=False,
        comment="Space-separated unit codes the request is addressed to.",
    ),
    Column("officer_name", String(NAME), nullable=False),
    Column("officer_work_id", String(SHORT), nullable=False),
    Column("categories", JSON, comment="Query: the asset categories asked about."),
    Column("action", String(32)),
    Column("asset_kind", String(32)),
    Column("asset_description", String(SHORT)),
    Column("asset_identifier", String(SHORT)),
    Column("asset_owner_id", ForeignKey("parties.id")),
    Column("ruling_no", String(SHORT)),
    Column("previous_request_no", String(SHORT)),
    Column("amount", BigInteger),
    Column("start_on", Date),
    Column("end_on", Date),
    Column("reply_by", Date),
    Column("requested_at", ChinaDateTime, nullable=False),
    Column("attachments", JSON, comment="The documents served with it (DocumentRef, by digest)."),
    CheckConstraint("kind IN ('query', 'control')", name="kind"),
)

request_subjects: Final = Table(
    "request_subjects",
    metadata,
    Column("request_id", ForeignKey("enforcement_requests.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("party_id", ForeignKey("parties.id"), nullable=False),
)

listings: Final = Table(
    "listings",
    metadata,
    _id(),
    Column("listing_id", String(SHORT), nullable=False, unique=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False),
    Column("debtor_id", ForeignKey("parties.id"), nullable=False),
    Column("decision_no", String(SHORT)),
    Column("basis_issuer", String(NAME), nullable=False),
    Column("basis_doc_no", String(SHORT), nullable=False),
    Column("duty", Text, nullable=False),
    Column("performance", String(32), nullable=False),
    Column("performed", BigInteger),
    Column("conduct", JSON, nullable=False),
    Column("listed_on", Date, nullable=False),
    Column("period_end", Date),
    Column("status", String(16), nullable=False, default="listed"),
    Column("delisted_on", Date),
    Column("delisting_ground", String(16)),
    Column("delisting_reason", Text),
    CheckConstraint("status IN ('listed', 'delisted')", name="status"),
)

listing_corrections: Final = Table(
    "listing_corrections",
    metadata,
    _id(),
    Column("listing_ref", ForeignKey("listings.id"), nullable=False),
    Column("corrected_on", Date, nullable=False),
    Column(
        "changes",
        JSON,
        nullable=False,
        comment="The corrected fields with their new values, as published.",
    ),
    Column("reason", Text, nullable=False),
)

bankruptcy_cases: Final = Table(
    "bankruptcy_cases",
    metadata,
    _id(),
    Column("case_id", ForeignKey("cases.id"), nullable=False, unique=True),
    Column("debtor_name", String(NAME), nullable=False),
    Column("debtor_uscc", String(18), nullable=False),
    Column("procedure", String(32), nullable=False),
    Column("accepted_on", Date, nullable=False),
    Column("announced_on", Date),
    Column("administrator_name", String(NAME), nullable=False),
    Column("administrator_address", String(SHORT)),
    Column("administrator_phone", String(32)),
    Column("claims_deadline", Date, nullable=False),
    Column("first_meeting_at", ChinaDateTime, nullable=False),
)

bankruptcy_rulings: Final = Table(
    "bankruptcy_rulings",
    metadata,
    _id(),
    Column("bankruptcy_id", ForeignKey("bankruptcy_cases.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("ruled_on", Date, nullable=False),
    Column("ruling_no", String(SHORT), nullable=False),
    Column("ground", String(32), comment="Termination only."),
    CheckConstraint("kind IN ('declared', 'reorganization_approved', 'terminated')", name="kind"),
)

admin_cases: Final = Table(
    "admin_cases",
    metadata,
    _id(),
    Column("case_id", ForeignKey("cases.id"), nullable=False, unique=True),
    Column("plaintiff_id", ForeignKey("parties.id"), nullable=False),
    Column("defendant_unit", String(UNIT), nullable=False),
    Column("defendant_name", String(NAME), nullable=False),
    Column("claims", Text),
    Column("outcome", String(32)),
    Column("judged_on", Date),
    Column("head_appeared", Boolean),
    Column("document_no", String(SHORT)),
    Column("attachments", JSON, comment="The documents served on the defendant (by digest)."),
)

hearings: Final = Table(
    "hearings",
    metadata,
    _id(),
    Column("admin_case_id", ForeignKey("admin_cases.id"), nullable=False),
    Column("noticed_on", Date, nullable=False),
    Column("hearing_at", ChinaDateTime, nullable=False),
    Column("place", String(SHORT), nullable=False),
    Column("head_required", Boolean, nullable=False),
)

judicial_suggestions: Final = Table(
    "judicial_suggestions",
    metadata,
    _id(),
    Column("suggestion_no", String(SHORT), nullable=False, unique=True),
    Column("court", String(NAME), nullable=False),
    Column("case_id", ForeignKey("cases.id")),
    Column("recipient_unit", String(UNIT), nullable=False),
    Column("recipient_name", String(NAME), nullable=False),
    Column("title", String(SHORT), nullable=False),
    Column("problems", JSON, nullable=False),
    Column("suggestions", JSON, nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("reply_by", Date, nullable=False),
    Column("attachments", JSON, comment="The suggestion's documents (by digest)."),
)

# --- the court's outbox ------------------------------------------------------------------------

exports: Final = Table(
    "exports",
    metadata,
    _id(),
    Column("event_id", String(EVENT_ID), nullable=False, unique=True),
    Column("event_type", String(128), nullable=False),
    Column(
        "ref_id",
        Integer,
        nullable=False,
        comment="Row id of the business row the event announces, in the table its type reads.",
    ),
    Column("to_units", String(SHORT)),
    Column("status", String(16), nullable=False, default="pending"),
    Column("created_at", ChinaDateTime, nullable=False),
    Column("exported_at", ChinaDateTime),
    Column("problem", Text),
    CheckConstraint(f"status IN {EXPORT_STATES!r}", name="status"),
    Index(None, "status", "id"),
)

# --- what came back ----------------------------------------------------------------------------

answers: Final = Table(
    "answers",
    metadata,
    Column("answer_event_id", String(EVENT_ID), primary_key=True),
    Column("type", String(128), nullable=False),
    Column("sender", String(UNIT)),
    Column(
        "correlationid", String(EVENT_ID), comment="The export's event id this answer replies to."
    ),
    Column("subject", String(SHORT), nullable=False),
    Column("received_at", ChinaDateTime, nullable=False),
    Index(None, "correlationid"),
)

enforcement_answers: Final = Table(
    "enforcement_answers",
    metadata,
    Column("answer_event_id", ForeignKey("answers.answer_event_id"), primary_key=True),
    Column("request_no", String(SHORT), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("answered_on", Date, nullable=False),
    Column("result", String(32), comment="Control: controlled / not_controlled."),
    Column("reason", String(SHORT)),
    Column("registration_no", String(SHORT)),
    Column("amount", BigInteger),
    Column("start_on", Date),
    Column("end_on", Date),
    Column("note", Text),
)

asset_findings: Final = Table(
    "asset_findings",
    metadata,
    _id(),
    _answer_key(),
    Column("subject_name", String(NAME), nullable=False),
    Column("subject_id_type", String(16), nullable=False),
    Column("subject_id_no", String(64), nullable=False),
    Column("found", Boolean, nullable=False),
    Column("category", String(32)),
    Column("description", String(SHORT)),
    Column("identifier", String(SHORT)),
    Column("value", BigInteger),
    Column("encumbrances", Text),
)

sanction_measures: Final = Table(
    "sanction_measures",
    metadata,
    _id(),
    _answer_key(),
    Column("listing_id", String(SHORT), nullable=False, index=True),
    Column("memo_article", Integer, nullable=False),
    Column("measure", String(SHORT), nullable=False),
    Column("action", String(16), nullable=False),
    Column("applied_at", ChinaDateTime, nullable=False),
    Column("result", Text, nullable=False),
)

no_measure_reports: Final = Table(
    "no_measure_reports",
    metadata,
    _id(),
    _answer_key(),
    Column("listing_id", String(SHORT), nullable=False, index=True),
    Column("reason", String(32), nullable=False),
    Column("detail", Text, nullable=False),
)
"""A unit's answer that no measure applies to a listing, with its reason (`no_measure`)."""

bankruptcy_claims: Final = Table(
    "bankruptcy_claims",
    metadata,
    Column("answer_event_id", ForeignKey("answers.answer_event_id"), primary_key=True),
    Column("case_no", String(CASE_NO), nullable=False, index=True),
    Column("creditor", String(NAME), nullable=False),
    Column("computed_to", Date, nullable=False),
    Column("declared_on", Date, nullable=False),
    Column("items", JSON, nullable=False),
    Column("total", BigInteger, nullable=False),
)

deregistrations: Final = Table(
    "deregistrations",
    metadata,
    Column("answer_event_id", ForeignKey("answers.answer_event_id"), primary_key=True),
    Column("case_no", String(CASE_NO), nullable=False, index=True),
    Column("debtor_uscc", String(18), nullable=False),
    Column("authority", String(NAME), nullable=False),
    Column("terminated_on", Date),
    Column("deregistered_on", Date, nullable=False),
)

admin_defences: Final = Table(
    "admin_defences",
    metadata,
    Column("answer_event_id", ForeignKey("answers.answer_event_id"), primary_key=True),
    Column("case_no", String(CASE_NO), nullable=False, index=True),
    Column("submitted_on", Date, nullable=False),
    Column("documents", JSON, nullable=False),
)

appearance_reports: Final = Table(
    "appearance_reports",
    metadata,
    Column("answer_event_id", ForeignKey("answers.answer_event_id"), primary_key=True),
    Column("case_no", String(CASE_NO), nullable=False, index=True),
    Column("hearing_at", ChinaDateTime, nullable=False),
    Column("head_appears", Boolean, nullable=False),
    Column("head_name", String(NAME)),
    Column("head_post", String(SHORT)),
    Column("head_principal", Boolean),
    Column("reason", String(32)),
    Column("reason_detail", Text),
    Column("staff", JSON, nullable=False),
)

suggestion_replies: Final = Table(
    "suggestion_replies",
    metadata,
    Column("answer_event_id", ForeignKey("answers.answer_event_id"), primary_key=True),
    Column("suggestion_no", String(SHORT), nullable=False, index=True),
    Column("replied_on", Date, nullable=False),
    Column("measures", JSON, nullable=False),
    Column("summary", Text),
)

hub_notices: Final = Table(
    "hub_notices",
    metadata,
    Column("notice_event_id", String(EVENT_ID), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column(
        "about_event_id",
        String(EVENT_ID),
        comment=(
            "Receipt: the event received; rejection: the refused event (if readable); "
            "overdue: the event whose receipt or reply is late."
        ),
    ),
    Column(
        "unit",
        String(UNIT),
        comment="Receipt: the unit that received; overdue: the unit that is late.",
    ),
    Column("code", String(32)),
    Column("detail", Text),
    Column("stage", String(16)),
    Column("due", ChinaDateTime),
    Column("received_at", ChinaDateTime, nullable=False),
    CheckConstraint(f"kind IN {NOTICE_KINDS!r}", name="kind"),
    Index(None, "about_event_id"),
)


def now() -> datetime:
    return datetime.now(CHINA_TIME)


async def queue_export(
    connection: AsyncConnection,
    event_type: str,
    ref_id: object,
    to_units: str | None,
    *,
    event_id: str | None = None,
) -> str:
    """Queue the event announcing row `ref_id` (of the table `event_type` reads) on the caller's
    transaction; its id is fixed here (or by `event_id`), so publishing the row again after a
    crash queues the same event, which the SDK outbox ignores. `ref_id` is the inserted row's
    primary key as the driver returned it, checked here once for every caller."""
    if not isinstance(ref_id, int):
        raise TypeError(f"{event_type}: the database returned no row id")
    event_id = event_id or str(uuid.uuid4())
    await connection.execute(
        insert(exports).values(
            event_id=event_id,
            event_type=event_type,
            ref_id=ref_id,
            to_units=to_units,
            status="pending",
            created_at=now(),
        )
    )
    return event_id


async def create_court_schema(engine: AsyncEngine) -> None:
    """Create the court database's tables that do not exist yet, and add to the tables that do
    the optional columns a later version of the connector reads (`missing_columns`)."""
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.run_sync(_add_missing_columns)


def missing_columns(connection: Connection) -> list[Column[Any]]:
    """The columns of existing tables that the database lacks. The court database has no
    migrations: the connector's tables only ever gain nullable columns, which an ALTER TABLE
    adds in place (a required column would be a new table)."""
    inspector = inspect(connection)
    present = set(inspector.get_table_names())
    missing: list[Column[Any]] = []
    for table in metadata.sorted_tables:
        if table.name not in present:
            continue
        known = {column["name"] for column in inspector.get_columns(table.name)}
        missing.extend(column for column in table.columns if column.name not in known)
    return missing


def _add_missing_columns(connection: Connection) -> None:
    for column in missing_columns(connection):
        if not column.nullable:
            raise RuntimeError(
                f"{column.table.name}.{column.name} is required; it needs a new table"
            )
        kind = column.type.compile(dialect=connection.dialect)
        name = connection.dialect.identifier_preparer.quote(column.name)
        table = connection.dialect.identifier_preparer.quote(column.table.name)
        connection.execute(text_clause(f"ALTER TABLE {table} ADD COLUMN {name} {kind}"))


# --- notices (通报) ---------------------------------------------------------------------------
# A notice is a document the court drafts whole (no case rows to assemble it from), so the row
# keeps the payload as the court wrote it; the answers keep theirs beside the ledger row.

court_notices: Final = Table(
    "court_notices",
    metadata,
    _id(),
    Column("event_type", String(128), nullable=False),
    Column("reference", String(SHORT), nullable=False, index=True),
    Column("payload", JSON, nullable=False),
    Column("to_units", String(SHORT), nullable=False),
    Column("created_at", ChinaDateTime, nullable=False),
)

notice_answers: Final = Table(
    "notice_answers",
    metadata,
    Column("answer_event_id", ForeignKey("answers.answer_event_id"), primary_key=True),
    Column("type", String(128), nullable=False),
    Column("reference", String(SHORT), nullable=False, index=True),
    Column("payload", JSON, nullable=False),
)

# --- key enterprises (涉企审慎执行) -------------------------------------------------------------
# The office's list arrives as events and is kept as they came (one row per listing or
# delisting); a control request on a listed enterprise's operating asset waits in `held_requests`
# until the office has advised or the planned day has passed, and only then gets its export row.

key_enterprise_entries: Final = Table(
    "key_enterprise_entries",
    metadata,
    Column("event_id", String(EVENT_ID), primary_key=True),
    Column("type", String(128), nullable=False),
    Column("office", String(SHORT), nullable=False, comment="The office unit that sent it."),
    Column("uscc", String(18), nullable=False, index=True),
    Column("list_no", String(SHORT), nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("until", Date),
    Column("payload", JSON, nullable=False),
    Column("received_at", ChinaDateTime, nullable=False),
)

held_requests: Final = Table(
    "held_requests",
    metadata,
    Column("request_id", ForeignKey("enforcement_requests.id"), primary_key=True),
    Column("event_id", String(EVENT_ID), nullable=False, unique=True),
    Column("to_units", String(SHORT), nullable=False),
    Column("notice_no", String(SHORT), nullable=False, unique=True),
    Column("release_at", ChinaDateTime, nullable=False),
    Column("released_at", ChinaDateTime),
    Column("released_by", String(16)),
    CheckConstraint("released_by IN ('advice', 'deadline')", name="released_by"),
)

# --- measure-expiry watch ---
# The hub's reminder that a seal or freeze the court imposed lapses soon
# (`enforcement.control.expiring.v1`), one row per reminder: the court continues the measure
# (a `continue_*` control request naming `request_no` as `previous_request_no`) or lets it lapse.

measure_reminders: Final = Table(
    "measure_reminders",
    metadata,
    Column("notice_event_id", String(EVENT_ID), primary_key=True),
    Column("request_event_id", String(EVENT_ID), nullable=False, index=True),
    Column("request_no", String(SHORT), nullable=False, index=True),
    Column("case_no", String(SHORT), nullable=False),
    Column("unit", String(UNIT), nullable=False, comment="The unit holding the measure."),
    Column("action", String(32), nullable=False),
    Column("asset_kind", String(32), nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("days_left", Integer, nullable=False),
    Column("received_at", ChinaDateTime, nullable=False),
)
# --- bankruptcy follow-up ----------------------------------------------------------------------
# The release requests, credit-repair requests and zombie lists the court sends are drafted whole,
# like notices, and kept in `court_notices`; the answers come back measure by measure.

measure_releases: Final = Table(
    "measure_releases",
    metadata,
    _id(),
    _answer_key(),
    Column("release_request_no", String(SHORT), nullable=False, index=True),
    Column("measure_request_no", String(SHORT), nullable=False, index=True),
    Column("outcome", String(16), nullable=False),
    Column("released_on", Date),
    Column("registration_no", String(SHORT)),
    Column("reason", String(SHORT)),
    CheckConstraint("outcome IN ('released', 'not_held')", name="outcome"),
)
"""企业破产法 art 19: each measure a registry released (or does not hold) on the debtor."""

credit_repair_reports: Final = Table(
    "credit_repair_reports",
    metadata,
    Column("answer_event_id", ForeignKey("answers.answer_event_id"), primary_key=True),
    Column("request_no", String(SHORT), nullable=False, index=True),
    Column("case_no", String(CASE_NO), nullable=False, index=True),
    Column("measure", String(32), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("reported_on", Date, nullable=False),
    Column("reason", String(SHORT)),
    Column("note", Text),
)

received_zombie_lists: Final = Table(
    "received_zombie_lists",
    metadata,
    Column("event_id", String(EVENT_ID), primary_key=True),
    Column("sender", String(UNIT)),
    Column("list_no", String(SHORT), nullable=False, index=True),
    Column("issuer", String(NAME), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("in_reply_to", String(SHORT)),
    Column("enterprises", JSON, nullable=False),
    Column("received_at", ChinaDateTime, nullable=False),
)
"""僵尸企业名单 samr or ndrc sent the court (长春新区 2020 二(二)2), as received, once per event."""


# --- police linkage (公安协作) -------------------------------------------------------------------
# A locate request, an exit-control decision and a 拒执 referral are drafted whole by the officer:
# the row keeps the payload as written; each answer keeps its payload and outcome beside the
# ledger row, filed under the request or referral number it answers.

police_requests: Final = Table(
    "police_requests",
    metadata,
    _id(),
    Column("event_type", String(128), nullable=False),
    Column("reference", String(SHORT), nullable=False, index=True),
    Column("case_no", String(SHORT), nullable=False, index=True),
    Column("payload", JSON, nullable=False),
    Column("to_unit", String(SHORT), nullable=False),
    Column("created_at", ChinaDateTime, nullable=False),
)

police_answers: Final = Table(
    "police_answers",
    metadata,
    Column("answer_event_id", ForeignKey("answers.answer_event_id"), primary_key=True),
    Column("type", String(128), nullable=False),
    Column("reference", String(SHORT), nullable=False, index=True),
    Column("outcome", String(32), nullable=False),
    Column("payload", JSON, nullable=False),
)


# --- notices to the court (通报、涉诉信访 received) ------------------------------------------
# What agencies and the petition bureau send the court: one row per delivered event id, kept as
# delivered (the raw envelope too: the court's answer, written later by its staff, is composed
# from it as a reply, echoing the hub's delivery token). Each answer the court gives is a row of
# `received_notice_answers` with its export row; `state` follows the answers (an `accepted`
# petition handling is interim and leaves the referral open).

RECEIVED_STATES: Final = ("open", "interim", "answered", "not_owed")

received_notices: Final = Table(
    "received_notices",
    metadata,
    Column("event_id", String(EVENT_ID), primary_key=True),
    Column("type", String(128), nullable=False),
    Column("sender", String(UNIT)),
    Column("reference", String(SHORT), nullable=False, index=True),
    Column("payload", JSON, nullable=False),
    Column("delivered", JSON, nullable=False, comment="The envelope as the hub delivered it."),
    Column("reply_by", ChinaDateTime),
    Column("received_at", ChinaDateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Column("answered_at", ChinaDateTime),
    CheckConstraint(f"state IN {RECEIVED_STATES!r}", name="state"),
)

received_notice_answers: Final = Table(
    "received_notice_answers",
    metadata,
    _id(),
    Column("notice_event_id", ForeignKey("received_notices.event_id"), nullable=False, index=True),
    Column("event_id", String(EVENT_ID), nullable=False, unique=True),
    Column("type", String(128), nullable=False),
    Column("reference", String(SHORT), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", ChinaDateTime, nullable=False),
)
"""The court's answers to what it received; `exports.ref_id` of an answer's export is `id`."""
