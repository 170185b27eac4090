from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from hub.devkit.local_kafka import LocalKafkaError
from hub.devkit.local_kafka.commands import BrokerRuntime
from hub.devkit.local_kafka.layout import single_node
from hub.devkit.local_kafka.preflight import (
    check_java,
    check_ports_free,
    ensure_jars,
    find_java,
    jars_present,
    port_is_free,
)
from tests.fixtures.ports import free_port


def script(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def runtime(jars: Path) -> BrokerRuntime:
    return BrokerRuntime(jars=jars, pom=Path("deploy/local/pom.xml"), log4j_config=Path("x"))


def test_a_listening_port_is_taken_and_a_closed_one_is_free() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert not port_is_free(port)
    assert port_is_free(port)


def test_a_port_merely_bound_by_another_socket_is_taken() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        assert not port_is_free(holder.getsockname()[1])


def test_the_port_check_names_the_taken_port_and_its_role(tmp_path: Path) -> None:
    node = single_node(tmp_path, free_port(), free_port()).nodes[0]
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", node.controller_port))
        squatter.listen()
        with pytest.raises(LocalKafkaError, match=f"Port {node.controller_port} .*controller port"):
            check_ports_free([node])
    check_ports_free([node])


def test_java_from_java_home_must_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-jdk"))
    with pytest.raises(LocalKafkaError, match="no java was found"):
        find_java()


def test_java_older_than_17_is_refused_with_its_version(tmp_path: Path) -> None:
    java = script(tmp_path, "java", "echo 'openjdk version \"11.0.22\" 2024-01-16' >&2")
    with pytest.raises(LocalKafkaError, match="is Java 11"):
        check_java(str(java))


def test_the_machines_java_is_17_or_newer() -> None:
    assert check_java(find_java()) >= 17


def test_jars_are_present_once_the_kafka_jar_is(tmp_path: Path) -> None:
    assert not jars_present(tmp_path / "missing")
    (tmp_path / "kafka_2.13-4.1.2.jar").touch()
    assert jars_present(tmp_path)
    assert ensure_jars(runtime(tmp_path)) is False  # nothing to resolve


def test_missing_jars_without_maven_say_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(LocalKafkaError, match=r"Maven \(mvn\) is not installed"):
        ensure_jars(runtime(tmp_path / "jars"))


def test_missing_jars_are_resolved_with_maven(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jars = tmp_path / "jars"
    # A stand-in for mvn that does what copy-dependencies does: put the jars in -DoutputDirectory.
    script(
        tmp_path / "bin",
        "mvn",
        'for a in "$@"; do case "$a" in -DoutputDirectory=*) out="${a#*=}";; esac; done\n'
        'mkdir -p "$out" && touch "$out/kafka_2.13-4.1.2.jar"',
    )
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    assert ensure_jars(runtime(jars)) is True
    assert jars_present(jars)


def test_a_failing_maven_run_shows_its_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script(tmp_path / "bin", "mvn", "echo '[ERROR] Could not resolve kafka_2.13'; exit 1")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(LocalKafkaError, match=r"(?s)exit code 1.*Could not resolve kafka_2\.13"):
        ensure_jars(runtime(tmp_path / "jars"))
