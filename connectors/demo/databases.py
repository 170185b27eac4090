"""The demo units' own databases: one SQLite file each, as the demo plays a unit's system.

Set up as the hub's store is on SQLite, because in `fyhub up` they share the process and the
event loop with the hub's auditor and tracker: WAL (a unit's connector reads while its system
writes), `BEGIN IMMEDIATE` (a transaction that reads and then writes takes the lock first instead
of failing when another writer came in between), and a busy timeout of a minute (a transaction is
held across awaits; on a busy loop the holder can take many seconds to reach its COMMIT).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.engine import Connection

BUSY_TIMEOUT_S: Final = 60.0


def unit_database(path: Path) -> AsyncEngine:
    """An AsyncEngine on the SQLite file at `path`, its folder made if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{path}",
        hide_parameters=True,  # statement errors would otherwise print ID numbers and names
        connect_args={"timeout": BUSY_TIMEOUT_S},
    )
    event.listen(engine.sync_engine, "connect", _prepare_connection)
    event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


def _prepare_connection(dbapi_connection: Any, _record: object) -> None:
    # The driver's own transaction handling skips BEGIN before SELECT and DDL; SQLAlchemy emits
    # BEGIN instead (below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")
