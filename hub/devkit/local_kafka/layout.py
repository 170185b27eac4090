"""Where each local Kafka node lives and what its `server.properties` says (pure, no I/O).

A *topology* is one broker or a three-node cluster under `home`. Every node is a combined KRaft
broker+controller on 127.0.0.1 with a static quorum (`controller.quorum.voters`), so formatting
needs no quorum flag and a node can be re-rendered with new ports without touching its log.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.devkit.local_kafka.errors import LocalKafkaError

if TYPE_CHECKING:
    from pathlib import Path

HOST = "127.0.0.1"
# Records are at most 1 MiB; the broker allows twice that so that the hub, not the broker, is the
# one that rejects an oversize record (with a `too_large` rejection instead of a producer error).
BROKER_MAX_MESSAGE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Node:
    node_id: int
    port: int
    controller_port: int
    directory: Path

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def properties_path(self) -> Path:
        return self.directory / "server.properties"

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    @property
    def log_path(self) -> Path:
        return self.directory / "broker.log"

    @property
    def pid_path(self) -> Path:
        return self.directory / "broker.pid"


@dataclass(frozen=True)
class Topology:
    """One local broker, or a cluster of nodes sharing one static controller quorum."""

    name: str
    home: Path
    nodes: tuple[Node, ...]

    @property
    def bootstrap(self) -> str:
        return ",".join(node.address for node in self.nodes)

    @property
    def voters(self) -> str:
        return ",".join(f"{n.node_id}@{HOST}:{n.controller_port}" for n in self.nodes)

    @property
    def replication(self) -> int:
        return min(3, len(self.nodes))

    @property
    def ports(self) -> list[int]:
        return [port for node in self.nodes for port in (node.port, node.controller_port)]

    def node(self, node_id: int) -> Node:
        return next(node for node in self.nodes if node.node_id == node_id)


def single_node(home: Path, port: int, controller_port: int) -> Topology:
    directory = home / "broker"
    return _checked(Topology("broker", directory, (Node(1, port, controller_port, directory),)))


def three_nodes(home: Path, ports: tuple[int, ...], controller_ports: tuple[int, ...]) -> Topology:
    directory = home / "cluster"
    nodes = tuple(
        Node(index, port, controller_port, directory / f"node-{index}")
        for index, (port, controller_port) in enumerate(
            zip(ports, controller_ports, strict=True), 1
        )
    )
    return _checked(Topology("cluster", directory, nodes))


def _checked(topology: Topology) -> Topology:
    reused = sorted(port for port, count in Counter(topology.ports).items() if count > 1)
    if reused:
        raise LocalKafkaError(
            f"The local Kafka {topology.name} settings use port {reused[0]} more than once; "
            "every client and controller port must be different."
        )
    return topology


def server_properties(topology: Topology, node: Node) -> dict[str, str]:
    """The node's broker configuration: durable defaults for the cluster, test-speed timings."""
    replication = str(topology.replication)
    min_isr = str(max(1, topology.replication - 1))
    return {
        "process.roles": "broker,controller",
        "node.id": str(node.node_id),
        "controller.quorum.voters": topology.voters,
        "listeners": f"PLAINTEXT://{node.address},CONTROLLER://{HOST}:{node.controller_port}",
        "advertised.listeners": f"PLAINTEXT://{node.address}",
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(node.data_dir),
        "num.partitions": "1",
        "default.replication.factor": replication,
        "min.insync.replicas": min_isr,
        "unclean.leader.election.enable": "false",
        "auto.create.topics.enable": "false",
        "offsets.topic.replication.factor": replication,
        "transaction.state.log.replication.factor": replication,
        "transaction.state.log.min.isr": min_isr,
        "share.coordinator.state.topic.replication.factor": replication,
        "share.coordinator.state.topic.min.isr": min_isr,
        "message.max.bytes": str(BROKER_MAX_MESSAGE_BYTES),
        "replica.fetch.max.bytes": str(BROKER_MAX_MESSAGE_BYTES),
        # Test speed: Kafka's defaults (50 partitions, 3 s rebalance delay, 128 MiB dedupe buffer)
        # are sized for production hosts and make a cold start and the first group join slow.
        "offsets.topic.num.partitions": replication,
        "transaction.state.log.num.partitions": replication,
        "group.initial.rebalance.delay.ms": "0",
        "log.cleaner.dedupe.buffer.size": str(2 * 1024 * 1024),
        "num.recovery.threads.per.data.dir": "1",
    }


def render_properties(properties: dict[str, str]) -> str:
    header = "# Written by `fyhub kafka up` on every start; edit the settings, not this file.\n"
    return header + "".join(f"{key}={value}\n" for key, value in properties.items())


def read_cluster_id(meta_properties: str) -> str | None:
    """The `cluster.id` in a formatted log directory's `meta.properties`, if any."""
    for line in meta_properties.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "cluster.id" and value.strip():
            return value.strip()
    return None
