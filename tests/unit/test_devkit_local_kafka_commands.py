from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub.devkit.local_kafka.commands import (
    BrokerRuntime,
    broker_command,
    format_command,
    initial_heap,
    is_broker_command_line,
    maven_command,
    new_cluster_id,
    parse_java_major,
)
from hub.devkit.local_kafka.layout import single_node

RUNTIME = BrokerRuntime(
    jars=Path("/repo/build/kafka/jars"),
    pom=Path("/repo/deploy/local/pom.xml"),
    log4j_config=Path("/repo/deploy/local/log4j2.properties"),
    heap="512m",
)
NODE = single_node(Path("/home/kafka"), 19092, 19093).nodes[0]


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('java version "1.8.0_392"\nJava(TM) SE Runtime Environment', 8),
        ('openjdk version "11.0.22" 2024-01-16 LTS', 11),
        ('openjdk version "25-ea" 2025-09-16', 25),
        ('Picked up JAVA_TOOL_OPTIONS: -Xss2m\nopenjdk version "17.0.2"', 17),
        ("bash: java: command not found", None),
    ],
)
def test_java_major_version_is_parsed_from_java_version_output(
    output: str, major: int | None
) -> None:
    assert parse_java_major(output) == major


@pytest.mark.parametrize(
    ("max_heap", "initial"),
    [("512m", "256m"), ("1G", "512m"), ("2g", "1024m"), ("1m", "1m"), ("odd", "odd")],
)
def test_initial_heap_is_half_the_maximum(max_heap: str, initial: str) -> None:
    assert initial_heap(max_heap) == initial


def test_broker_command_runs_kafka_on_the_node_properties_with_a_small_heap() -> None:
    command = broker_command("/usr/bin/java", RUNTIME, NODE)
    assert command[0] == "/usr/bin/java"
    assert command[-2:] == ["kafka.Kafka", "/home/kafka/broker/server.properties"]
    assert "-Xmx512m" in command
    assert "-Xms256m" in command
    assert command[command.index("-cp") + 1] == "/repo/build/kafka/jars/*"
    assert "-Dlog4j2.configurationFile=/repo/deploy/local/log4j2.properties" in command


def test_format_command_uses_the_cluster_id_and_no_quorum_flag() -> None:
    command = format_command("java", RUNTIME, NODE, "MCVFnxRmThWGvrPAJTonqg")
    tool = command.index("kafka.tools.StorageTool")
    assert command[tool + 1] == "format"
    assert command[command.index("--cluster-id") + 1] == "MCVFnxRmThWGvrPAJTonqg"
    assert command[command.index("--config") + 1] == "/home/kafka/broker/server.properties"
    assert not {"--standalone", "--initial-controllers", "--no-initial-controllers"} & set(command)


def test_maven_command_copies_runtime_dependencies_into_the_jars_folder() -> None:
    command = maven_command("mvn", RUNTIME)
    assert command[command.index("-f") + 1] == "/repo/deploy/local/pom.xml"
    assert "dependency:copy-dependencies" in command
    assert "-DincludeScope=runtime" in command
    assert "-DoutputDirectory=/repo/build/kafka/jars" in command


def test_cluster_ids_look_like_kafkas_own() -> None:
    ids = {new_cluster_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", cluster_id) for cluster_id in ids)


def test_no_cluster_id_starts_with_a_dash_the_storage_tool_would_read_as_an_option() -> None:
    # One random id in 64 would; 2,000 draws miss that with a chance of about 1e-14.
    assert not [cluster_id for _ in range(2000) if (cluster_id := new_cluster_id())[0] == "-"]


def test_only_this_nodes_kafka_process_counts_as_its_broker() -> None:
    mine = " ".join(broker_command("java", RUNTIME, NODE))
    other_node = mine.replace("/home/kafka/broker/", "/home/other/broker/")
    assert is_broker_command_line(mine, NODE)
    assert not is_broker_command_line(other_node, NODE)
    assert not is_broker_command_line("sleep 1000", NODE)
