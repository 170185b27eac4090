"""The auditor's cost per journal entry, run by hand: `python -m bench.auditor_apply` (no broker).

What `bench.run`'s auditor-lag scenario puts on the auditor, without Kafka: each batch is the
journal records the router writes for `--batch` targeted events (one `event.routed` entry each),
made by `hub.router.decide.decision` and sealed with `hub.router.proof.seal_batch` as the router
seals a batch, then handed to the auditor as the consumer hands them (`ConsumerRecord`s). Each
figure is the wall time to read and check a batch (`read_consumer_record`) and apply it in one
committed transaction (`write_batch`), divided by its entries; the batches of a run follow one
another on one store, as the journal does. Runs are repeated and reported as min/median/max,
with the CPU the bench's process spent (the auditor's share, without the database server's),
which a busy machine disturbs less than the wall time.

PostgreSQL only with `--postgres URL` (a server of your own: `deploy/local/postgres.sh`); its
tables are dropped and migrated afresh. `--profile FILE` writes a cProfile of the timed batches.
Nothing is asserted; every batch must apply all its entries, or the bench stops.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiokafka import ConsumerRecord
from sqlalchemy.ext.asyncio import async_sessionmaker

from bench import rig
from hub.auditor.service import read_consumer_record, write_batch
from hub.journal.trust import JournalTrust
from hub.kafka.records import InboundRecord
from hub.registry import load_registry
from hub.router.context import unit_keyrings
from hub.router.decide import decision
from hub.router.proof import seal_batch
from hub.security.keyring import Keyring, ValidKey
from hub.store.engine import build_engine
from hub.store.migrate import downgrade_engine, upgrade_engine
from schemas.units import JOURNAL_TOPIC, outbox_topic
from tests.hubkit import TEST_REGISTRY, router_context

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

    from hub.router.context import RouterContext

REGION = "411121"
COURT = f"court.{REGION}"
QUERY = "enforcement.query.requested.v1"


def journal_batches(
    ctx: RouterContext, batches: int, size: int, first_offset: int
) -> list[list[ConsumerRecord[bytes, bytes]]]:
    """`batches` batches of the journal records the router writes for `size` fresh events each,
    as the auditor's consumer reads them, at offsets from `first_offset` on."""
    now = datetime.now(UTC)
    offset = first_offset
    made: list[list[ConsumerRecord[bytes, bytes]]] = []
    for _ in range(batches):
        outbound = []
        for n, value in enumerate(rig.events(QUERY, REGION, size, to=f"tax.{REGION}")):
            # Each its own outbox position too (as the journal's): one seen before is a redelivery.
            inbound = InboundRecord(outbox_topic(COURT), 0, offset + n, b"key", value)
            outbound.extend(decision(inbound, ctx, now).records)
        journal = [r for r in seal_batch(outbound, ctx.signer) if r.topic == JOURNAL_TOPIC]
        batch = []
        for record in journal:
            timestamp = int(time.time() * 1000)
            batch.append(
                ConsumerRecord(
                    JOURNAL_TOPIC,
                    0,
                    offset,
                    timestamp,
                    0,
                    record.key,
                    record.value,
                    None,
                    len(record.key or b""),
                    len(record.value),
                    list(record.headers),
                )
            )
            offset += 1
        made.append(batch)
    return made


async def timed_run(
    sessions: async_sessionmaker[AsyncSession],
    trust: JournalTrust,
    batches: list[list[ConsumerRecord[bytes, bytes]]],
    profile: cProfile.Profile | None,
) -> tuple[float, float]:
    """Wall and process CPU µs per entry over `batches`, applied one after the other."""
    entries = sum(len(batch) for batch in batches)
    started, cpu = time.perf_counter_ns(), time.process_time_ns()
    if profile is not None:
        profile.enable()
    for batch in batches:
        records = [read_consumer_record(raw, trust) for raw in batch]
        outcome = await write_batch(sessions, records, batch)
        if outcome.applied != len(batch):
            raise SystemExit(f"a batch applied {outcome.applied} of {len(batch)}: {outcome}")
    if profile is not None:
        profile.disable()
    wall_us = (time.perf_counter_ns() - started) / entries / 1000
    return wall_us, (time.process_time_ns() - cpu) / entries / 1000


async def scenario(name: str, engine: AsyncEngine, args: argparse.Namespace) -> str:
    await downgrade_engine(engine)
    await upgrade_engine(engine)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    ctx = router_context()
    signer = ctx.signer
    hub_keys = Keyring({signer.key_id: ValidKey(signer.key_id, signer.private_key.public_key())})
    trust = JournalTrust(hub_keys, unit_keyrings(load_registry(TEST_REGISTRY)))
    per_run = args.entries // args.batch
    offset = 0
    profile = cProfile.Profile() if args.profile else None
    figures: list[float] = []
    cpu: list[float] = []
    for run in range(args.runs + 1):  # the first warms caches, imports and the store
        batches = journal_batches(ctx, per_run, args.batch, offset)
        offset += per_run * args.batch
        wall_us, cpu_us = await timed_run(sessions, trust, batches, profile if run else None)
        if run:
            figures.append(wall_us)
            cpu.append(cpu_us)
    if profile is not None:
        profile.dump_stats(f"{args.profile}.{name}")
    return (
        f"{name:<10} {per_run} batches of {args.batch}  µs/entry min {min(figures):7.1f}  "
        f"median {statistics.median(figures):7.1f}  max {max(figures):7.1f}  "
        f"(the bench's own CPU µs/entry {min(cpu):.1f} / {statistics.median(cpu):.1f} / "
        f"{max(cpu):.1f})"
    )


async def main_async(args: argparse.Namespace) -> list[str]:
    lines = []
    with tempfile.TemporaryDirectory() as work:
        engine = build_engine(f"sqlite+aiosqlite:///{Path(work) / 'auditor.db'}")
        try:
            lines.append(await scenario("sqlite", engine, args))
        finally:
            await engine.dispose()
    if args.postgres:
        engine = build_engine(args.postgres)
        try:
            lines.append(await scenario("postgresql", engine, args))
        finally:
            await engine.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--entries", type=int, default=2000, help="journal entries per run")
    parser.add_argument("--batch", type=int, default=500, help="the auditor's max_records")
    parser.add_argument("--postgres", help="SQLAlchemy URL of a PostgreSQL server of your own")
    parser.add_argument("--profile", help="write cProfile stats to FILE.sqlite, FILE.postgresql")
    args: Any = parser.parse_args()
    sys.stdout.write("\n".join(asyncio.run(main_async(args))) + "\n")


if __name__ == "__main__":
    main()
