"""A court database made by an earlier connector gains the optional columns a later one reads,
in place, when the connector starts (`create_court_schema`), and keeps its rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from connectors.court.store import create_court_schema, missing_columns
from hub.store.engine import build_engine

if TYPE_CHECKING:
    from pathlib import Path

DROPPED = [("enforcement_requests", "attachments"), ("admin_cases", "attachments")]


async def test_an_older_court_database_gains_the_new_columns_and_keeps_its_rows(
    tmp_path: Path,
) -> None:
    engine = build_engine(f"sqlite+aiosqlite:///{tmp_path / 'court.db'}")
    try:
        await create_court_schema(engine)
        async with engine.begin() as connection:
            for table, column in DROPPED:  # as the connector made it before the column existed
                await connection.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
            await connection.execute(
                text(
                    "INSERT INTO cases (case_no, year, court_code, type_code, number, court,"
                    " created_at) VALUES (:no, 2026, '豫1121', '执', 356, :court, :at)"
                ),
                {"no": "（2026）豫1121执356号", "court": "舞阳县人民法院", "at": "2026-12-04"},
            )
            lacking = await connection.run_sync(missing_columns)
        assert sorted((c.table.name, c.name) for c in lacking) == sorted(DROPPED)

        await create_court_schema(engine)

        async with engine.connect() as connection:
            assert await connection.run_sync(missing_columns) == []
            assert await connection.scalar(text("SELECT count(*) FROM cases")) == 1
            await connection.execute(text("SELECT attachments FROM enforcement_requests"))
    finally:
        await engine.dispose()
