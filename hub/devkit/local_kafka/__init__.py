"""A real Apache Kafka (KRaft) broker, or a three-node cluster, run from Maven Central jars.

`fyhub kafka up|down|status` and the test fixtures drive it through `LocalKafka`, which
`hub.devkit.demo.build_local_kafka` / `build_local_kafka_cluster` build from the settings. Pieces:

- `layout`: node directories, ports and `server.properties`, secured or PLAINTEXT (pure);
- `tls`: the topology's own CA and one certificate per node;
- `commands`: the java / mvn command lines and Java version parsing (pure);
- `preflight`: port, Java and jar checks before a start;
- `processes`: spawning, pid files, liveness and stopping;
- `readiness`: whether the cluster metadata lists the brokers (asked as the administrator);
- `manager`: the up / down / status flow; `leases`: sharing one broker between test runs.

Every failure is a `LocalKafkaError` whose message says what to do, fit to print as is.
"""

from hub.devkit.local_kafka.commands import BrokerRuntime
from hub.devkit.local_kafka.errors import LocalKafkaError
from hub.devkit.local_kafka.layout import (
    BROKER_MAX_MESSAGE_BYTES,
    Topology,
    single_node,
    three_nodes,
)
from hub.devkit.local_kafka.leases import leased
from hub.devkit.local_kafka.manager import LocalKafka, NodeStatus, UpResult
from hub.devkit.local_kafka.readiness import listed_brokers

__all__ = [
    "BROKER_MAX_MESSAGE_BYTES",
    "BrokerRuntime",
    "LocalKafka",
    "LocalKafkaError",
    "NodeStatus",
    "Topology",
    "UpResult",
    "leased",
    "listed_brokers",
    "single_node",
    "three_nodes",
]
