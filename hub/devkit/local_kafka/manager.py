"""Start, reuse, stop and report the local Kafka broker or three-node cluster.

`up()`, under a file lock so that two callers never race:

1. Nodes whose pid file names a live broker are reused as they are.
2. For the others: check their ports are free, that Java 17+ is there, that the jars are there
   (resolving them with Maven once if not); when secured, make the topology's CA, the nodes'
   certificates and a password file for every principal that has none (`layout` says which
   listener serves whom); write `server.properties`, format the log directory if it was never
   formatted (all nodes of a topology share one cluster id), with a SCRAM credential for the
   administrator, the nodes and every principal given, and spawn them.
3. Wait until the cluster metadata, asked as the administrator, lists every node as a broker. A
   node that exits meanwhile, or a topology not ready within `start_timeout_s`, fails the call
   with the end of the node's log, after stopping whatever this call started.
4. Principals given that the metadata log does not know yet (added after the first format) are
   created on the running cluster, and `up()` returns once they can log in.

`down()` sends SIGTERM to every live node at once (a controlled shutdown that could wait for a
quorum if the nodes were stopped one by one), waits, then SIGKILLs what is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from hub.devkit.local_kafka import preflight, processes
from hub.devkit.local_kafka.commands import (
    BrokerRuntime,
    broker_command,
    format_command,
    new_cluster_id,
)
from hub.devkit.local_kafka.errors import LocalKafkaError
from hub.devkit.local_kafka.layout import (
    NODE_PRINCIPAL,
    Node,
    NodeSecurity,
    Topology,
    read_cluster_id,
    render_properties,
)
from hub.devkit.local_kafka.layout import server_properties as node_properties
from hub.devkit.local_kafka.locks import file_lock
from hub.devkit.local_kafka.readiness import listed_brokers
from hub.devkit.local_kafka.tls import ensure_tls
from hub.kafka import scram_admin
from hub.kafka.access import KafkaAccess
from hub.kafka.credentials import (
    checked_principal,
    ensure_password,
    password_path,
    read_password,
)
from hub.kafka.local_home import ADMIN_PRINCIPAL
from hub.kafka.scram import credential

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

log = logging.getLogger(__name__)
_POLL_S = 0.25


@dataclass(frozen=True)
class NodeStatus:
    node_id: int
    address: str
    pid: int | None

    @property
    def running(self) -> bool:
        return self.pid is not None


@dataclass(frozen=True)
class UpResult:
    bootstrap: str
    started: dict[int, int]
    """node id → pid of each node this call started."""
    reused: dict[int, int]
    """node id → pid of each node that was already running."""
    seconds: float
    resolved_jars: bool


class LocalKafka:
    def __init__(
        self,
        topology: Topology,
        runtime: BrokerRuntime,
        *,
        secured: bool = True,
        principals: Iterable[str] = (),
        start_timeout_s: float = 120.0,
        stop_timeout_s: float = 30.0,
    ) -> None:
        """`principals`: SCRAM users besides the administrator to create, each with a password
        file of its own (`password_file`); `secured=False` runs PLAINTEXT (tests, debugging)."""
        self.topology = topology
        self.runtime = runtime
        self.secured = secured
        self.principals = tuple(
            dict.fromkeys(checked_principal(p) for p in (ADMIN_PRINCIPAL, *principals))
        )
        self.start_timeout_s = start_timeout_s
        self.stop_timeout_s = stop_timeout_s

    @property
    def bootstrap(self) -> str:
        return self.topology.bootstrap

    @property
    def ca_file(self) -> Path:
        """The CA certificate that signed every node's certificate: the clients' `ca_file`."""
        return self.topology.ca_file

    @property
    def credentials_folder(self) -> Path:
        """The `<principal>.password` files of this topology's principals."""
        return self.topology.credentials_folder

    def password_file(self, principal: str = ADMIN_PRINCIPAL) -> Path:
        return password_path(self.topology.credentials_folder, principal)

    def access(self, principal: str = ADMIN_PRINCIPAL) -> KafkaAccess:
        """How a client reaches this topology as `principal` (its password read from its file);
        PLAINTEXT, without a principal, when the topology is not secured."""
        if not self.secured:
            return KafkaAccess(self.bootstrap, protocol="PLAINTEXT")
        return KafkaAccess(
            self.bootstrap,
            username=principal,
            password=read_password(self.password_file(principal)),
            ca_file=self.ca_file,
        )

    def status(self) -> list[NodeStatus]:
        return [
            NodeStatus(node.node_id, node.address, processes.running_pid(node))
            for node in self.topology.nodes
        ]

    async def answering(self, timeout_s: float = 5.0) -> bool:
        """Whether the cluster metadata lists every node of the topology as a broker."""
        expected = {node.node_id for node in self.topology.nodes}
        return expected <= await listed_brokers(self._admin_access(), timeout_s)

    async def up(self) -> UpResult:
        if not self.secured:
            log.warning(
                "The local Kafka %s runs PLAINTEXT: no TLS, no logins, no ACLs. For unit tests "
                "and debugging only.",
                self.topology.name,
            )
        async with self._locked():
            began = time.monotonic()
            reused = {n.node_id: pid for n in self.topology.nodes if (pid := self._pid(n))}
            missing = [node for node in self.topology.nodes if node.node_id not in reused]
            java, resolved_jars = "", False
            if missing:
                java, resolved_jars = await asyncio.to_thread(self._prepare, missing)
            started: dict[int, int] = {}
            try:
                for node in missing:
                    started[node.node_id] = processes.spawn(
                        broker_command(java, self.runtime, node), node
                    )
                await self._wait_ready(started)
                if self.secured:
                    await self._create_missing_principals()
            except BaseException:
                await self._stop(started)  # a half-started topology is of no use to anyone
                raise
            seconds = time.monotonic() - began
            return UpResult(self.bootstrap, started, reused, seconds, resolved_jars)

    async def down(self) -> dict[int, int]:
        """Stop every live node; node id → pid of the nodes that were running."""
        async with self._locked():
            running = {n.node_id: pid for n in self.topology.nodes if (pid := self._pid(n))}
            await self._stop(running)
            for node in self.topology.nodes:
                node.pid_path.unlink(missing_ok=True)  # stale ones too
            return running

    def kill(self, node_id: int, signum: signal.Signals = signal.SIGKILL) -> int:
        """Send a signal to one live node (fault injection); its pid."""
        pid = self._pid(self.topology.node(node_id))
        if pid is None:
            raise LocalKafkaError(
                f"Kafka node {node_id} of the local {self.topology.name} is not running."
            )
        processes.kill(pid, signum)
        return pid

    async def _stop(self, pids: dict[int, int]) -> None:
        await processes.stop(pids.values(), self.stop_timeout_s)
        for node_id in pids:
            self.topology.node(node_id).pid_path.unlink(missing_ok=True)

    @staticmethod
    def _pid(node: Node) -> int | None:
        return processes.running_pid(node)

    def _locked(self) -> contextlib.AbstractAsyncContextManager[None]:
        return file_lock(self.topology.home / "manager.lock")

    def _prepare(self, nodes: list[Node]) -> tuple[str, bool]:
        """Everything before spawning, cheapest check first; the java to run and whether mvn ran."""
        preflight.check_ports_free(nodes)
        java = preflight.find_java()
        preflight.check_java(java)
        resolved_jars = preflight.ensure_jars(self.runtime)
        security = self._secure(nodes) if self.secured else {}
        for node in nodes:
            node.data_dir.mkdir(parents=True, exist_ok=True)
            text = render_properties(node_properties(self.topology, node, security.get(node)))
            _write_private(node.properties_path, text)  # it holds the node's SCRAM password
        self._format(java, nodes)
        return java, resolved_jars

    def _secure(self, nodes: list[Node]) -> dict[Node, NodeSecurity]:
        """The CA, the nodes' keystores and every principal's password file, made if missing."""
        folder = self.topology.credentials_folder
        if self._formatted() and not password_path(folder, ADMIN_PRINCIPAL).exists():
            raise LocalKafkaError(
                f"The local Kafka {self.topology.name} in {self.topology.home} was formatted "
                "without credentials (by a PLAINTEXT start), so no one could log in to it. "
                f"Remove {self.topology.home} (its topics are lost) to start it secured, or "
                "start it with --plaintext."
            )
        files = ensure_tls(
            self.topology.tls_folder,
            [node.node_id for node in self.topology.nodes],
            datetime.now(UTC),
            ca_name=f"fyhub local Kafka {self.topology.name} CA",
        )
        node_password, _ = ensure_password(folder, NODE_PRINCIPAL)
        for principal in self.principals:
            ensure_password(folder, principal)
        return {
            node: NodeSecurity(
                files.node_keystore(node.node_id), files.ca_certificate, node_password
            )
            for node in nodes
        }

    def _scram_arguments(self) -> list[str]:
        """`--add-scram` values for the nodes' principal and every other principal, salted here
        so that no password appears on the storage tool's command line."""
        if not self.secured:
            return []
        folder = self.topology.credentials_folder
        return [
            credential(user, read_password(password_path(folder, user))).storage_argument()
            for user in (NODE_PRINCIPAL, *self.principals)
        ]

    async def _create_missing_principals(self) -> None:
        """Principals the metadata log lacks (added since the format), created and waited for."""
        admin = self._admin_access()
        known = await scram_admin.describe_credentials(admin, list(self.principals))
        for principal in self.principals:
            if principal not in known:
                password = read_password(self.password_file(principal))
                await scram_admin.set_password(admin, principal, password)

    def _admin_access(self) -> KafkaAccess:
        return self.access(ADMIN_PRINCIPAL)

    def _formatted(self) -> bool:
        return any(_meta_properties(node).exists() for node in self.topology.nodes)

    def _format(self, java: str, nodes: list[Node]) -> None:
        unformatted = [node for node in nodes if not _meta_properties(node).exists()]
        if not unformatted:
            return
        cluster_id = self._cluster_id()
        scram = self._scram_arguments()
        for node in unformatted:
            result = subprocess.run(
                format_command(java, self.runtime, node, cluster_id, scram),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            if result.returncode != 0:
                output = preflight.last_lines(result.stdout + result.stderr)
                raise LocalKafkaError(
                    f"Formatting the log directory {node.data_dir} of Kafka node {node.node_id} "
                    f"failed (exit code {result.returncode}):\n{output}"
                )

    def _cluster_id(self) -> str:
        """The id the topology's formatted nodes already share, or a new one."""
        for node in self.topology.nodes:
            with contextlib.suppress(FileNotFoundError):
                cluster_id = read_cluster_id(_meta_properties(node).read_text(encoding="utf-8"))
                if cluster_id:
                    return cluster_id
        return new_cluster_id()

    async def _wait_ready(self, started: dict[int, int]) -> None:
        deadline = time.monotonic() + self.start_timeout_s
        while True:
            for node_id, pid in started.items():
                if not processes.is_alive(pid):
                    node = self.topology.node(node_id)
                    raise LocalKafkaError(
                        f"Kafka node {node_id} ({node.address}) exited during start. The last "
                        f"lines of {node.log_path}:\n{processes.log_tail(node)}"
                    )
            listed = await listed_brokers(self._admin_access())
            unlisted = [node for node in self.topology.nodes if node.node_id not in listed]
            if not unlisted:
                return
            if time.monotonic() > deadline:
                raise self._not_ready_error(unlisted[0])
            await asyncio.sleep(_POLL_S)

    def _not_ready_error(self, node: Node) -> LocalKafkaError:
        return LocalKafkaError(
            f"Kafka node {node.node_id} ({node.address}) of the local {self.topology.name} was "
            f"not listed as a broker within {self.start_timeout_s:.0f} s. The last lines of "
            f"{node.log_path}:\n{processes.log_tail(node)}"
        )


def _meta_properties(node: Node) -> Path:
    return node.data_dir / "meta.properties"


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a file written before by an older version may be 0644
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
