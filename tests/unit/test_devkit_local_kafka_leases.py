"""Sharing one local broker between test runs, against a fake broker manager."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from hub.devkit.local_kafka import LocalKafkaError, NodeStatus, UpResult, leased
from hub.devkit.local_kafka.layout import single_node

if TYPE_CHECKING:
    from pathlib import Path


class FakeLocalKafka:
    """Stands in for `LocalKafka`: a broker that is a pid, started and stopped on request."""

    def __init__(self, home: Path, *, running_pid: int | None = None) -> None:
        self.topology = single_node(home, 19092, 19093)
        self.pid = running_pid
        self.next_pid = 1000
        self.fail_with: str | None = None

    async def up(self) -> UpResult:
        if self.fail_with:
            raise LocalKafkaError(self.fail_with)
        if self.pid is not None:
            return UpResult("127.0.0.1:19092", {}, {1: self.pid}, 0.0, resolved_jars=False)
        self.pid, self.next_pid = self.next_pid, self.next_pid + 1
        return UpResult("127.0.0.1:19092", {1: self.pid}, {}, 1.0, resolved_jars=False)

    def status(self) -> list[NodeStatus]:
        return [NodeStatus(1, "127.0.0.1:19092", self.pid)]

    async def down(self) -> dict[int, int]:
        stopped = {1: self.pid} if self.pid is not None else {}
        self.pid = None
        return stopped


def dead_pid() -> int:
    process = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(process.stdout)


def lease_of(kafka: FakeLocalKafka, pid: int) -> Path:
    lease = kafka.topology.home / "leases" / f"{pid}-cafe"
    lease.parent.mkdir(parents=True, exist_ok=True)
    lease.touch()
    return lease


async def test_a_broker_started_for_a_lease_is_stopped_when_it_is_given_back(
    tmp_path: Path,
) -> None:
    kafka = FakeLocalKafka(tmp_path)
    async with leased(kafka) as result:
        assert result.started == {1: 1000}
        assert kafka.pid == 1000
    assert kafka.pid is None


async def test_a_broker_that_was_already_running_is_left_running(tmp_path: Path) -> None:
    kafka = FakeLocalKafka(tmp_path, running_pid=77)
    async with leased(kafka) as result:
        assert result.reused == {1: 77}
    assert kafka.pid == 77


async def test_the_broker_stays_up_while_another_live_process_holds_a_lease(
    tmp_path: Path,
) -> None:
    kafka = FakeLocalKafka(tmp_path)
    other_run = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import time; time.sleep(60)"
    )
    other_lease = lease_of(kafka, other_run.pid)
    try:
        async with leased(kafka):
            pass
        assert kafka.pid == 1000
    finally:
        other_run.kill()
        await other_run.wait()
    other_lease.unlink()
    async with leased(kafka):  # the last one out stops the broker the first one started
        pass
    assert kafka.pid is None


async def test_leases_of_runs_that_died_do_not_keep_the_broker_up(tmp_path: Path) -> None:
    kafka = FakeLocalKafka(tmp_path)
    stale = lease_of(kafka, dead_pid())
    async with leased(kafka):
        pass
    assert kafka.pid is None
    assert not stale.exists()


async def test_a_broker_restarted_by_a_person_meanwhile_is_left_running(tmp_path: Path) -> None:
    kafka = FakeLocalKafka(tmp_path)
    async with leased(kafka):
        kafka.pid = 4242  # stopped and started again with `fyhub kafka up`
    assert kafka.pid == 4242


async def test_a_failed_start_leaves_no_lease_behind(tmp_path: Path) -> None:
    kafka = FakeLocalKafka(tmp_path)
    kafka.fail_with = "Port 19092 on 127.0.0.1 is already in use"
    with pytest.raises(LocalKafkaError, match="already in use"):
        async with leased(kafka):
            pass
    assert list((kafka.topology.home / "leases").iterdir()) == []
