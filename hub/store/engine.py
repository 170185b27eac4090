"""Build the store's AsyncEngine from a URL, with the settings each database needs."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hub.security.secret_files import write_private_file

SQLITE_BUSY_TIMEOUT_S = 60.0
"""How long a writer waits for SQLite's write lock. `fyhub up` runs the auditor, the tracker and
the demo's databases in one process on one event loop: a transaction is held across awaits, so
when the loop is busy (a first sweep, a burst of batches on two cores) the holder can take more
than 15 s to reach its COMMIT, and the waiter failed with `database is locked` though nothing was
wrong. A minute is longer than any such stall; a lock held longer than that is a fault worth an
error."""
POSTGRES_CONNECT_TIMEOUT_S = 10.0


def build_engine(url: str | URL, *, echo: bool = False, read_only: bool = False) -> AsyncEngine:
    """An AsyncEngine for `url` (`sqlite+aiosqlite:///…` or `postgresql+asyncpg://…`).

    `read_only` is for readers (trace, overdue, the console, scorecards): on SQLite their
    transactions do not take the write lock, so they never wait for, or hold up, a writer."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, echo=echo, read_only=read_only)
    return _server_engine(parsed, echo=echo)


async def ping(engine: AsyncEngine) -> None:
    """Returns once the store answers a trivial query; raises what the driver raised otherwise
    (the store probe of `/healthz`)."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


def _sqlite_engine(url: URL, *, echo: bool, read_only: bool) -> AsyncEngine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        create_private_file(Path(database))
    engine = create_async_engine(
        url,
        echo=echo,
        hide_parameters=True,  # statement errors would otherwise print ID numbers and names
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S},
    )
    event.listen(engine.sync_engine, "connect", _prepare_sqlite_connection)
    begin = _begin_read_transaction if read_only else _begin_sqlite_transaction
    event.listen(engine.sync_engine, "begin", begin)
    return engine


def create_private_file(path: Path) -> None:
    """Make `path` empty, mode 0600, and its missing folders 0700, unless it exists: the store
    holds personal data, and SQLite gives its `-wal` and `-shm` files the database's mode."""
    with contextlib.suppress(FileExistsError):
        write_private_file(path, "")


def _prepare_sqlite_connection(dbapi_connection: Any, _record: object) -> None:
    # The driver's own transaction handling skips BEGIN before SELECT and DDL, which breaks
    # repeatable reads and transactional migrations; SQLAlchemy emits BEGIN instead (see below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers (trace, overdue, scorecard) run while the auditor writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    # IMMEDIATE takes the write lock at BEGIN, waiting up to the busy timeout for it. A deferred
    # transaction that reads first and writes later fails at once, without waiting, when another
    # process wrote in between (SQLITE_BUSY_SNAPSHOT in WAL mode): the tracker and the auditor,
    # or a unit's own system and its connector, share one file. Readers use a read-only engine,
    # whose deferred transactions see the last commit (WAL) without taking the lock.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_read_transaction(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def _server_engine(url: URL, *, echo: bool) -> AsyncEngine:
    return create_async_engine(
        url,
        echo=echo,
        hide_parameters=True,  # statement errors would otherwise print ID numbers and names
        pool_size=5,
        max_overflow=10,
        pool_timeout=30,
        # Connections die with server restarts and idle-killing proxies; check before use.
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={
            "timeout": POSTGRES_CONNECT_TIMEOUT_S,
            "server_settings": {"application_name": "fyhub"},
        },
    )
