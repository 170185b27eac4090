"""Broker processes: spawn detached with a pid file, tell whether one is alive, stop it.

A broker is spawned in its own session (so Ctrl-C in the terminal that ran `fyhub kafka up` does
not reach it) with stdout and stderr appended to the node's `broker.log`. Its pid goes to
`broker.pid`. A pid counts as the node's broker only while that process is alive and its command
line is `kafka.Kafka <this node's server.properties>`, so a recycled pid is never signalled.
Stopping is SIGTERM (Kafka's controlled shutdown), a wait, then SIGKILL.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hub.devkit.local_kafka.commands import is_broker_command_line

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hub.devkit.local_kafka.layout import Node

KILL_WAIT_S = 10.0
_POLL_S = 0.1
_TAIL_BYTES = 64 * 1024


def spawn(command: list[str], node: Node) -> int:
    node.directory.mkdir(parents=True, exist_ok=True)
    with node.log_path.open("a", encoding="utf-8") as log:
        log.write(f"--- fyhub: starting node {node.node_id} at {datetime.now(UTC).isoformat()}\n")
    # posix_spawn rather than subprocess.Popen: no Popen object outlives the call, so nothing
    # warns about a "still running" child when the process that started the broker moves on.
    pid = os.posix_spawnp(
        command[0],
        command,
        os.environ,
        file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, str(node.log_path), os.O_WRONLY | os.O_APPEND, 0),
            (os.POSIX_SPAWN_DUP2, 1, 2),
        ],
        setsid=True,
    )
    node.pid_path.write_text(f"{pid}\n", encoding="utf-8")
    return pid


def recorded_pid(node: Node) -> int | None:
    try:
        return int(node.pid_path.read_text(encoding="utf-8").strip())
    except (FileNotFoundError, ValueError):
        return None


def running_pid(node: Node) -> int | None:
    """The pid of this node's live broker, or None (the pid file may be stale)."""
    pid = recorded_pid(node)
    if pid is not None and is_alive(pid) and _runs_this_broker(pid, node):
        return pid
    return None


def is_alive(pid: int) -> bool:
    try:
        # Reap the broker if it is our own child that has exited; otherwise it lingers as a
        # zombie, which still answers signal 0.
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _runs_this_broker(pid: int, node: Node) -> bool:
    proc = Path("/proc")
    if not proc.is_dir():
        return True  # no procfs to ask; the pid file and signal 0 must do
    try:
        command_line = (proc / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return is_broker_command_line(command_line.decode(errors="replace"), node)


async def stop(pids: Iterable[int], timeout_s: float) -> None:
    """SIGTERM every pid, wait up to `timeout_s` for all of them, SIGKILL what is left."""
    remaining = _signal(pids, signal.SIGTERM)
    remaining = await _wait_exited(remaining, timeout_s)
    if remaining:
        await _wait_exited(_signal(remaining, signal.SIGKILL), KILL_WAIT_S)


def kill(pid: int, signum: signal.Signals) -> None:
    _signal([pid], signum)


def _signal(pids: Iterable[int], signum: signal.Signals) -> set[int]:
    signalled = set()
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            continue
        signalled.add(pid)
    return signalled


async def _wait_exited(pids: set[int], timeout_s: float) -> set[int]:
    deadline = time.monotonic() + timeout_s
    alive = {pid for pid in pids if is_alive(pid)}
    while alive and time.monotonic() < deadline:
        await asyncio.sleep(_POLL_S)
        alive = {pid for pid in alive if is_alive(pid)}
    return alive


def log_tail(node: Node, count: int = 30) -> str:
    try:
        with node.log_path.open("rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - _TAIL_BYTES))
            text = log.read().decode(errors="replace")
    except FileNotFoundError:
        return "(no log was written)"
    return "\n".join(text.rstrip().splitlines()[-count:])
