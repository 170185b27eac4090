"""Health probes for `/healthz`: small async callables, each saying what is wrong or None.

A service is healthy while every probe it was given passes: the router needs its broker and no
outbox partition stuck on a batch it cannot write for longer than a bound; the auditor its
broker, its store and a bounded journal lag; the tracker its broker and its store. A probe that
raises or overruns its time fails with the exception's name and first line (never the statement
parameters, which may hold personal data).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime, timedelta

    from faststream.kafka import KafkaBroker

Probe = Callable[[], Awaitable[str | None]]
"""None while healthy; otherwise what is wrong, in a few words."""

_PROBLEM_CHARS = 200


class PartitionProgress(Protocol):
    """What the stuck-partition probe asks of the router's bookkeeping
    (`hub.router.progress.PartitionProgress`): observability imports no service."""

    def stuck(
        self, now: datetime, longer_than: timedelta
    ) -> list[tuple[tuple[str, int], timedelta]]: ...


def broker_probe(broker: KafkaBroker, *, timeout_s: float) -> Probe:
    async def kafka_answers() -> str | None:
        if await broker.ping(timeout=timeout_s):
            return None
        return f"Kafka did not answer within {timeout_s:g} s"

    return kafka_answers


def writer_probe(ping: Callable[[float], Awaitable[str | None]], *, timeout_s: float) -> Probe:
    """Healthy while a service's record writer reaches the brokers (`RecordWriter.ping`)."""

    async def writer_answers() -> str | None:
        return await ping(timeout_s)

    return writer_answers


def store_probe(ping: Callable[[], Awaitable[object]]) -> Probe:
    """Healthy while `ping` returns; what it raises is the problem (e.g. `hub.store.engine.ping`
    on the service's engine, which bootstrap wires: observability knows no database)."""

    async def store_answers() -> str | None:
        await ping()
        return None

    return store_answers


def journal_lag_probe(lag: Callable[[], int], *, limit: int) -> Probe:
    async def journal_lag_bounded() -> str | None:
        behind = lag()
        if behind <= limit:
            return None
        return f"{behind} journal records not yet in the store (limit {limit})"

    return journal_lag_bounded


def stuck_partitions_probe(
    progress: PartitionProgress, clock: Callable[[], datetime], *, limit: timedelta
) -> Probe:
    async def partitions_moving() -> str | None:
        stuck = progress.stuck(clock(), limit)
        if not stuck:
            return None
        (topic, partition), spent = stuck[0]
        more = f" and {len(stuck) - 1} more" if len(stuck) > 1 else ""
        return (
            f"outbox {topic}/{partition}{more} stuck for {spent.total_seconds():.0f} s: "
            f"the router cannot write a batch's records (limit {limit.total_seconds():g} s)"
        )

    return partitions_moving


def provisional_deadlines_detail(count: Callable[[], int]) -> Probe:
    """A detail for `/healthz`, never a failure: open deliveries counted on a provisional
    calendar (`count` is the tracker's last sweep)."""

    async def deadlines_official() -> str | None:
        open_provisional = count()
        if open_provisional == 0:
            return None
        return (
            f"{open_provisional} open deliveries have provisional deadlines (a year without its "
            "State Council notice): add deploy/calendar/<year>.yaml and run `fyhub calendar apply`"
        )

    return deadlines_official


async def failing_probes(probes: Mapping[str, Probe], *, timeout_s: float) -> dict[str, str]:
    """Run every probe at once; name → problem for each that failed."""
    names = list(probes)
    results = await asyncio.gather(
        *(asyncio.wait_for(probes[name](), timeout_s) for name in names), return_exceptions=True
    )
    problems: dict[str, str] = {}
    for name, result in zip(names, results, strict=True):
        if isinstance(result, BaseException):
            problems[name] = _described(result, timeout_s)
        elif result is not None:
            problems[name] = result
    return problems


def _described(error: BaseException, timeout_s: float) -> str:
    if isinstance(error, TimeoutError):
        return f"no answer within {timeout_s:g} s"
    said = str(getattr(error, "orig", None) or error).splitlines()
    first = said[0][:_PROBLEM_CHARS] if said else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__
