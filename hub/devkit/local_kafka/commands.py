"""The command lines that format, start and resolve the local broker (pure, no I/O).

They are what Kafka's own `kafka-storage.sh` / `kafka-server-start.sh` run, minus the scripts:
`java -cp 'jars/*' kafka.tools.StorageTool format …` and `java -cp 'jars/*' kafka.Kafka props`.
"""

from __future__ import annotations

import base64
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from hub.devkit.local_kafka.layout import Node

MINIMUM_JAVA = 17
_JAVA_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')
_HEAP_SIZE = re.compile(r"(\d+)([kmg]?)", re.IGNORECASE)
_HEAP_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


@dataclass(frozen=True)
class BrokerRuntime:
    """What every node of a local topology runs on: the jars, their pom, logging and heap."""

    jars: Path
    pom: Path
    log4j_config: Path
    heap: str = "512m"


def parse_java_major(version_output: str) -> int | None:
    """The major version from `java -version` output (`1.8.0_392` → 8, `17.0.15` → 17)."""
    match = _JAVA_VERSION.search(version_output)
    if match is None:
        return None
    major = int(match.group(1))
    if major == 1 and match.group(2) is not None:
        return int(match.group(2))
    return major


def initial_heap(max_heap: str) -> str:
    """Half the maximum heap in MiB (`512m` → `256m`, `1g` → `512m`): an idle broker stays small."""
    match = _HEAP_SIZE.fullmatch(max_heap.strip())
    if match is None:
        return max_heap
    size = int(match.group(1)) * _HEAP_UNITS[match.group(2).lower()]
    return f"{max(1, size // 2 // _HEAP_UNITS['m'])}m"


def new_cluster_id() -> str:
    """A cluster id in Kafka's own form: URL-safe base64 of a random UUID, no padding, and (as
    Kafka's own `Uuid.randomUuid` does) never starting with `-`, which the storage tool's command
    line would take for an option (1 in 64 ids would)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _classpath(runtime: BrokerRuntime) -> str:
    # Left unexpanded on purpose: java itself expands a trailing `dir/*` into every jar in it.
    return str(runtime.jars / "*")


def format_command(
    java: str, runtime: BrokerRuntime, node: Node, cluster_id: str, scram: Sequence[str] = ()
) -> list[str]:
    """`scram`: `--add-scram` values (`ScramCredential.storage_argument()`), written into the
    metadata log's bootstrap records so that the credentials exist before any node starts."""
    # No --standalone / --initial-controllers: with controller.quorum.voters set Kafka forbids them.
    return [
        java,
        "-Xmx256m",
        f"-Dlog4j2.configurationFile={runtime.log4j_config}",
        "-cp",
        _classpath(runtime),
        "kafka.tools.StorageTool",
        "format",
        "--cluster-id",
        cluster_id,
        "--config",
        str(node.properties_path),
        "--ignore-formatted",
        *(part for argument in scram for part in ("--add-scram", argument)),
    ]


def broker_command(java: str, runtime: BrokerRuntime, node: Node) -> list[str]:
    return [
        java,
        f"-Xmx{runtime.heap}",
        f"-Xms{initial_heap(runtime.heap)}",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:+ExplicitGCInvokesConcurrent",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={runtime.log4j_config}",
        f"-Dkafka.logs.dir={node.directory / 'logs'}",
        "-cp",
        _classpath(runtime),
        "kafka.Kafka",
        str(node.properties_path),
    ]


def maven_command(mvn: str, runtime: BrokerRuntime) -> list[str]:
    return [
        mvn,
        "-B",
        "-q",
        "-f",
        str(runtime.pom),
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={runtime.jars}",
    ]


def is_broker_command_line(command_line: str, node: Node) -> bool:
    """Whether a process command line is this node's broker (guards against a recycled pid)."""
    return "kafka.Kafka" in command_line and str(node.properties_path) in command_line
