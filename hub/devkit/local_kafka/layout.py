"""Where each local Kafka node lives and what its `server.properties` says (pure, no I/O).

A *topology* is one broker or a three-node cluster under `home`. Every node is a combined KRaft
broker+controller on 127.0.0.1 with a static quorum (`controller.quorum.voters`), so formatting
needs no quorum flag and a node can be re-rendered with new ports without touching its log.

Secured (the default), every node has two listeners, both bound to 127.0.0.1:

- `SASL_SSL` (the client port): TLS with the node's certificate from the topology's own CA, and
  SCRAM-SHA-512 logins. Clients, the hub's services and the administrator, log in here as their
  principal; so does inter-broker traffic (replication), as the nodes' own principal
  `kafka-node`, whose password the broker reads from its `server.properties` (mode 0600).
  SCRAM credentials live in the metadata log; every one a node needs to start is written there
  when the log directory is formatted (`--add-scram`), never created by a request right after
  the start, which races with the brokers' credential cache.
- `CONTROLLER` (the controller port): TLS that requires a client certificate from the same CA
  (mutual TLS), no SASL. SCRAM on the controller listener is fragile in KRaft (the controllers
  must agree on the metadata log before they could check a SCRAM password: KAFKA-15513), and a
  PLAINTEXT controller listener would make every local process that can reach it the
  unauthenticated super user `User:ANONYMOUS`. A certificate is only held by the nodes (its key
  is 0600 in the home), and `ssl.principal.mapping.rules` maps every node's `CN=kafka-node-<id>`
  to `User:kafka-node`.

`StandardAuthorizer` runs on every node with `allow.everyone.if.no.acl.found=false`: a principal
may do only what an ACL grants. The super users are `User:admin`, the administrator, and
`User:kafka-node`, the nodes themselves: broker registration, heartbeats, raft and forwarded
requests are authorized as the node's principal (CLUSTER_ACTION), and replication reads every
topic. Nothing else is a super user; in particular not `User:ANONYMOUS`.

`PLAINTEXT` (`fyhub kafka up --plaintext`) renders the listeners without TLS, SASL or an
authorizer, for unit tests and debugging only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hub.devkit.local_kafka.errors import LocalKafkaError
from hub.kafka import local_home
from hub.kafka.local_home import ADMIN_PRINCIPAL

if TYPE_CHECKING:
    from pathlib import Path

HOST = "127.0.0.1"
NODE_PRINCIPAL = "kafka-node"
"""The nodes' own principal: inter-broker SCRAM logins, and every node certificate's subject."""
SCRAM_MECHANISM = "SCRAM-SHA-512"
AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
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

    @property
    def ca_file(self) -> Path:
        """The CA certificate every client of a secured topology trusts."""
        return local_home.ca_file(self.home)

    @property
    def tls_folder(self) -> Path:
        return self.ca_file.parent

    @property
    def credentials_folder(self) -> Path:
        """`<principal>.password` files, one for each SCRAM principal of the topology."""
        return local_home.credentials_folder(self.home)

    def node(self, node_id: int) -> Node:
        return next(node for node in self.nodes if node.node_id == node_id)


@dataclass(frozen=True)
class NodeSecurity:
    """What a secured node's configuration names: its keystore, the CA, its SCRAM password."""

    keystore: Path
    ca_file: Path
    node_password: str = field(repr=False)


def single_node(home: Path, port: int, controller_port: int) -> Topology:
    directory = home / local_home.BROKER_FOLDER
    return _checked(Topology("broker", directory, (Node(1, port, controller_port, directory),)))


def three_nodes(home: Path, ports: tuple[int, ...], controller_ports: tuple[int, ...]) -> Topology:
    directory = home / local_home.CLUSTER_FOLDER
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


def server_properties(
    topology: Topology, node: Node, security: NodeSecurity | None = None
) -> dict[str, str]:
    """The node's broker configuration: durable defaults for the cluster, test-speed timings;
    secured when `security` is given, PLAINTEXT without it."""
    listeners = (
        _secured_listeners(node, security) if security is not None else _plaintext_listeners(node)
    )
    return {
        "process.roles": "broker,controller",
        "node.id": str(node.node_id),
        "controller.quorum.voters": topology.voters,
        **listeners,
        **_storage(topology, node),
    }


def _plaintext_listeners(node: Node) -> dict[str, str]:
    return {
        "listeners": f"PLAINTEXT://{node.address},CONTROLLER://{HOST}:{node.controller_port}",
        "advertised.listeners": f"PLAINTEXT://{node.address}",
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    }


def _secured_listeners(node: Node, security: NodeSecurity) -> dict[str, str]:
    jaas = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{NODE_PRINCIPAL}" password="{security.node_password}";'
    )
    return {
        "listeners": f"SASL_SSL://{node.address},CONTROLLER://{HOST}:{node.controller_port}",
        "advertised.listeners": f"SASL_SSL://{node.address}",
        "inter.broker.listener.name": "SASL_SSL",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "CONTROLLER:SSL,SASL_SSL:SASL_SSL",
        "sasl.enabled.mechanisms": SCRAM_MECHANISM,
        "sasl.mechanism.inter.broker.protocol": SCRAM_MECHANISM,
        f"listener.name.sasl_ssl.{SCRAM_MECHANISM.lower()}.sasl.jaas.config": jaas,
        # One keystore and truststore for both listeners, and for the node's own client side
        # (to the other controllers, and to the other brokers' SASL_SSL listeners).
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": str(security.keystore),
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": str(security.ca_file),
        "ssl.endpoint.identification.algorithm": "https",
        "listener.name.controller.ssl.client.auth": "required",
        "ssl.principal.mapping.rules": f"RULE:^CN=kafka-node-[0-9]+$/{NODE_PRINCIPAL}/,DEFAULT",
        "authorizer.class.name": AUTHORIZER,
        "allow.everyone.if.no.acl.found": "false",
        "super.users": f"User:{ADMIN_PRINCIPAL};User:{NODE_PRINCIPAL}",
    }


def _storage(topology: Topology, node: Node) -> dict[str, str]:
    replication = str(topology.replication)
    min_isr = str(max(1, topology.replication - 1))
    return {
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
