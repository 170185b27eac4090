"""Process handling, exercised on real short-lived processes standing in for a broker."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest

from hub.devkit.local_kafka import processes
from hub.devkit.local_kafka.layout import Node, single_node

SLEEPER = "import time; time.sleep(60)"
TERM_IGNORER = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('ignoring SIGTERM', flush=True); time.sleep(60)"
)


@pytest.fixture
def node(tmp_path: Path) -> Node:
    return single_node(tmp_path, 1, 2).nodes[0]


async def wait_for_log(node: Node, text: str) -> None:
    async with asyncio.timeout(10):
        while text not in processes.log_tail(node):
            await asyncio.sleep(0.05)


async def test_a_spawned_process_gets_a_pid_file_and_its_output_goes_to_the_log(
    node: Node,
) -> None:
    pid = processes.spawn([sys.executable, "-c", "print('hello from the broker')"], node)
    assert processes.recorded_pid(node) == pid
    await wait_for_log(node, "hello from the broker")
    assert "fyhub: starting node 1" in processes.log_tail(node)


async def test_an_exited_child_is_reaped_and_not_alive(node: Node) -> None:
    pid = processes.spawn([sys.executable, "-c", "pass"], node)
    async with asyncio.timeout(10):
        while processes.is_alive(pid):
            await asyncio.sleep(0.05)


async def test_a_pid_file_naming_another_program_is_not_the_broker(node: Node) -> None:
    pid = processes.spawn([sys.executable, "-c", SLEEPER], node)
    try:
        await wait_for_command_line(pid, SLEEPER)
        assert processes.is_alive(pid)
        assert processes.running_pid(node) is None
    finally:
        await processes.stop([pid], timeout_s=5)


async def test_a_process_running_the_nodes_properties_counts_as_its_broker(node: Node) -> None:
    command = [sys.executable, "-c", SLEEPER, "kafka.Kafka", str(node.properties_path)]
    pid = processes.spawn(command, node)
    try:
        await wait_for_command_line(pid, SLEEPER)
        assert processes.running_pid(node) == pid
    finally:
        await processes.stop([pid], timeout_s=5)
    assert processes.running_pid(node) is None


async def wait_for_command_line(pid: int, text: str) -> None:
    """Until the spawned process has exec'd (its /proc command line is empty before that)."""
    async with asyncio.timeout(10):
        while text.encode() not in command_line(pid):
            await asyncio.sleep(0.01)


def command_line(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


async def test_stop_terminates_with_sigterm(node: Node) -> None:
    pid = processes.spawn([sys.executable, "-c", SLEEPER], node)
    began = time.monotonic()
    await processes.stop([pid], timeout_s=10)
    assert not processes.is_alive(pid)
    assert time.monotonic() - began < 5


async def test_stop_kills_what_ignores_sigterm_after_the_timeout(node: Node) -> None:
    pid = processes.spawn([sys.executable, "-c", TERM_IGNORER], node)
    await wait_for_log(node, "ignoring SIGTERM")
    began = time.monotonic()
    await processes.stop([pid], timeout_s=0.5)
    assert not processes.is_alive(pid)
    assert 0.5 <= time.monotonic() - began < 5


def test_the_log_tail_is_the_last_lines(node: Node) -> None:
    assert processes.log_tail(node) == "(no log was written)"
    node.directory.mkdir(parents=True)
    node.log_path.write_text("".join(f"line {n}\n" for n in range(100)))
    tail = processes.log_tail(node).splitlines()
    assert tail == [f"line {n}" for n in range(70, 100)]
