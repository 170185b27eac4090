"""End-to-end fixtures: a hub router on the real broker, in a fresh region, per test."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.kafka.access import KafkaAccess
from tests.e2e.harness import court_database
from tests.integration.rig import Rig, running_rig


@pytest.fixture
async def rig(kafka_access: KafkaAccess, tmp_path: Path) -> AsyncIterator[Rig]:
    async with running_rig(tmp_path, kafka_access) as running:
        yield running


@pytest.fixture
async def court_db(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """The court's case database (SQLite), with its tables."""
    engine = await court_database(tmp_path / "court.db")
    yield engine
    await engine.dispose()
