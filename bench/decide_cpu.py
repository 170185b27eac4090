"""CPU per router decision, run by hand: `python -m bench.decide_cpu` (no broker, one process).

Times `hub.router.decide.decision` on the two events of `bench.run`: a targeted
`enforcement.query.requested.v1` to one unit of the test registry, and a `debtor.listed.v1` the
county's registry broadcasts to every `joint_punishment` unit. Each figure is the process CPU time
of a run of decisions divided by their number; runs are repeated and reported as min/median/max.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bench import rig
from hub.kafka.records import InboundRecord
from hub.router.decide import decision
from schemas.units import outbox_topic
from tests.hubkit import router_context

if TYPE_CHECKING:
    from hub.router.context import RouterContext

REGION = "411121"
COURT = f"court.{REGION}"


def per_decision_us(record: InboundRecord, ctx: RouterContext, now: datetime, count: int) -> float:
    started = time.process_time_ns()
    for _ in range(count):
        decision(record, ctx, now)
    return (time.process_time_ns() - started) / count / 1000


def scenario(
    name: str, record: InboundRecord, ctx: RouterContext, now: datetime, runs: int, count: int
) -> str:
    made = decision(record, ctx, now)
    if made.refused is not None:
        raise SystemExit(f"{name}: the bench event was refused ({made.refused})")
    per_decision_us(record, ctx, now, max(1, count // 10))  # warm caches, imports and the allocator
    figures = [per_decision_us(record, ctx, now, count) for _ in range(runs)]
    copies = len(made.recipients)
    return (
        f"{name:<10} {copies:>3} copies  µs/decision min {min(figures):7.1f}  "
        f"median {statistics.median(figures):7.1f}  max {max(figures):7.1f}  "
        f"(µs/copy median {statistics.median(figures) / copies:6.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--count", type=int, default=300, help="decisions per run")
    args = parser.parse_args()
    targeted = rig.events("enforcement.query.requested.v1", REGION, 1, to=f"tax.{REGION}")[0]
    broadcast = rig.events("debtor.listed.v1", REGION, 1)[0]
    with tempfile.TemporaryDirectory() as work:
        county = router_context(rig.county_registry(Path(work), REGION))
    now = datetime.now(UTC)  # the events were stamped just now (`bench.rig.events`)
    lines = [
        scenario("targeted", _record(targeted), router_context(), now, args.runs, args.count),
        scenario("broadcast", _record(broadcast), county, now, args.runs, args.count // 5),
    ]
    sys.stdout.write("\n".join(lines) + "\n")


def _record(value: bytes) -> InboundRecord:
    return InboundRecord(outbox_topic(COURT), 0, 1, b"key", value)


if __name__ == "__main__":
    main()
