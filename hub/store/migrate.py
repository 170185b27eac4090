"""Alembic, configured in code: no alembic.ini is needed to bring a store up to date.

The engine's connection is handed to Alembic's env.py, so migrations run on the same async engine
(and, in the tests, the same PostgreSQL schema) as the code that uses the store.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from hub.store.engine import build_engine

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.engine import Connection
    from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    """The Alembic config for the store; `url` only matters when Alembic opens its own engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the store at `url` up to `revision`."""
    engine = build_engine(url)
    try:
        await upgrade_engine(engine, revision)
    finally:
        await engine.dispose()


async def upgrade_engine(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_run, command.upgrade, revision)


async def downgrade_engine(engine: AsyncEngine, revision: str = "base") -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_run, command.downgrade, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the store is at, or None when it was never migrated."""
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


def _run(connection: Connection, step: Callable[[Config, str], None], revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    step(config, revision)
