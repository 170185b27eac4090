"""deploy/compose/kafka/start.sh on the real Kafka jars: the brokers' configuration is one Kafka
accepts, and their metadata log is formatted with the set-up's SCRAM credentials.

No container runs here, so the script runs on this machine with the jars of deploy/local/pom.xml
(`make jars`, the same Kafka version as the compose file's image) in place of the image's
/opt/kafka: a stand-in `bin/kafka-storage.sh` runs Kafka's own StorageTool, and a stand-in
`bin/kafka-server-start.sh` records what it was asked to start instead of starting it (the
nodes' names, kafka-1…3, resolve only on the compose network).
"""

from __future__ import annotations

import importlib.util
import shutil
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
JARS = REPO / "build" / "kafka" / "jars"
START = REPO / "deploy" / "compose" / "kafka" / "start.sh"
SHARED = REPO / "deploy" / "compose" / "kafka" / "server.properties"

pytestmark = pytest.mark.slow


def _make_secrets(out: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_secrets", REPO / "deploy" / "compose" / "setup" / "make_secrets.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_secrets"] = module
    spec.loader.exec_module(module)
    module.make(out, datetime.now(UTC), chown=False)


@pytest.fixture
def node(tmp_path: Path) -> dict[str, str]:
    """The environment of broker 1, its secrets laid out as compose hands them over."""
    assert (JARS / ".resolved").exists() or any(JARS.glob("kafka_2.13-*.jar")), (
        f"no Kafka jars in {JARS}: run `make jars`"
    )
    made = tmp_path / "made"
    _make_secrets(made)
    secrets = tmp_path / "run-secrets"
    secrets.mkdir()
    for target, source in {
        "kafka_ca": "kafka/ca.crt",
        "kafka_keystore": "kafka/node-1.pem",
        "kafka_node_password": "kafka/kafka-node.password",
        "kafka_scram_args": "kafka/scram.args",
        "kafka_cluster_id": "kafka/cluster.id",
    }.items():
        shutil.copy(made / source, secrets / target)
    home = tmp_path / "kafka-home"
    (home / "bin").mkdir(parents=True)
    java = shutil.which("java")
    assert java is not None, "Java 17+ is needed (apt-get install openjdk-17-jre-headless)"
    log4j = REPO / "deploy" / "local" / "log4j2.properties"
    storage = home / "bin" / "kafka-storage.sh"
    storage.write_text(
        f"#!/bin/sh\nexec {java} -Xmx256m -Dlog4j2.configurationFile={log4j} "
        f"-cp '{JARS}/*' kafka.tools.StorageTool \"$@\"\n"
    )
    server = home / "bin" / "kafka-server-start.sh"
    server.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/started\n')
    for script in (storage, server):
        script.chmod(0o755)
    data = tmp_path / "data"
    data.mkdir()
    return {
        "PATH": "/usr/bin:/bin",
        "FYHUB_KAFKA_NODE_ID": "1",
        "FYHUB_KAFKA_HOME": str(home),
        "FYHUB_SECRETS_DIR": str(secrets),
        "FYHUB_KAFKA_DATA": str(data),
        "FYHUB_KAFKA_SHARED_PROPERTIES": str(SHARED),
    }


def _start(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/bash", str(START)],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )


def test_a_node_is_formatted_with_the_set_ups_credentials_and_started(
    node: dict[str, str],
) -> None:
    done = _start(node)
    assert done.returncode == 0, done.stdout + done.stderr
    data = Path(node["FYHUB_KAFKA_DATA"])
    properties = data / "server.properties"
    assert stat.S_IMODE(properties.stat().st_mode) == 0o600, "it holds the nodes' password"
    rendered = properties.read_text(encoding="utf-8")
    assert "node.id=1\n" in rendered
    assert "advertised.listeners=SASL_SSL://kafka-1:9092\n" in rendered
    meta = (data / "log" / "meta.properties").read_text(encoding="utf-8")
    cluster_id = (Path(node["FYHUB_SECRETS_DIR"]) / "kafka_cluster_id").read_text().strip()
    assert f"cluster.id={cluster_id}" in meta
    assert "node.id=1" in meta
    # the SCRAM users are records of the metadata log's bootstrap checkpoint
    checkpoint = (data / "log" / "bootstrap.checkpoint").read_bytes()
    for user in (b"admin", b"kafka-node", b"fyhub.router", b"fyhub.auditor", b"fyhub.tracker"):
        assert user in checkpoint, user
    started = (Path(node["FYHUB_KAFKA_DATA"]).parent / "started").read_text().strip()
    assert started == str(properties)


def test_a_restarted_node_keeps_its_log(node: dict[str, str]) -> None:
    assert _start(node).returncode == 0
    meta = Path(node["FYHUB_KAFKA_DATA"]) / "log" / "meta.properties"
    before = meta.read_text(encoding="utf-8")
    again = _start(node)
    assert again.returncode == 0, again.stdout + again.stderr
    assert meta.read_text(encoding="utf-8") == before


def test_a_node_without_its_secrets_refuses_to_start(node: dict[str, str]) -> None:
    (Path(node["FYHUB_SECRETS_DIR"]) / "kafka_scram_args").unlink()
    done = _start(node)
    assert done.returncode == 1
    assert "kafka_scram_args is missing" in done.stderr
    assert not (Path(node["FYHUB_KAFKA_DATA"]) / "log").exists()
