"""The store's engines reach real SQLite and PostgreSQL databases and keep their settings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select, text
from sqlalchemy.exc import IntegrityError

from hub.bootstrap import build_engine as build_engine_from_settings
from hub.bootstrap import load_settings
from hub.store.engine import build_engine

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

metadata = MetaData()
notes = Table(
    "probe_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit", String(64), nullable=False),
    Column("body", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)


async def test_a_row_round_trips(store_engine: AsyncEngine) -> None:
    at = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    async with store_engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.execute(
            notes.insert().values(id=1, unit="tax.411121", body="（2024）豫1121执123号", at=at)
        )
    async with store_engine.connect() as connection:
        row = (await connection.execute(select(notes))).one()
    assert (row.id, row.unit, row.body) == (1, "tax.411121", "（2024）豫1121执123号")
    assert row.at.replace(tzinfo=UTC) == at


async def test_a_rolled_back_transaction_leaves_nothing(store_engine: AsyncEngine) -> None:
    async with store_engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    at = datetime(2024, 3, 1, tzinfo=UTC)
    async with store_engine.connect() as connection:
        async with connection.begin() as transaction:
            await connection.execute(notes.insert().values(id=1, unit="a", body="b", at=at))
            await transaction.rollback()
        count = (await connection.execute(text("SELECT count(*) FROM probe_notes"))).scalar()
    assert count == 0


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.connect() as connection:
        journal_mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
        foreign_keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
    assert (journal_mode, foreign_keys) == ("wal", 1)


async def test_sqlite_enforces_foreign_keys(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.begin() as connection:
        await connection.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        await connection.exec_driver_sql(
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id))"
        )
    with pytest.raises(IntegrityError):
        async with sqlite_engine.begin() as connection:
            await connection.exec_driver_sql("INSERT INTO child VALUES (1, 42)")


async def test_sqlite_rolls_back_ddl_with_the_transaction(sqlite_engine: AsyncEngine) -> None:
    # The driver alone would autocommit CREATE TABLE; migrations rely on it rolling back.
    async with sqlite_engine.connect() as connection:
        async with connection.begin() as transaction:
            await connection.run_sync(metadata.create_all)
            await transaction.rollback()
        tables = (
            await connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
        ).all()
    assert tables == []


async def test_sqlite_engine_creates_the_database_folder(tmp_path: Path) -> None:
    database = tmp_path / "not" / "yet" / "fyhub.db"
    engine = build_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")
    finally:
        await engine.dispose()
    assert database.is_file()


@pytest.mark.postgres
async def test_postgres_tests_each_get_their_own_schema(postgres_engine: AsyncEngine) -> None:
    async with postgres_engine.connect() as connection:
        schema = (await connection.exec_driver_sql("SELECT current_schema()")).scalar()
        tables = (
            await connection.exec_driver_sql(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
            )
        ).scalar()
    assert str(schema).startswith("test_")
    assert tables == 0


@pytest.mark.postgres
async def test_postgres_engine_names_the_application(postgres_engine: AsyncEngine) -> None:
    async with postgres_engine.connect() as connection:
        name = (await connection.exec_driver_sql("SHOW application_name")).scalar()
    assert name == "fyhub"


def test_bootstrap_builds_the_engine_from_settings(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fyhub.db'}"
    engine = build_engine_from_settings(load_settings(db={"url": url}))
    assert engine.url.render_as_string() == url
    assert engine.dialect.name == "sqlite"
