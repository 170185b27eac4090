"""The pieces of an end-to-end run: the hub's router on the real broker (tests/integration/rig.py),
the court connector on its own SQLite case database, SDK connectors with the test keys, and
helpers that wait for rows to show up in the court database."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.court.app import CourtApp, create_court_schema
from connectors.court.store import answers, exports
from connectors.sdk import Backoff, Connector, ConnectorOptions, RetryPolicy
from hub import bootstrap
from hub.store.engine import build_engine
from tests.hubkit import sdk_security, unit_key
from tests.integration.rig import Rig, bodies, read_matching

FAST = ConnectorOptions(
    reconnect=Backoff(first_s=0.1, max_s=1.0),
    retry=RetryPolicy(attempts=3, backoff=Backoff(first_s=0.1, max_s=0.5)),
    poll_s=0.2,
    stop_grace_s=2.0,
)
WAIT_S = 60.0


def connector(rig: Rig, dept: str, state_dir: Path, *, kafka: str | None = None) -> Connector:
    """An SDK connector of `dept` in the rig's region, signing with the unit's test key."""
    unit = rig.unit(dept)
    hub_key = bootstrap.load_hub_signing_key(rig.settings)
    return Connector(
        unit,
        bootstrap=kafka or rig.bootstrap,
        signing_key=unit_key(unit),
        key_id="k1",
        hub_keys={rig.settings.security.signing_key_id: hub_key.public_key()},
        state_dir=state_dir,
        options=replace(FAST, security=sdk_security(rig.kafka)),
    )


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def court_database(path: Path) -> AsyncEngine:
    engine = build_engine(sqlite_url(path))
    await create_court_schema(engine)
    return engine


@asynccontextmanager
async def running_court(
    rig: Rig, engine: AsyncEngine, state_dir: Path, *, kafka: str | None = None
) -> AsyncIterator[CourtApp]:
    """The court connector and its export drainer, stopped in the reverse order."""
    court = connector(rig, "court", state_dir, kafka=kafka)
    app = CourtApp(court, engine, poll_s=0.2)
    async with court:
        await app.start()
        try:
            yield app
        finally:
            await app.stop()


async def eventually(
    check: Callable[[], Awaitable[bool]], *, timeout: float = WAIT_S, what: str = "condition"
) -> None:
    """Wait until `check()` holds; fail naming `what` after `timeout` seconds."""
    try:
        async with asyncio.timeout(timeout):
            while not await check():
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout}s waiting for {what}") from None


async def count(engine: AsyncEngine, table: Any, *where: Any) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(table).where(*where)))


async def rows(engine: AsyncEngine, statement: Any) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        return [dict(row) for row in (await connection.execute(statement)).mappings()]


async def answers_to(engine: AsyncEngine, event_ids: set[str]) -> list[dict[str, Any]]:
    """The ledger rows of the answers to the court's events `event_ids`."""
    return await rows(engine, select(answers).where(answers.c.correlationid.in_(event_ids)))


async def wait_for_answers(
    engine: AsyncEngine, expected: dict[str, set[str]], *, timeout: float = WAIT_S
) -> list[dict[str, Any]]:
    """Wait until every event id in `expected` has an answer from each of its units."""

    async def answered() -> bool:
        got: dict[str, set[str]] = defaultdict(set)
        for row in await answers_to(engine, set(expected)):
            got[row["correlationid"]].add(row["sender"])
        return all(units <= got[event_id] for event_id, units in expected.items())

    await eventually(answered, timeout=timeout, what=f"answers to {len(expected)} event(s)")
    return await answers_to(engine, set(expected))


async def export_states(engine: AsyncEngine) -> dict[str, int]:
    statement = select(exports.c.status, func.count()).group_by(exports.c.status)
    async with engine.connect() as connection:
        return {str(status): int(n) for status, n in (await connection.execute(statement)).all()}


async def events_in(
    rig: Rig, topic: str, ids: set[str], *, timeout: float = WAIT_S
) -> list[dict[str, Any]]:
    """The records of `topic` carrying one of `ids`, in topic order, duplicates included."""
    records = await read_matching(
        rig.kafka,
        topic,
        lambda record: json.loads(record.value).get("id") in ids,
        len(ids),
        timeout=timeout,
    )
    return bodies(records)


def first_seen_per_subject(events: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Event ids per subject, in the order a deduplicating reader first sees them."""
    order: dict[str, list[str]] = defaultdict(list)
    for event in events:
        if event["id"] not in order[event["subject"]]:
            order[event["subject"]].append(event["id"])
    return dict(order)


FYHUB = Path(sys.executable).parent / "fyhub"
REPO = Path(__file__).resolve().parents[2]


def fyhub_trace(query: str, db: Path) -> subprocess.CompletedProcess[str]:
    """`fyhub trace QUERY` on the hub store in SQLite file `db`, with no FYHUB_ setting of the
    caller's environment (blocking: run it in a thread)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FYHUB_")}
    environment["FYHUB_DB__URL"] = f"sqlite+aiosqlite:///{db}"
    return subprocess.run(
        [str(FYHUB), "trace", query],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
