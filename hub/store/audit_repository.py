"""The audit log in SQL: appends chained rows inside the caller's transaction, reads them back.

Appends are serialised by a lock taken in the caller's transaction (a table lock on PostgreSQL,
SQLite's write lock), so two appenders never chain onto the same row; `seq` being the primary key
backs that up. The lock is held until the caller commits, so commit promptly.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, Text, insert, select, text, type_coerce

from hub.store.audit_chain import (
    GENESIS,
    AuditEntry,
    ChainBreak,
    ChainedRow,
    ChainLink,
    chain_next,
    verify_chain,
)
from hub.store.tables import AuditLogRow

if TYPE_CHECKING:
    from sqlalchemy import Row, Select
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.orm import Session

LOCK_STATEMENTS = {
    "postgresql": "LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE",
    # A write that changes nothing still takes SQLite's write lock for the whole transaction.
    "sqlite": "UPDATE audit_log SET seq = seq WHERE 0 = 1",
}

_table = AuditLogRow.__table__.c


class SqlAuditLog:
    """The audit log of one session; the caller owns the transaction and commits it."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def append(self, entry: AuditEntry) -> ChainedRow:
        """Chain `entry` after the current head and insert it; returns the stored row."""
        await self.lock()
        row = chain_next(await self.head(), entry)
        await self._session.execute(insert(AuditLogRow).values(_column_values(row)))
        return row

    async def head(self) -> ChainLink:
        """The last row's position and hash; GENESIS while the log is empty."""
        query = select(_table.seq, _table.row_hash).order_by(_table.seq.desc()).limit(1)
        last = (await self._session.execute(query)).first()
        return GENESIS if last is None else ChainLink(seq=last.seq, row_hash=last.row_hash)

    async def rows(self, *, after_seq: int = 0, limit: int | None = None) -> list[ChainedRow]:
        """Stored rows in `seq` order, starting after `after_seq`."""
        query = _stored_rows().where(_table.seq > after_seq).limit(limit)
        return [_chained_row(row) for row in await self._session.execute(query)]

    async def verify(self, *, batch_size: int = 1000) -> ChainBreak | None:
        """Recompute the whole chain, streaming the rows; the first broken row, or None."""
        return await self._session.run_sync(_verify_stored_chain, batch_size)

    async def lock(self) -> None:
        """Take the append lock now; `append` does it too, but on SQLite a transaction that reads
        before it first writes can lose its snapshot to another writer, so take it first there."""
        connection = await self._session.connection()
        statement = LOCK_STATEMENTS.get(connection.dialect.name)
        if statement is not None:
            await connection.execute(text(statement))


def _verify_stored_chain(session: Session, batch_size: int) -> ChainBreak | None:
    stored = session.execute(_stored_rows().execution_options(yield_per=batch_size))
    return verify_chain(_chained_row(row) for row in stored)


def _column_values(row: ChainedRow) -> dict[str, Any]:
    entry = row.entry
    return {
        "seq": row.seq,
        "at": entry.at,
        "kind": entry.kind,
        "event_id": entry.event_id,
        "unit": entry.unit,
        "detail": dict(entry.detail),
        "prev_hash": row.prev_hash,
        "row_hash": row.row_hash,
    }


def _stored_rows() -> Select[Any]:
    # Time and detail are read raw, so a row edited into something unparseable is reported as
    # edited instead of stopping the read.
    return select(
        _table.seq,
        type_coerce(_table.at, String).label("at"),
        _table.kind,
        _table.event_id,
        _table.unit,
        type_coerce(_table.detail, Text).label("detail"),
        _table.prev_hash,
        _table.row_hash,
    ).order_by(_table.seq)


def _chained_row(row: Row[Any]) -> ChainedRow:
    at, detail, problems = _read_time(row.at), _read_detail(row.detail), []
    if at is None:
        problems.append(f"time {row.at!r} is not a time")
    if detail is None:
        problems.append("detail is not a JSON object")
    entry = AuditEntry(
        at=at or datetime.min.replace(tzinfo=UTC),
        kind=row.kind,
        event_id=row.event_id,
        unit=row.unit,
        detail=detail or {},
    )
    unreadable = "; ".join(problems) or None
    return ChainedRow(row.seq, entry, row.prev_hash, row.row_hash, unreadable)


def _read_time(value: object) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _read_detail(value: object) -> dict[str, Any] | None:
    parsed = value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
    return parsed if isinstance(parsed, dict) else None
