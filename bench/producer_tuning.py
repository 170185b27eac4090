"""The router's writer settings, measured: `python -m bench.producer_tuning` (by hand, never in
a loop or a test).

For each `linger_ms` (0/1/2/5) and `max_batch_size` (16/64/256 KiB), a `RecordWriter` with that
shape writes what the router writes for targeted events (per event a copy to a 3-partition inbox
and an entry in the 1-partition journal) in two ways:
- busy: batches of 500 events (1,000 records), one `write_all` after the other: records/s;
- quiet: one event (2 records) per `write_all`, one after the other: ms until acknowledged, the
  floor of the router's latency at a low rate.
Every combination is measured `--rounds` times, the rounds interleaved (all combinations once,
then again) so that a slow spell of the shared machine falls on all of them alike; the report is
median / min / max over the rounds. On a broker of the bench's own unless `--bootstrap` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from hub import bootstrap
from hub.kafka.records import Outbound
from hub.kafka.writer import RecordWriter
from tests.fixtures import own_kafka

if TYPE_CHECKING:
    from hub.kafka.access import KafkaAccess

HERE = Path(__file__).resolve().parent
LINGERS_MS = (0, 1, 2, 5)
BATCH_SIZES = (16_384, 65_536, 262_144)
EVENTS_PER_BATCH = 500
COPY_BYTES, JOURNAL_BYTES = 1_200, 1_600  # a signed corpus event, and its journal entry


@dataclass
class Figures:
    linger_ms: int
    max_batch_size: int
    busy_records_s: list[float] = field(default_factory=list)
    quiet_ack_ms: list[float] = field(default_factory=list)


def event_records(inbox: str, journal: str, n: int) -> list[Outbound]:
    key = b"%d" % (n % 64)
    return [
        Outbound(inbox, key, b"c" * COPY_BYTES, (("fy-event-id", b"%d" % n),)),
        Outbound(journal, key, b"j" * JOURNAL_BYTES),
    ]


async def new_topics(kafka: KafkaAccess) -> tuple[str, str]:
    run = uuid.uuid4().hex[:8]
    inbox, journal = f"bench.tuning.{run}.inbox", f"bench.tuning.{run}.journal"
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(inbox, 3, 1), NewTopic(journal, 1, 1)])
    finally:
        await admin.close()
    return inbox, journal


async def measure_once(
    kafka: KafkaAccess, topics: tuple[str, str], figures: Figures, args: argparse.Namespace
) -> None:
    writer = RecordWriter(
        kafka,
        client_id="fyhub-bench-tuning",
        max_request_size=4 * 1_048_576,
        linger_ms=figures.linger_ms,
        max_batch_size=figures.max_batch_size,
    )
    await writer.start()
    try:
        batch = [r for n in range(EVENTS_PER_BATCH) for r in event_records(*topics, n)]
        await writer.write_all(batch)  # warm-up: metadata, connections, producer id
        started = time.perf_counter()
        for _ in range(args.batches):
            await writer.write_all(batch)
        figures.busy_records_s.append(args.batches * len(batch) / (time.perf_counter() - started))
        acks = []
        for n in range(args.quiet_writes):
            started = time.perf_counter()
            await writer.write_all(event_records(*topics, n))
            acks.append((time.perf_counter() - started) * 1000)
        figures.quiet_ack_ms.append(statistics.median(acks))
    finally:
        await writer.stop()


def spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
    }


async def measure(kafka: KafkaAccess, args: argparse.Namespace) -> list[Figures]:
    topics = await new_topics(kafka)
    all_figures = [Figures(linger, size) for linger, size in product(LINGERS_MS, BATCH_SIZES)]
    for round_ in range(args.rounds):
        for figures in all_figures:
            await measure_once(kafka, topics, figures, args)
        print(f"round {round_ + 1}/{args.rounds} done", flush=True)
    return all_figures


def report(all_figures: list[Figures], args: argparse.Namespace) -> None:
    rows = [
        {
            "linger_ms": f.linger_ms,
            "max_batch_kib": f.max_batch_size // 1024,
            "busy_records_s": spread(f.busy_records_s),
            "quiet_ack_ms": spread(f.quiet_ack_ms),
        }
        for f in all_figures
    ]
    print(f"{args.rounds} rounds; busy: {args.batches} batches of {2 * EVENTS_PER_BATCH} records;")
    print(f"quiet: median of {args.quiet_writes} one-event writes. median [min–max]")
    print("linger_ms  batch_KiB  busy records/s              quiet ack ms")
    for row in rows:
        busy, quiet = row["busy_records_s"], row["quiet_ack_ms"]
        print(
            f"{row['linger_ms']:>9}  {row['max_batch_kib']:>9}  "
            f"{busy['median']:>8.0f} [{busy['min']:.0f}–{busy['max']:.0f}]  "
            f"{quiet['median']:>10.1f} [{quiet['min']:.1f}–{quiet['max']:.1f}]"
        )
    (HERE / "producer_tuning.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


async def main(args: argparse.Namespace) -> None:
    settings = bootstrap.load_settings()
    if args.bootstrap or settings.kafka.bootstrap:
        kafka = bootstrap.kafka_access(settings)
        report(await measure(kafka, args), args)
        return
    home = own_kafka.new_home(own_kafka.REPO / "build" / "bench" / "kafka")
    async with own_kafka.running(own_kafka.single_broker(home), home) as own:
        report(await measure(own.access(), args), args)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batches", type=int, default=10, help="busy batches per measurement")
    parser.add_argument("--quiet-writes", type=int, default=60, help="one-event writes each")
    parser.add_argument("--bootstrap", help="Kafka bootstrap; default: a broker of the bench's own")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
