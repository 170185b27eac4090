"""`fyhub calendar apply`'s work: deadlines counted again on the current calendar (pure), the
`deadlines.recomputed` journal entry, and the auditor applying it to a real SQLite store."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.auditor.apply import BatchOutcome, apply_journal_batch
from hub.deliveries.state import DeliveryKey
from hub.journal.entries import DeadlinesRecomputed, Delivered, EventRouted, Rescheduled
from hub.routing.deadlines import CHINA_TZ, DeadlinePolicy
from hub.routing.loader import load_contracts_from
from hub.store.migrate import upgrade_engine
from hub.store.tables import AuditLogRow, DeliveryRow
from hub.tracker.recompute import OpenCopy, recomputation_records, rescheduled
from hub.tracker.store import open_copies
from tests.calendars import calendar_from, shipped_calendar
from tests.fixtures.journal import (
    CASE,
    COURT,
    HUB_SIGNER,
    NR,
    TAX,
    Journal,
    envelope,
    event_id,
    journal_trust,
)
from tests.hubkit import ROUTING_TABLE, TEST_REGISTRY

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

TABLE = load_contracts_from(TEST_REGISTRY, ROUTING_TABLE).routing
QUERY = "enforcement.query.requested.v1"
ROUTED = datetime(2026, 12, 24, 10, tzinfo=CHINA_TZ)  # Thursday
E1, E2 = event_id(1), event_id(2)

# A made-up 2027 notice: 元旦 01-01…01-03, and Monday 01-04 off too.
NOTICE_2027 = """\
year: 2027
notice: {title: 国务院办公厅关于2027年部分节假日安排的通知（测试）}
holidays:
  - {name: 元旦, start: 2027-01-01, end: 2027-01-04}
  - {name: 春节, start: 2027-02-05, end: 2027-02-11, working_days: [2027-02-20]}
"""


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=CHINA_TZ)


@pytest.fixture
def with_2027(tmp_path: Path) -> Path:
    for shipped in (Path(ROUTING_TABLE).parent / "calendar").glob("*.yaml"):
        (tmp_path / shipped.name).write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "2027.yaml").write_text(NOTICE_2027, encoding="utf-8")
    return tmp_path


def open_copy(**changes: object) -> OpenCopy:
    # As routed on the provisional 2027: receipt Fri 12-25; reply 3 working days: 12-25, 12-28,
    # 12-29 — all in 2026, official; see `far_copy` for one that reaches 2027.
    values: dict[str, object] = {
        "key": DeliveryKey(f"fy:unit:{COURT}", E1, NR),
        "event_type": QUERY,
        "subject": CASE,
        "envelope": envelope(E1, to=NR),
        "routed_at": ROUTED,
        "receipt_due": end_of(date(2026, 12, 25)),
        "reply_due": end_of(date(2026, 12, 29)),
        "receipt_at": None,
        "replied_at": None,
        "calendar": "official",
    }
    return OpenCopy(**(values | changes))  # type: ignore[arg-type]


def far_copy(**changes: object) -> OpenCopy:
    # Routed Thu 2026-12-31: receipt Mon 2027-01-04 and reply (3 working days) Wed 01-06 on the
    # provisional 2027 (元旦 Friday only).
    routed = datetime(2026, 12, 31, 10, tzinfo=CHINA_TZ)
    provisional = shipped_calendar()
    assert provisional.add_working_days(routed.date(), 3) == date(2027, 1, 6)
    values: dict[str, object] = {
        "routed_at": routed,
        "receipt_due": end_of(date(2027, 1, 4)),
        "reply_due": end_of(date(2027, 1, 6)),
        "calendar": "provisional",
    }
    return open_copy(**(values | changes))


# --- counting again (pure) ---------------------------------------------------------------------


def test_a_provisional_delivery_gets_the_notices_days_and_becomes_official(with_2027: Path) -> None:
    new = rescheduled(
        far_copy(), table=TABLE, calendar=calendar_from(with_2027), policy=DeadlinePolicy()
    )
    # With 01-04 off: receipt Tue 01-05, reply 01-05, 01-06, 01-07.
    assert new == Rescheduled(
        event_source=f"fy:unit:{COURT}",
        event_id=E1,
        recipient=NR,
        receipt_by=end_of(date(2027, 1, 5)),
        reply_by=end_of(date(2027, 1, 7)),
        calendar="official",
    )


def test_nothing_changes_for_a_delivery_counted_on_an_official_year(with_2027: Path) -> None:
    calendar = calendar_from(with_2027)
    assert rescheduled(open_copy(), table=TABLE, calendar=calendar, policy=DeadlinePolicy()) is None


def test_a_stage_already_answered_keeps_its_deadline(with_2027: Path) -> None:
    received = far_copy(receipt_at=datetime(2027, 1, 4, 9, tzinfo=CHINA_TZ))
    new = rescheduled(
        received, table=TABLE, calendar=calendar_from(with_2027), policy=DeadlinePolicy()
    )
    assert new is not None
    assert (new.receipt_by, new.reply_by) == (end_of(date(2027, 1, 4)), end_of(date(2027, 1, 7)))


def test_a_deadline_the_request_gave_is_not_recomputed(with_2027: Path) -> None:
    given = far_copy(
        envelope=envelope(E1, to=NR, data={"case_no": CASE, "reply_by": "2027-01-06"}),
        receipt_at=datetime(2027, 1, 4, 9, tzinfo=CHINA_TZ),
    )
    new = rescheduled(
        given, table=TABLE, calendar=calendar_from(with_2027), policy=DeadlinePolicy()
    )
    # The reply's deadline is the request's own and stays; the answered receipt keeps its own;
    # only the label moves, the counted receipt day now being in a year with its notice.
    assert new is not None
    assert (new.receipt_by, new.reply_by, new.calendar) == (
        end_of(date(2027, 1, 4)),
        end_of(date(2027, 1, 6)),
        "official",
    )


def test_the_demos_overrides_still_apply(with_2027: Path) -> None:
    policy = DeadlinePolicy(receipt_override_s=120, reply_override_s=300)
    routed = far_copy().routed_at
    copy = far_copy(
        receipt_due=routed + timedelta(seconds=120),
        reply_due=routed + timedelta(seconds=300),
        calendar=None,
    )
    assert rescheduled(copy, table=TABLE, calendar=calendar_from(with_2027), policy=policy) is None


def test_one_entry_per_event_keyed_like_the_events_own(with_2027: Path) -> None:
    copies = [
        far_copy(),
        far_copy(key=DeliveryKey(f"fy:unit:{COURT}", E1, TAX)),
        far_copy(key=DeliveryKey(f"fy:unit:{COURT}", E2, NR), subject=None),
        open_copy(key=DeliveryKey(f"fy:unit:{COURT}", event_id(3), NR)),
    ]
    now = datetime(2026, 12, 2, tzinfo=UTC)
    planned = recomputation_records(
        copies,
        table=TABLE,
        calendar=calendar_from(with_2027),
        policy=DeadlinePolicy(),
        now=now,
        reason="test",
        signer=HUB_SIGNER,
        topic="fy.hub.journal.test",
    )
    assert [(len(entry.deliveries), out.key, out.topic) for entry, out in planned] == [
        (2, CASE.encode(), "fy.hub.journal.test"),
        (1, E2.encode(), "fy.hub.journal.test"),
    ]
    entry, out = planned[0]
    assert DeadlinesRecomputed.model_validate_json(out.value) == entry
    trust = journal_trust()
    assert trust.seal_refusal(out.topic, out.key, out.value, out.headers, now) is None
    assert entry.kind == "deadlines.recomputed"


# --- the auditor applies it ---------------------------------------------------------------------


@pytest.fixture
async def store(sqlite_engine: AsyncEngine) -> AsyncEngine:
    await upgrade_engine(sqlite_engine)
    return sqlite_engine


async def apply(engine: AsyncEngine, records: list[object]) -> BatchOutcome:
    async with async_sessionmaker(engine)() as session, session.begin():
        return await apply_journal_batch(session, list(records))  # type: ignore[arg-type]


async def row(engine: AsyncEngine, eid: str, recipient: str) -> DeliveryRow:
    async with async_sessionmaker(engine)() as session:
        query = select(DeliveryRow).where(
            DeliveryRow.event_id == eid, DeliveryRow.recipient == recipient
        )
        return (await session.execute(query)).scalar_one()


def routed_provisionally(journal: Journal, eid: str = E1) -> EventRouted:
    routed = far_copy().routed_at
    entry = journal.routed(eid, at=routed, to=((NR, "all"),))
    return entry.model_copy(
        update={
            "deliveries": [
                Delivered(
                    recipient=NR,
                    fields="all",
                    receipt_by=end_of(date(2027, 1, 4)),
                    reply_by=end_of(date(2027, 1, 6)),
                    calendar="provisional",
                )
            ]
        }
    )


def recomputed(eid: str = E1, recipient: str = NR) -> DeadlinesRecomputed:
    return DeadlinesRecomputed(
        at=datetime(2026, 12, 2, 8, tzinfo=UTC),
        reason="fyhub calendar apply: 2027 file",
        deliveries=[
            Rescheduled(
                event_source=f"fy:unit:{COURT}",
                event_id=eid,
                recipient=recipient,
                receipt_by=end_of(date(2027, 1, 5)),
                reply_by=end_of(date(2027, 1, 7)),
                calendar="official",
            )
        ],
    )


async def test_a_delivery_records_its_calendar(store: AsyncEngine) -> None:
    journal = Journal()
    await apply(store, journal.records(routed_provisionally(journal)))
    assert (await row(store, E1, NR)).calendar == "provisional"


async def test_an_old_entry_without_a_calendar_still_loads(store: AsyncEngine) -> None:
    journal = Journal()
    old = journal.routed(E1).model_dump(mode="json")
    for delivered in old["deliveries"]:
        del delivered["calendar"]
    [record] = [journal.raw(EventRouted.model_validate(old).model_dump_json().encode())]
    await apply(store, [record])
    assert (await row(store, E1, TAX)).calendar is None


async def test_the_auditor_reschedules_the_delivery(store: AsyncEngine) -> None:
    journal = Journal()
    await apply(store, journal.records(routed_provisionally(journal)))
    outcome = await apply(store, journal.records(recomputed()))
    assert outcome == BatchOutcome(applied=1)
    stored = await row(store, E1, NR)
    assert (stored.receipt_due, stored.reply_due, stored.calendar) == (
        end_of(date(2027, 1, 5)),
        end_of(date(2027, 1, 7)),
        "official",
    )
    async with async_sessionmaker(store)() as session:
        query = select(AuditLogRow.kind, AuditLogRow.unit, AuditLogRow.detail)
        last = (await session.execute(query.order_by(AuditLogRow.seq.desc()))).first()
    assert last is not None
    assert (last.kind, last.unit, last.detail["effect"]) == ("deadlines.recomputed", NR, "applied")
    assert (await open_copies_of(store))[0].calendar == "official"


async def test_routed_and_rescheduled_in_one_batch(store: AsyncEngine) -> None:
    journal = Journal()
    await apply(store, journal.records(routed_provisionally(journal), recomputed()))
    stored = await row(store, E1, NR)
    assert (stored.reply_due, stored.calendar) == (end_of(date(2027, 1, 7)), "official")


async def test_a_receipt_in_before_the_recomputation_keeps_its_deadline(store: AsyncEngine) -> None:
    journal = Journal()
    routed = routed_provisionally(journal)
    receipt = journal.answer(event_id(101), E1, by=NR, at=routed.at + timedelta(hours=1))
    await apply(store, journal.records(routed, receipt, recomputed()))
    stored = await row(store, E1, NR)
    assert (stored.receipt_due, stored.reply_due) == (
        end_of(date(2027, 1, 4)),
        end_of(date(2027, 1, 7)),
    )


async def test_applying_the_recomputation_again_changes_nothing(store: AsyncEngine) -> None:
    journal = Journal()
    records = journal.records(routed_provisionally(journal), recomputed())
    await apply(store, records)
    assert await apply(store, records) == BatchOutcome(already_applied=2)


async def test_a_recomputation_for_an_unknown_delivery_is_recorded_not_applied(
    store: AsyncEngine,
) -> None:
    journal = Journal()
    await apply(store, journal.records(recomputed(eid=E2)))
    async with async_sessionmaker(store)() as session:
        detail = (await session.execute(select(AuditLogRow.detail))).scalar_one()
        deliveries = (await session.execute(select(DeliveryRow))).all()
    assert (detail["effect"], deliveries) == ("no_delivery", [])


def test_a_recomputation_with_a_naive_time_is_unreadable() -> None:
    entry = recomputed().model_dump(mode="json")
    entry["deliveries"][0]["reply_by"] = "2027-01-07T23:59:59"
    [record] = [Journal().raw(json.dumps(entry).encode())]
    assert record.problems == ("deliveries.reply_by: a time without an offset",)  # type: ignore[union-attr]


async def open_copies_of(engine: AsyncEngine) -> list[OpenCopy]:
    async with async_sessionmaker(engine)() as session:
        return await open_copies(session)
