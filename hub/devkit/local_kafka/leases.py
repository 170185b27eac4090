"""Share one local broker between processes that each need it for a while, such as test runs.

A process takes a *lease* (a file named after its pid under the topology's `leases/` folder) and
then brings the broker up, reusing it if it runs. When that had to start nodes, their pids are
recorded in `started-for-leases`. Giving back the last live lease stops the broker if it is still
those processes; a broker started by a person with `fyhub kafka up` is left running, and so is a
broker that other live processes still hold. Leases of processes that died no longer count.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from typing import TYPE_CHECKING

from hub.devkit.local_kafka.locks import file_lock
from hub.devkit.local_kafka.processes import is_alive

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from hub.devkit.local_kafka.manager import LocalKafka, UpResult


@contextlib.asynccontextmanager
async def leased(kafka: LocalKafka) -> AsyncIterator[UpResult]:
    """The local broker up for the block; stopped after it if no one else needs it."""
    lease = kafka.topology.home / "leases" / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    async with file_lock(_lock_path(kafka)):
        lease.parent.mkdir(parents=True, exist_ok=True)
        lease.touch()
        try:
            result = await kafka.up()
        except BaseException:
            lease.unlink(missing_ok=True)
            raise
        if result.started:
            _record_started(kafka, set(result.started.values()))
    try:
        yield result
    finally:
        async with file_lock(_lock_path(kafka)):
            lease.unlink(missing_ok=True)
            await _stop_if_unused(kafka)


async def _stop_if_unused(kafka: LocalKafka) -> None:
    if _live_leases(kafka.topology.home / "leases"):
        return
    started_for_leases = _recorded_started(kafka)
    running = {status.pid for status in kafka.status() if status.pid is not None}
    if running & started_for_leases:
        await kafka.down()
    _marker(kafka).unlink(missing_ok=True)


def _live_leases(folder: Path) -> list[Path]:
    live = []
    for lease in folder.glob("*-*"):
        pid = lease.name.partition("-")[0]
        if pid.isdigit() and is_alive(int(pid)):
            live.append(lease)
        else:
            lease.unlink(missing_ok=True)
    return live


def _record_started(kafka: LocalKafka, pids: set[int]) -> None:
    pids |= _recorded_started(kafka)
    _marker(kafka).write_text("".join(f"{pid}\n" for pid in sorted(pids)), encoding="utf-8")


def _recorded_started(kafka: LocalKafka) -> set[int]:
    try:
        text = _marker(kafka).read_text(encoding="utf-8")
    except FileNotFoundError:
        return set()
    return {int(line) for line in text.split() if line.isdigit()}


def _marker(kafka: LocalKafka) -> Path:
    return kafka.topology.home / "started-for-leases"


def _lock_path(kafka: LocalKafka) -> Path:
    return kafka.topology.home / "leases.lock"
