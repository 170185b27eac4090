"""The tracker's sweep over many open deliveries: a store seeded directly (bulk inserts through the
store's tables), then one sweep of the tracker as `hub.bootstrap` builds it, timed in a process
of its own so that its peak memory is the sweep's.

None of the seeded deliveries is due (their deadlines are days ahead): the sweep reads and
judges every one and publishes nothing, which is its cost on a quiet day with a large backlog.

    python -m bench.tracker_sweep        (the hub's settings from FYHUB_*; prints JSON)
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert

from hub import bootstrap
from hub.store.delivery_rows import WHOLE_PAYLOAD
from hub.store.engine import build_engine
from hub.store.migrate import upgrade_engine
from hub.store.tables import DeliveryRow, EventRow
from tests.hubkit import as_region, corpus_event

if TYPE_CHECKING:
    from pathlib import Path

    from bench.rig import Processes
    from hub.settings import Settings

_CHUNK = 5_000


async def seed(db_url: str, region: str, count: int, now: datetime) -> None:
    """`count` events from the court to the tax office, each with one open delivery."""
    engine = build_engine(db_url)
    try:
        await upgrade_engine(engine)
        event = as_region(corpus_event("enforcement.query.requested.v1"), region)
        source, recipient = event["source"], f"tax.{region}"
        for start in range(0, count, _CHUNK):
            ids = [str(uuid.uuid4()) for _ in range(min(_CHUNK, count - start))]
            events = [
                {
                    "source": source,
                    "event_id": event_id,
                    "type": event["type"],
                    "subject": event["subject"],
                    "case_no": event["subject"],
                    "time": now,
                    "received_at": now,
                    "envelope": event | {"id": event_id},
                    "signature": None,
                    "signing_key": None,
                }
                for event_id in ids
            ]
            deliveries = [
                {
                    "event_source": source,
                    "event_id": event_id,
                    "recipient": recipient,
                    "routed_at": now,
                    "fields": [WHOLE_PAYLOAD],
                    "receipt_due": now + timedelta(days=3),
                    "reply_due": now + timedelta(days=30),
                    "status": "routed",
                    "calendar": "official",
                }
                for event_id in ids
            ]
            async with engine.begin() as connection:
                await connection.execute(insert(EventRow), events)
                await connection.execute(insert(DeliveryRow), deliveries)
    finally:
        await engine.dispose()


async def sweep_once() -> dict[str, Any]:
    settings = bootstrap.load_settings()
    tracker = bootstrap.build_tracker(settings)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    report = await tracker.sweep(datetime.now(UTC))
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    await tracker.stop()
    return {
        "sweep_s": round(seconds, 3),
        "rss_before_mib": round(before / 1024, 1),
        "peak_rss_mib": round(peak / 1024, 1),
        "jobs": len(report.overdue) + len(report.redelivered) + len(report.escalated),
    }


async def seed_and_sweep(
    settings: Settings, count: int, processes: Processes, log: Path, *, store: str, db_url: str
) -> dict[str, Any]:
    from bench import rig  # noqa: PLC0415

    region = settings.registry.stem.rsplit("-", 1)[-1]
    began = time.perf_counter()
    await seed(db_url, region, count, datetime.now(UTC))
    seeded_s = time.perf_counter() - began
    env = rig.env_for(settings) | {"FYHUB_DB__URL": db_url}
    process = processes.start([sys.executable, "-m", "bench.tracker_sweep"], env, log)
    process.wait(timeout=600)
    printed = await asyncio.to_thread(log.read_text)
    lines = [line for line in printed.splitlines() if line.startswith('{"sweep_s"')]
    if process.returncode != 0 or not lines:
        msg = f"the tracker's sweep failed (status {process.returncode}); see workers.log"
        raise RuntimeError(msg)
    return {"open_deliveries": count, "store": store, "seed_s": round(seeded_s, 1)} | json.loads(
        lines[-1]
    )


if __name__ == "__main__":
    print(json.dumps(asyncio.run(sweep_once())), flush=True)
