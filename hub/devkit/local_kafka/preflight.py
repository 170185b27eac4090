"""Checks made before a node is started, each failing with a message that names the cause.

Order matters for speed: the ports are checked first (instant), then Java (one short process),
and only then the jars, which may need Maven to download them once.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from hub.devkit.local_kafka.commands import (
    MINIMUM_JAVA,
    BrokerRuntime,
    maven_command,
    parse_java_major,
)
from hub.devkit.local_kafka.errors import LocalKafkaError
from hub.devkit.local_kafka.layout import HOST, Node

if TYPE_CHECKING:
    from collections.abc import Iterable

MAVEN_TIMEOUT_S = 900.0


def port_is_free(port: int, host: str = HOST) -> bool:
    """Whether a broker could bind `host:port` now (something listening or bound there: no)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Like the JVM's server sockets: a port held only by TIME_WAIT connections counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def check_ports_free(nodes: Iterable[Node]) -> None:
    for node in nodes:
        for role, port in (("client", node.port), ("controller", node.controller_port)):
            if not port_is_free(port):
                raise LocalKafkaError(
                    f"Port {port} on {HOST} is already in use by another process, so the local "
                    f"Kafka node {node.node_id} cannot take it as its {role} port. Stop that "
                    "process, or choose other ports: FYHUB_LOCAL_KAFKA__PORT and "
                    "FYHUB_LOCAL_KAFKA__CONTROLLER_PORT for the broker, "
                    "FYHUB_LOCAL_KAFKA__CLUSTER_PORTS and __CLUSTER_CONTROLLER_PORTS for the "
                    "cluster."
                )


def find_java() -> str:
    """`$JAVA_HOME/bin/java` when set (as Kafka's scripts do), else `java` on the PATH."""
    java_home = os.environ.get("JAVA_HOME")
    candidate = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if candidate is None or not Path(candidate).is_file():
        raise LocalKafkaError(
            f"Java {MINIMUM_JAVA} or newer is needed to run the local Kafka broker, but no java "
            "was found (looked in JAVA_HOME, then on the PATH). Install a JDK or JRE "
            f"{MINIMUM_JAVA}+ (for example `apt-get install openjdk-{MINIMUM_JAVA}-jre-headless`)."
        )
    return candidate


def check_java(java: str) -> int:
    result = subprocess.run(
        [java, "-version"], capture_output=True, text=True, timeout=60, check=False
    )
    major = parse_java_major(result.stderr + result.stdout)
    if major is None or major < MINIMUM_JAVA:
        found = f"Java {major}" if major else "of unknown version"
        raise LocalKafkaError(
            f"Java {MINIMUM_JAVA} or newer is needed to run the local Kafka broker (Kafka 4), "
            f"but {java} is {found}. Install Java {MINIMUM_JAVA}+ and put it first on the PATH "
            "or point JAVA_HOME at it."
        )
    return major


def jars_present(jars: Path) -> bool:
    return any(jars.glob("kafka_2.13-*.jar"))


def ensure_jars(runtime: BrokerRuntime) -> bool:
    """Resolve the broker jars with Maven unless they are there; whether Maven had to run."""
    if jars_present(runtime.jars):
        return False
    mvn = shutil.which("mvn")
    if mvn is None:
        raise LocalKafkaError(
            f"The Kafka broker jars are not in {runtime.jars}, and Maven (mvn) is not installed "
            f"to resolve them from {runtime.pom}. Install Maven (for example `apt-get install "
            "maven`) and run the command again; it downloads them once."
        )
    try:
        result = subprocess.run(
            maven_command(mvn, runtime),
            capture_output=True,
            text=True,
            timeout=MAVEN_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise LocalKafkaError(
            f"Maven did not finish resolving the Kafka jars from {runtime.pom} within "
            f"{MAVEN_TIMEOUT_S:.0f} s; check the network access to Maven Central."
        ) from exc
    if result.returncode != 0 or not jars_present(runtime.jars):
        output = last_lines(result.stdout + result.stderr)
        raise LocalKafkaError(
            f"Maven could not resolve the Kafka broker jars from {runtime.pom} into "
            f"{runtime.jars} (exit code {result.returncode}). Its last output:\n{output}"
        )
    return True


def last_lines(text: str, count: int = 30) -> str:
    return "\n".join(text.rstrip().splitlines()[-count:])
