"""`fyhub kafka up|status|down` run as a person runs them: a subprocess, in its own home and ports.

The failure tests check the promise of the CLI: a non-zero exit, one message naming the cause
(no traceback), and, for a port conflict, an answer within seconds.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hub.devkit.local_kafka.processes import is_alive
from tests.fixtures.ports import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

REPO = Path(__file__).resolve().parents[2]
FYHUB = Path(sys.executable).parent / "fyhub"


@pytest.fixture
def local_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for a broker of its own: a temporary home and two free ports."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FYHUB_")}
    env |= {
        "FYHUB_LOCAL_KAFKA__HOME": str(tmp_path / "kafka"),
        "FYHUB_LOCAL_KAFKA__PORT": str(free_port()),
        "FYHUB_LOCAL_KAFKA__CONTROLLER_PORT": str(free_port()),
        "FYHUB_LOCAL_KAFKA__START_TIMEOUT_S": "90",
    }
    yield env
    fyhub("kafka", "down", env=env)  # whatever a failed test left behind


def fyhub(
    *args: str, env: dict[str, str], timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FYHUB), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_plain_failure(result: subprocess.CompletedProcess, *expected: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    for text in expected:
        assert text in result.stderr


def test_up_fails_within_seconds_naming_the_port_that_is_taken(local_env: dict[str, str]) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", int(local_env["FYHUB_LOCAL_KAFKA__PORT"])))
        squatter.listen()
        began = time.monotonic()
        result = fyhub("kafka", "up", env=local_env, timeout=30)
        took = time.monotonic() - began
    assert_plain_failure(result, f"Port {local_env['FYHUB_LOCAL_KAFKA__PORT']} ", "already in use")
    assert took < 5, f"a port conflict took {took:.1f} s to report"


@pytest.mark.kafka
@pytest.mark.slow
def test_up_reuse_status_and_down(local_env: dict[str, str]) -> None:
    address = f"127.0.0.1:{local_env['FYHUB_LOCAL_KAFKA__PORT']}"

    started = fyhub("kafka", "up", env=local_env)
    assert started.returncode == 0, started.stderr
    assert "Started the local Kafka broker" in started.stdout
    assert "security: SASL_SSL, SCRAM-SHA-512" in started.stdout
    assert started.stdout.splitlines()[-1] == f"bootstrap: {address}"
    home = Path(local_env["FYHUB_LOCAL_KAFKA__HOME"]) / "broker"
    assert f"admin password file: {home / 'credentials' / 'admin.password'}" in started.stdout
    assert f"CA certificate (ca_file): {home / 'tls' / 'ca.crt'}" in started.stdout
    for secret in (
        "credentials/admin.password",
        "tls/ca.key",
        "tls/node-1.pem",
        "server.properties",
    ):
        assert (home / secret).stat().st_mode & 0o077 == 0, f"{secret} is readable by others"
    for folder in ("credentials", "tls"):
        assert (home / folder).stat().st_mode & 0o077 == 0

    again = fyhub("kafka", "up", env=local_env)
    assert again.returncode == 0, again.stderr
    assert "already running" in again.stdout
    assert "reusing it" in again.stdout

    running = fyhub("kafka", "status", env=local_env)
    assert running.returncode == 0, running.stdout
    pid = int(running.stdout.split("pid ")[1].split(",")[0])
    assert is_alive(pid)
    assert f"running and answering at {address}" in running.stdout

    stopped = fyhub("kafka", "down", env=local_env)
    assert stopped.returncode == 0, stopped.stderr
    assert f"pid {pid}" in stopped.stdout
    assert not is_alive(pid)

    after = fyhub("kafka", "status", env=local_env)
    assert after.returncode == 3
    assert f"node 1: stopped, {address}" in after.stdout


@pytest.mark.kafka
@pytest.mark.slow
def test_plaintext_is_an_explicit_opt_out_that_warns(local_env: dict[str, str]) -> None:
    started = fyhub("kafka", "up", "--plaintext", env=local_env)
    assert started.returncode == 0, started.stderr
    assert "PLAINTEXT: no TLS, no logins, no ACLs" in started.stderr
    assert "security: none (PLAINTEXT)" in started.stdout
    running = fyhub("kafka", "status", "--plaintext", env=local_env)
    assert running.returncode == 0, running.stdout
    home = Path(local_env["FYHUB_LOCAL_KAFKA__HOME"]) / "broker"
    assert not (home / "credentials").exists()
    fyhub("kafka", "down", env=local_env)
    # A home formatted without credentials cannot be started secured: no one could log in.
    refused = fyhub("kafka", "up", env=local_env)
    assert_plain_failure(refused, "formatted without credentials", "--plaintext")


@pytest.mark.kafka
def test_up_shows_the_log_of_a_broker_that_exits_during_start(local_env: dict[str, str]) -> None:
    data = Path(local_env["FYHUB_LOCAL_KAFKA__HOME"]) / "broker" / "data"
    data.mkdir(parents=True)
    # A log directory formatted for another node: Kafka refuses it and exits at once.
    (data / "meta.properties").write_text(
        "version=1\ncluster.id=MCVFnxRmThWGvrPAJTonqg\nnode.id=7\n"
        "directory.id=FlUWwwEt2U-cpzh9tA2nvg\n"
    )
    # PLAINTEXT: a secured start refuses a home formatted without credentials before spawning.
    result = fyhub("kafka", "up", "--plaintext", env=local_env)
    assert_plain_failure(result, "exited during start", "Stored node id 7")
    assert (
        not (data.parent / "broker.pid").exists()
        or "running" not in fyhub("kafka", "status", env=local_env).stdout
    )


def test_up_without_java_says_java_17_is_needed(local_env: dict[str, str], tmp_path: Path) -> None:
    local_env.pop("JAVA_HOME", None)
    local_env["PATH"] = str(tmp_path)  # nothing in it
    result = fyhub("kafka", "up", env=local_env, timeout=30)
    assert_plain_failure(result, "Java 17 or newer is needed", "no java was found")


def test_up_with_java_8_says_java_17_is_needed(local_env: dict[str, str], tmp_path: Path) -> None:
    old_java = tmp_path / "jdk8" / "bin" / "java"
    old_java.parent.mkdir(parents=True)
    old_java.write_text("#!/bin/sh\necho 'java version \"1.8.0_392\"' >&2\n")
    old_java.chmod(0o755)
    local_env["JAVA_HOME"] = str(old_java.parent.parent)
    result = fyhub("kafka", "up", env=local_env, timeout=30)
    assert_plain_failure(result, "Java 17 or newer is needed", "is Java 8")


def test_up_without_jars_or_maven_says_maven_is_needed(
    local_env: dict[str, str], tmp_path: Path
) -> None:
    java = shutil.which("java")
    assert java, "these tests need Java 17+ on the PATH"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "java").symlink_to(java)
    local_env.pop("JAVA_HOME", None)
    local_env["PATH"] = str(bin_dir)
    local_env["FYHUB_LOCAL_KAFKA__JARS"] = str(tmp_path / "no-jars-yet")
    result = fyhub("kafka", "up", env=local_env, timeout=30)
    assert_plain_failure(result, "Maven (mvn) is not installed", "no-jars-yet")
