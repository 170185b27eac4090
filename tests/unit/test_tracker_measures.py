"""The tracker's measure-expiry watch over a real (temp-file SQLite) store kept by the auditor,
publishing to a fake broker: the reminder goes to the court before the freeze lapses, once, then
its `measure.reminded` entry; nothing is sent again before or after the auditor applied it; a
continuation's new end is reminded when its day comes; a reminder the broker refused is sent at
the next sweep."""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.auditor.apply import apply_journal_batch
from hub.bootstrap import load_settings
from hub.deliveries.redelivery import RedeliveryPolicy
from hub.journal.reading import read_record
from hub.measures.book import Measure, MeasureState
from hub.measures.reminders import reminders_due
from hub.routing.deadlines import CHINA_TZ
from hub.settings import SettingsError
from hub.store.migrate import upgrade_engine
from hub.supervision import reads
from hub.supervision.console.labels import AUDIT_KINDS
from hub.supervision.text import trace_lines
from hub.tracker.measures import ends_to_look_at
from hub.tracker.service import Tracker
from schemas.catalogue import CATALOGUE
from schemas.control import ControlAction
from schemas.units import JOURNAL_TOPIC, inbox_topic
from tests.fixtures.corpus import samples
from tests.fixtures.journal import COURT, Journal
from tests.fixtures.measures import (
    CASE,
    CONTINUATION,
    CONTINUE_DATA,
    FREEZE,
    FREEZE_DATA,
    SAMR,
    answered,
    routed,
)
from tests.hubkit import router_context
from tests.unit.test_tracker_sweep import FakeWriter

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

NO_REDELIVERY = RedeliveryPolicy(interval=timedelta(hours=1), max_attempts=1)
LEAD = 3
# The freeze ends Fri 2027-01-08; 3 working days before is Tue 01-05.
DUE_DAY = datetime(2027, 1, 5, 9, 0, tzinfo=CHINA_TZ)


async def apply(store: AsyncEngine, records: list[Any]) -> None:
    async with async_sessionmaker(store)() as session, session.begin():
        await apply_journal_batch(session, records)


@pytest.fixture
def j() -> Journal:
    return Journal()


@pytest.fixture
async def store(sqlite_engine: AsyncEngine, j: Journal) -> AsyncEngine:
    """The freeze routed to samr and answered controlled until 2027-01-08."""
    await upgrade_engine(sqlite_engine)
    await apply(
        sqlite_engine, j.records(routed(j, FREEZE, FREEZE_DATA), answered(j, 10, FREEZE, "KZ1"))
    )
    return sqlite_engine


@pytest.fixture
def broker() -> FakeWriter:
    return FakeWriter()


def tracker_of(store: AsyncEngine, broker: FakeWriter, lead: int | None = LEAD) -> Tracker:
    return Tracker(
        writer=broker,
        store=store,
        ctx=router_context(),
        policy=NO_REDELIVERY,
        interval=timedelta(minutes=1),
        measure_reminder_working_days=lead,
    )


async def apply_journalled(store: AsyncEngine, broker: FakeWriter) -> None:
    journal = [v for topic, _, v in broker.published if topic == JOURNAL_TOPIC]
    await apply(store, [read_record(1, n, 0, value) for n, value in enumerate(journal)])


def reminders(broker: FakeWriter) -> list[dict[str, Any]]:
    return [json.loads(v) for topic, _, v in broker.published if topic == inbox_topic(COURT)]


async def test_the_court_is_reminded_once_before_the_freeze_lapses(
    store: AsyncEngine, broker: FakeWriter
) -> None:
    tracker = tracker_of(store, broker)
    assert (await tracker.sweep(DUE_DAY - timedelta(days=1))).reminded == ()
    report = await tracker.sweep(DUE_DAY)
    assert [(r.measure.event_id, r.end, r.days_left) for r in report.reminded] == [
        (FREEZE, date(2027, 1, 8), 3)
    ]
    assert broker.topics() == [inbox_topic(COURT), JOURNAL_TOPIC]
    [entry] = broker.journal()
    assert (entry["kind"], entry["event_id"], entry["end"]) == (
        "measure.reminded",
        FREEZE,
        "2027-01-08",
    )
    assert {key for _, key, _ in broker.published} == {CASE.encode()}

    # Pending: the auditor has not applied the entry yet.
    assert (await tracker.sweep(DUE_DAY + timedelta(hours=1))).reminded == ()
    await apply_journalled(store, broker)
    assert (await tracker.sweep(DUE_DAY + timedelta(days=1))).reminded == ()
    # A tracker restarted after the auditor applied it sends nothing either.
    assert (await tracker_of(store, broker).sweep(DUE_DAY + timedelta(days=2))).reminded == ()
    assert len(reminders(broker)) == 1


async def test_the_reminder_is_a_valid_hub_event_naming_no_person(
    store: AsyncEngine, broker: FakeWriter
) -> None:
    await tracker_of(store, broker).sweep(DUE_DAY)
    [event] = reminders(broker)
    assert (event["source"], event["type"], event["subject"]) == (
        "fy:hub",
        "enforcement.control.expiring.v1",
        CASE,
    )
    assert "hubproof" in event
    payload = CATALOGUE[event["type"]].validate_payload(event["data"])
    assert payload.model_dump(mode="json") == {
        "event_id": FREEZE,
        "request_no": "KZ1",
        "case_no": CASE,
        "unit": SAMR,
        "action": "freeze",
        "asset_kind": "equity",
        "end": "2027-01-08",
        "days_left": 3,
    }
    text = json.dumps(event, ensure_ascii=False)
    for personal in (samples.WANG["name"], samples.WANG["id_no"], samples.XINGDA_USCC):
        assert personal not in text


async def test_a_continuation_is_reminded_for_its_new_end_and_never_for_the_old(
    store: AsyncEngine, broker: FakeWriter, j: Journal
) -> None:
    await apply(
        store,
        j.records(routed(j, CONTINUATION, CONTINUE_DATA), answered(j, 11, CONTINUATION, "KZ2")),
    )
    tracker = tracker_of(store, broker)
    assert (await tracker.sweep(DUE_DAY)).reminded == ()
    # The new end, Wed 2027-06-30: 3 working days before is Fri 06-25.
    assert (await tracker.sweep(datetime(2027, 6, 24, 9, tzinfo=CHINA_TZ))).reminded == ()
    report = await tracker.sweep(datetime(2027, 6, 25, 9, tzinfo=CHINA_TZ))
    assert [(r.measure.event_id, r.end) for r in report.reminded] == [(FREEZE, date(2027, 6, 30))]


async def test_a_new_end_after_a_reminder_is_reminded_again_with_another_id(
    store: AsyncEngine, broker: FakeWriter, j: Journal
) -> None:
    tracker = tracker_of(store, broker)
    await tracker.sweep(DUE_DAY)
    await apply_journalled(store, broker)
    await apply(
        store,
        j.records(routed(j, CONTINUATION, CONTINUE_DATA), answered(j, 11, CONTINUATION, "KZ2")),
    )
    assert (await tracker.sweep(DUE_DAY + timedelta(days=1))).reminded == ()
    await tracker.sweep(datetime(2027, 6, 28, 9, tzinfo=CHINA_TZ))
    first, second = reminders(broker)
    assert (first["data"]["end"], second["data"]["end"]) == ("2027-01-08", "2027-06-30")
    assert first["id"] != second["id"]


async def test_a_reminder_the_broker_refused_is_not_journalled_and_is_sent_next_sweep(
    store: AsyncEngine, broker: FakeWriter
) -> None:
    tracker = tracker_of(store, broker)
    broker.refusing.add(inbox_topic(COURT))
    refused = await tracker.sweep(DUE_DAY)
    assert (refused.reminded, refused.failed, broker.journal()) == ((), 1, [])
    broker.refusing.clear()
    assert len((await tracker.sweep(DUE_DAY + timedelta(minutes=1))).reminded) == 1
    assert [e["kind"] for e in broker.journal()] == ["measure.reminded"]


async def test_a_tracker_without_the_watch_reminds_nothing(
    store: AsyncEngine, broker: FakeWriter
) -> None:
    assert (await tracker_of(store, broker, lead=None).sweep(DUE_DAY)).reminded == ()
    assert broker.published == []


async def test_fyhub_trace_shows_the_reminder_on_the_case(
    store: AsyncEngine, broker: FakeWriter
) -> None:
    await tracker_of(store, broker).sweep(DUE_DAY)
    await apply_journalled(store, broker)
    async with async_sessionmaker(store)() as session:
        found = await reads.trace(session, CASE)
    assert found is not None
    [line] = [line for line in trace_lines(found) if "measure.reminded" in line]
    assert COURT in line
    assert FREEZE in line
    assert "lapses 2027-01-08, 3 days left" in line
    assert AUDIT_KINDS["measure.reminded"] == "查封冻结到期提醒"


# --- the setting ------------------------------------------------------------------------------


def test_the_notice_period_defaults_to_15_working_days_and_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in [name for name in os.environ if name.startswith("FYHUB_")]:
        monkeypatch.delenv(name)
    assert load_settings().tracker.measure_reminder_working_days == 15
    monkeypatch.setenv("FYHUB_TRACKER__MEASURE_REMINDER_WORKING_DAYS", "5")
    assert load_settings().tracker.measure_reminder_working_days == 5
    monkeypatch.setenv("FYHUB_TRACKER__MEASURE_REMINDER_WORKING_DAYS", "-1")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert "FYHUB_TRACKER__MEASURE_REMINDER_WORKING_DAYS" in str(refused.value.problems)


@pytest.mark.parametrize("lead", [0, 1, 3, 15])
def test_the_ends_a_sweep_reads_hold_every_reminder_due(lead: int) -> None:
    calendar = router_context().calendar
    due = 0
    for offset in range(45):
        today = date(2026, 12, 15) + timedelta(days=offset)
        now = datetime(today.year, today.month, today.day, 9, tzinfo=CHINA_TZ)
        first, last = ends_to_look_at(now, lead, calendar)
        for ahead in range(60):
            end = today + timedelta(days=ahead)
            measure = _in_force(end)
            if reminders_due([measure], today, lead, calendar):
                due += 1
                assert first <= end <= last, (today, end)
    assert due >= 45


def _in_force(end: date) -> Measure:
    return Measure(
        event_source="fy:unit:court.411121",
        event_id="e",
        court="court.411121",
        unit=SAMR,
        case_no=CASE,
        request_no="KZ1",
        action=ControlAction.FREEZE,
        asset_kind="equity",
        end=end,
        previous_request_no=None,
        state=MeasureState.IN_FORCE,
    )
