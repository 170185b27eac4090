"""The store's migration builds the tables the models describe, with their keys and checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import async_sessionmaker

from hub.store.migrate import current_revision, downgrade_engine, head_revision, upgrade_engine
from hub.store.tables import Base, DeliveryRow, EventRow, ProcessedRow, RejectionRow

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.ext.asyncio import AsyncEngine

BEIJING = timezone(timedelta(hours=8))
ROUTED_AT = datetime(2024, 3, 1, 9, 30, tzinfo=BEIJING)
SOURCE = "fy:unit:court.411121"


@pytest.fixture
async def store(store_engine: AsyncEngine) -> AsyncEngine:
    await upgrade_engine(store_engine)
    return store_engine


def event_row(event_id: str = "01HQ0000000000000000000001") -> EventRow:
    return EventRow(
        source=SOURCE,
        event_id=event_id,
        type="enforcement.query.requested.v1",
        subject="（2024）豫1121执123号",
        case_no="（2024）豫1121执123号",
        time=ROUTED_AT,
        received_at=ROUTED_AT,
        envelope={"id": event_id, "data": {"subjects": [{"id_no": "411121199001011234"}]}},
        signature="c2ln",
        signing_key="court-2024",
    )


def delivery_row(**overrides: Any) -> DeliveryRow:
    values: dict[str, Any] = {
        "event_source": SOURCE,
        "event_id": "01HQ0000000000000000000001",
        "recipient": "tax.411121",
        "routed_at": ROUTED_AT,
        "fields": ["case_no", "subjects"],
        "receipt_due": ROUTED_AT + timedelta(days=1),
    }
    return DeliveryRow(**(values | overrides))


async def add(engine: AsyncEngine, *rows: Base) -> None:
    async with async_sessionmaker(engine)() as session, session.begin():
        session.add_all(rows)


def schema_drift(connection: Connection) -> list[Any]:
    return compare_metadata(MigrationContext.configure(connection), Base.metadata)


async def test_the_migration_reaches_head_and_matches_the_models(store: AsyncEngine) -> None:
    assert await current_revision(store) == head_revision()
    async with store.connect() as connection:
        assert await connection.run_sync(schema_drift) == []


async def test_downgrading_to_base_removes_every_table(store: AsyncEngine) -> None:
    await downgrade_engine(store)
    async with store.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert await current_revision(store) is None
    assert tables == ["alembic_version"]


async def test_an_event_and_its_deliveries_read_back(store: AsyncEngine) -> None:
    await add(store, event_row(), delivery_row(), delivery_row(recipient="nr.411121"))
    async with async_sessionmaker(store)() as session:
        event = (await session.execute(select(EventRow))).scalar_one()
        deliveries = (await session.execute(select(DeliveryRow))).scalars().all()
    assert event.envelope["data"]["subjects"][0]["id_no"] == "411121199001011234"
    assert event.duplicate_count == 0
    assert event.time == ROUTED_AT
    assert event.time.tzinfo is UTC
    assert sorted(d.recipient for d in deliveries) == ["nr.411121", "tax.411121"]
    assert {(d.status, d.attempts) for d in deliveries} == {("routed", 1)}


async def test_a_delivery_needs_its_event(store: AsyncEngine) -> None:
    with pytest.raises(IntegrityError):
        await add(store, delivery_row())


async def test_one_recipient_gets_one_delivery_per_event(store: AsyncEngine) -> None:
    await add(store, event_row(), delivery_row())
    with pytest.raises(IntegrityError):
        await add(store, delivery_row())


async def test_a_delivery_status_outside_the_states_is_refused(store: AsyncEngine) -> None:
    await add(store, event_row())
    with pytest.raises(IntegrityError):
        await add(store, delivery_row(status="lost"))


async def test_one_kafka_position_holds_one_rejection(store: AsyncEngine) -> None:
    def rejection() -> RejectionRow:
        return RejectionRow(
            code="schema_invalid",
            detail="bad check digit",
            field_paths=["data.subjects[0].id_no"],
            source=SOURCE,
            event_id=None,
            topic="fy.unit.court.411121.out",
            kafka_partition=2,
            kafka_offset=41,
            rejected_at=ROUTED_AT,
        )

    await add(store, rejection())
    with pytest.raises(IntegrityError):
        await add(store, rejection())


async def test_a_consumer_processes_a_key_once(store: AsyncEngine) -> None:
    await add(store, ProcessedRow(consumer="auditor", key="journal:0:7", processed_at=ROUTED_AT))
    with pytest.raises(IntegrityError):
        await add(
            store, ProcessedRow(consumer="auditor", key="journal:0:7", processed_at=ROUTED_AT)
        )


async def test_a_time_without_offset_is_refused(store: AsyncEngine) -> None:
    naive = datetime(2024, 3, 1, 9, 30)  # noqa: DTZ001
    with pytest.raises(StatementError, match="UTC offset"):
        await add(store, ProcessedRow(consumer="auditor", key="k", processed_at=naive))
