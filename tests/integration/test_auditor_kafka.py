"""The auditor against a real broker and real stores, and the store verbs as a person runs them.

Journal entries, sealed as the hub seals them, are written to a throw-away topic; the auditor
service consumes them into SQLite
and PostgreSQL; a replay rebuilds an empty store from the same topic, row for row and hash for
hash; `fyhub audit verify` catches an edited, a deleted and two swapped audit rows.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.auditor.apply import apply_journal_batch
from hub.auditor.replay import JournalReplay
from hub.auditor.service import register_auditor
from hub.bootstrap import build_auditor, build_broker, load_settings
from hub.journal.seal import seal_headers
from hub.kafka.access import KafkaAccess
from hub.observability.logs import FASTSTREAM_LOGGER
from hub.store.audit_repository import SqlAuditLog
from hub.store.engine import build_engine
from hub.store.migrate import upgrade_engine
from hub.store.tables import AuditLogRow, DeliveryRow, EventRow, ProcessedRow
from tests.fixtures.journal import (
    CASE,
    COURT,
    HUB_KEY_ID,
    HUB_SIGNER,
    NR,
    T0,
    TAX,
    Journal,
    dump_store,
    event_id,
    journal_trust,
    write_hub_key,
)
from tests.fixtures.kafka import kafka_admin
from tests.hubkit import TEST_REGISTRY, kafka_env, kafka_overrides

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.journal.entries import AnswerRouted, EventRouted, RecordRejected
    from hub.settings import Settings
    from tests.fixtures.kafka import NewTopicFactory

REPO = Path(__file__).resolve().parents[2]
FYHUB = Path(sys.executable).parent / "fyhub"
E1, E2, E3 = event_id(1), event_id(2), event_id(3)
GARBAGE = b"\x00 not a journal entry"


def story(journal: Journal) -> list[EventRouted | AnswerRouted | RecordRejected | bytes]:
    """A journal with every kind of record, a router redelivery and an unreadable record."""
    first = journal.routed(E1)
    return [
        first,
        journal.answer(event_id(101), E1, at=T0 + timedelta(hours=1)),
        GARBAGE,
        journal.routed(E1, position=first.position),  # the router decided it twice
        journal.answer(event_id(102), E1, at=T0 + timedelta(days=1), receipt=False),
        journal.rejected(eid=E3, at=T0 + timedelta(hours=2)),
        journal.routed(E1, at=T0 + timedelta(hours=3)),  # the court published it again
        journal.routed(E2, at=T0 + timedelta(hours=4), to=((NR, "all"),)),
    ]


async def write_journal(bootstrap: KafkaAccess, topic: str, entries: list[Any]) -> None:
    """The entries (and raw bytes) as the hub writes them to `topic`: sealed with its key."""
    producer = AIOKafkaProducer(**bootstrap.client_options(), acks="all")
    await producer.start()
    try:
        for entry in entries:
            value = entry if isinstance(entry, bytes) else entry.model_dump_json().encode()
            headers = list(seal_headers(topic, CASE.encode(), value, HUB_SIGNER))
            await producer.send_and_wait(topic, value, key=CASE.encode(), headers=headers)
    finally:
        await producer.stop()


def auditor_settings(tmp_path: Path, kafka: KafkaAccess, **more: Any) -> Settings:
    """An auditor on the test broker, trusting the test hub key and the test registry's units."""
    return load_settings(
        kafka=kafka_overrides(kafka),
        registry=TEST_REGISTRY,
        security={
            "signing_key_file": write_hub_key(tmp_path / "hub.key"),
            "signing_key_id": HUB_KEY_ID,
        },
        **more,
    )


async def processed_journal_records(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        query = select(func.count()).where(ProcessedRow.consumer == "auditor")
        return (await connection.execute(query)).scalar() or 0


async def wait_until_applied(engine: AsyncEngine, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while (done := await processed_journal_records(engine)) < count:
        assert time.monotonic() < deadline, f"the auditor applied {done} of {count} records"
        await asyncio.sleep(0.2)


async def wait_until_committed(bootstrap: KafkaAccess, group: str, offset: int) -> None:
    """The auditor commits a batch's offsets just after its transaction: wait for that too."""
    deadline = time.monotonic() + 30
    async with kafka_admin(bootstrap) as admin:
        while True:
            committed = await admin.list_consumer_group_offsets(group)
            if [meta.offset for meta in committed.values()] == [offset]:
                return
            assert time.monotonic() < deadline, f"{group} committed {committed}"
            await asyncio.sleep(0.2)


@pytest.fixture
async def store(store_engine: AsyncEngine) -> AsyncEngine:
    await upgrade_engine(store_engine)
    return store_engine


@pytest.fixture
async def empty_sqlite(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = build_engine(f"sqlite+aiosqlite:///{tmp_path / 'rebuilt.db'}")
    await upgrade_engine(engine)
    yield engine
    await engine.dispose()


@pytest.mark.kafka
async def test_the_auditor_service_writes_the_journal_into_the_store(
    store: AsyncEngine, tmp_path: Path, kafka_access: KafkaAccess, new_topic: NewTopicFactory
) -> None:
    topic = await new_topic()
    entries = story(Journal())
    await write_journal(kafka_access, topic, entries)
    auditor = build_auditor(auditor_settings(tmp_path, kafka_access), engine=store, topic=topic)
    await auditor.start()
    try:
        await wait_until_applied(store, len(entries))
    finally:
        await auditor.stop()

    async with async_sessionmaker(store)() as session:
        event = await session.get(EventRow, (f"fy:unit:{COURT}", E1))
        tax = await session.get(DeliveryRow, (f"fy:unit:{COURT}", E1, TAX))
        kinds = (await session.execute(select(AuditLogRow.kind))).scalars().all()
    assert event is not None
    assert event.duplicate_count == 1
    assert tax is not None
    assert (tax.status, tax.reply_event_id) == ("replied", event_id(102))
    assert kinds.count("journal.unreadable") == 1
    assert kinds.count("event.duplicate") == 1
    assert kinds.count("record.rejected") == 1
    assert (auditor.stats.unreadable, auditor.stats.redeliveries) == (1, 1)


@pytest.mark.kafka
async def test_the_auditor_built_from_settings_owns_and_closes_its_store(
    empty_sqlite: AsyncEngine, tmp_path: Path, kafka_access: KafkaAccess, new_topic: NewTopicFactory
) -> None:
    topic = await new_topic()
    await write_journal(kafka_access, topic, [Journal().routed(E1)])
    settings = auditor_settings(
        tmp_path, kafka_access, db={"url": f"sqlite+aiosqlite:///{tmp_path / 'rebuilt.db'}"}
    )
    auditor = build_auditor(settings, topic=topic)
    await auditor.start()
    try:
        await wait_until_applied(empty_sqlite, 1)
    finally:
        await auditor.stop()
    # An engine left open fails the run: its connections warn when collected (warnings are errors).
    assert auditor.owns_engine


@pytest.mark.kafka
async def test_a_replay_into_an_empty_store_rebuilds_it_hash_for_hash(
    store: AsyncEngine,
    empty_sqlite: AsyncEngine,
    kafka_access: KafkaAccess,
    new_topic: NewTopicFactory,
) -> None:
    topic, group = await new_topic(), f"test.auditor.{uuid.uuid4().hex[:8]}"
    entries = story(Journal())
    await write_journal(kafka_access, topic, entries)
    settings = load_settings(kafka=kafka_overrides(kafka_access))
    broker = build_broker(settings, client_id="test-auditor")
    register_auditor(
        broker,
        async_sessionmaker(store),
        trust=journal_trust(),
        topic=topic,
        group_id=group,
        max_records=3,
    )
    await broker.start()
    try:
        await wait_until_applied(store, len(entries))
        await wait_until_committed(kafka_access, group, len(entries))
    finally:
        await broker.stop()

    def replay(engine: AsyncEngine) -> JournalReplay:
        return JournalReplay(
            kafka_access, async_sessionmaker(engine), topic, group, 2, trust=journal_trust()
        )

    report = await replay(empty_sqlite).run()
    live, rebuilt = await dump_store(store), await dump_store(empty_sqlite)
    assert (report.records, report.applied, report.redeliveries, report.unreadable) == (8, 6, 1, 1)
    assert rebuilt == live
    assert len(live["audit_log"]) > 10

    again = await replay(empty_sqlite).run()
    assert (again.records, again.already_applied) == (8, 8)
    caught_up = await replay(store).run(from_beginning=False)
    assert (caught_up.records, caught_up.ranges) == (0, {0: (8, 8)})
    assert await dump_store(empty_sqlite) == live


@pytest.mark.kafka
async def test_a_batch_the_store_refuses_is_read_again_until_it_is_written(
    sqlite_engine: AsyncEngine,
    kafka_access: KafkaAccess,
    new_topic: NewTopicFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # FastStream's own logger does not propagate: listen to it as well as to the root.
    logging.getLogger(FASTSTREAM_LOGGER).addHandler(caplog.handler)
    topic, group = await new_topic(), f"test.auditor.{uuid.uuid4().hex[:8]}"
    entries = [e for e in story(Journal()) if not isinstance(e, bytes)]
    await write_journal(kafka_access, topic, entries)
    broker = build_broker(load_settings(kafka=kafka_overrides(kafka_access)), client_id="t")
    stats = register_auditor(
        broker,
        async_sessionmaker(sqlite_engine),
        trust=journal_trust(),
        topic=topic,
        group_id=group,
        retry_pause_s=0.2,
    )
    await broker.start()  # the store has no tables yet: every attempt fails
    try:
        deadline = time.monotonic() + 30
        while stats.failed_batches < 2:
            assert time.monotonic() < deadline, "the auditor never tried to write"
            await asyncio.sleep(0.1)
        await upgrade_engine(sqlite_engine)
        await wait_until_applied(sqlite_engine, len(entries))
        await wait_until_committed(kafka_access, group, len(entries))
    finally:
        await broker.stop()
        logging.getLogger(FASTSTREAM_LOGGER).removeHandler(caplog.handler)
    async with async_sessionmaker(sqlite_engine)() as session:
        events = (await session.execute(select(func.count()).select_from(EventRow))).scalar()
        break_ = await SqlAuditLog(session).verify()
    assert (events, break_, stats.applied) == (4, None, 6)
    # each retried batch said so in one line, and nothing printed a traceback
    retried = [r for r in caplog.records if "will be read again" in r.getMessage()]
    assert len(retried) == stats.failed_batches
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []


# --- the store verbs, run as a person runs them ------------------------------------------------


def fyhub(*args: str, db: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FYHUB_")}
    environment |= {"FYHUB_DB__URL": f"sqlite+aiosqlite:///{db}", **env}
    return subprocess.run(
        [str(FYHUB), *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
async def audited_db(tmp_path: Path) -> Path:
    """A migrated SQLite file holding the story (without its unreadable record): 13 audit rows."""
    path = tmp_path / "fyhub.db"
    engine = build_engine(f"sqlite+aiosqlite:///{path}")
    try:
        await upgrade_engine(engine)
        journal = Journal()
        entries = [e for e in story(journal) if not isinstance(e, bytes)]
        async with async_sessionmaker(engine)() as session, session.begin():
            await apply_journal_batch(session, journal.records(*entries))
    finally:
        await engine.dispose()
    return path


def tamper(db: Path, *statements: str) -> None:
    with sqlite3.connect(db) as connection:
        for statement in statements:
            connection.execute(statement)


async def test_audit_verify_passes_on_a_clean_store(audited_db: Path) -> None:
    result = await asyncio.to_thread(fyhub, "audit", "verify", db=audited_db)
    assert (result.returncode, result.stdout.strip()) == (0, "chain intact, 13 rows")


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        (
            ["UPDATE audit_log SET unit = 'samr.411121' WHERE seq = 5"],
            "chain broken at seq 5 (edited): the stored hash does not match the row",
        ),
        (["DELETE FROM audit_log WHERE seq = 5"], "chain broken at seq 6 (deleted): seq 5 missing"),
        (
            [
                "UPDATE audit_log SET seq = -1 WHERE seq = 5",
                "UPDATE audit_log SET seq = 5 WHERE seq = 6",
                "UPDATE audit_log SET seq = 6 WHERE seq = -1",
            ],
            "chain broken at seq 5 (reordered)",
        ),
    ],
    ids=["edited", "deleted", "swapped"],
)
async def test_audit_verify_names_the_first_broken_row(
    audited_db: Path, statements: list[str], expected: str
) -> None:
    tamper(audited_db, *statements)
    result = await asyncio.to_thread(fyhub, "audit", "verify", db=audited_db)
    assert result.returncode == 1
    assert result.stdout.startswith(expected), result.stdout


async def test_trace_and_overdue_read_the_store(audited_db: Path) -> None:
    traced = await asyncio.to_thread(fyhub, "trace", "(2024)豫1121执123号", db=audited_db)
    late = await asyncio.to_thread(fyhub, "overdue", "--unit", NR, db=audited_db)
    none_late = await asyncio.to_thread(fyhub, "overdue", "--unit", TAX, db=audited_db)
    unknown = await asyncio.to_thread(fyhub, "trace", event_id(999), db=audited_db)

    assert traced.returncode == 0, traced.stderr
    assert traced.stdout.startswith(f"case {CASE}: 4 event(s)")
    assert f"→ {TAX}  replied  [case_no]" in traced.stdout
    assert late.returncode == 0, late.stderr
    assert late.stdout.startswith("4 overdue:")  # E1 and E2, receipt and reply, long ago
    assert none_late.stdout == "nothing is overdue\n"
    assert (unknown.returncode, unknown.stderr.strip()) == (
        1,
        f"The store knows nothing about {event_id(999)}.",
    )


async def test_a_store_that_was_never_created_is_named_not_traced(tmp_path: Path) -> None:
    result = await asyncio.to_thread(fyhub, "audit", "verify", db=tmp_path / "none.db")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: the store at sqlite+aiosqlite:///"), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.kafka
async def test_fyhub_replay_rebuilds_an_empty_store_and_refuses_a_full_one(
    audited_db: Path, tmp_path: Path, kafka_access: KafkaAccess, new_topic: NewTopicFactory
) -> None:
    topic = await new_topic()
    await write_journal(
        kafka_access, topic, [e for e in story(Journal()) if not isinstance(e, bytes)]
    )
    rebuilt = tmp_path / "rebuilt.db"
    kafka = kafka_env(kafka_access) | {
        "FYHUB_REGISTRY": str(TEST_REGISTRY),
        "FYHUB_SECURITY__SIGNING_KEY_FILE": str(write_hub_key(tmp_path / "hub.key")),
        "FYHUB_SECURITY__SIGNING_KEY_ID": HUB_KEY_ID,
    }

    done = await asyncio.to_thread(
        fyhub, "replay", "--into-empty", "--topic", topic, db=rebuilt, **kafka
    )
    refused = await asyncio.to_thread(
        fyhub, "replay", "--into-empty", "--topic", topic, db=rebuilt, **kafka
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Replayed 7 journal records from {topic} (0: 0→7): 6 applied")
    assert refused.returncode == 1
    assert "the store is not empty" in refused.stderr
    engines = [build_engine(f"sqlite+aiosqlite:///{path}") for path in (audited_db, rebuilt)]
    try:
        original, copy = [await dump_store(engine) for engine in engines]
    finally:
        for engine in engines:
            await engine.dispose()
    assert copy == original
