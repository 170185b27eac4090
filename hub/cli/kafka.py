"""`fyhub kafka up|down|status [--cluster]`: the local Kafka broker, or the three-node cluster.

Each verb prints what it did in plain sentences. A failure prints one message naming the cause
(the manager's `LocalKafkaError`, with the end of the broker's log when the broker itself failed)
and exits with status 1; `status` exits with 3 when the broker is not running or not answering.

The broker runs secured (SASL_SSL, SCRAM-SHA-512, ACLs; docs/security.md) unless `--plaintext`
or `FYHUB_KAFKA__SECURITY_PROTOCOL=PLAINTEXT` says otherwise, which is for unit tests and
debugging only and logs a warning.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Annotated

import typer

from hub.bootstrap import load_settings
from hub.devkit.demo import build_local_kafka, build_local_kafka_cluster
from hub.devkit.local_kafka import LocalKafka, LocalKafkaError
from hub.devkit.local_kafka.preflight import jars_present
from hub.kafka.credentials import CredentialError

if TYPE_CHECKING:
    from collections.abc import Iterator

NOT_RUNNING_EXIT = 3

kafka_app = typer.Typer(
    help="Run a real Apache Kafka broker (or a three-node cluster) on this machine.",
    no_args_is_help=True,
)
ClusterOption = Annotated[
    bool,
    typer.Option("--cluster", help="The three-node cluster for fault tests, not the one broker."),
]
PlaintextOption = Annotated[
    bool,
    typer.Option(
        "--plaintext",
        help="No TLS, logins or ACLs: for unit tests and debugging only.",
    ),
]


@kafka_app.command()
def up(cluster: ClusterOption = False, plaintext: PlaintextOption = False) -> None:
    """Start the local broker (formatting it the first time), or reuse the one that runs."""
    with _plain_errors():
        kafka = _local_kafka(cluster, plaintext=plaintext)
        if not jars_present(kafka.runtime.jars):
            print(f"Resolving the broker jars into {kafka.runtime.jars} with Maven (once)…")
        result = asyncio.run(kafka.up())
    if result.reused:
        print(f"{_label(kafka)} was already running ({_pids(result.reused)}); reusing it.")
    if result.started:
        took = f"{result.seconds:.1f} s"
        print(f"Started {_label(kafka, start=False)} ({_pids(result.started)}) in {took}.")
    if kafka.secured:
        print("security: SASL_SSL, SCRAM-SHA-512, ACLs enforced (StandardAuthorizer)")
        print(f"admin password file: {kafka.password_file()}")
        print(f"CA certificate (ca_file): {kafka.ca_file}")
    else:
        print("security: none (PLAINTEXT); for unit tests and debugging only")
    print(f"bootstrap: {result.bootstrap}")


@kafka_app.command()
def down(cluster: ClusterOption = False) -> None:
    """Stop the local broker: SIGTERM, then SIGKILL if it has not exited after a while."""
    with _plain_errors():
        kafka = _local_kafka(cluster, plaintext=False)
        stopped = asyncio.run(kafka.down())
    if stopped:
        print(f"Stopped {_label(kafka, start=False)} ({_pids(stopped)}).")
    else:
        print(f"{_label(kafka)} was not running.")


@kafka_app.command()
def status(cluster: ClusterOption = False, plaintext: PlaintextOption = False) -> None:
    """Say whether the local broker runs, with its pid and address (exit status 3 if not)."""
    with _plain_errors():
        kafka = _local_kafka(cluster, plaintext=plaintext)
        nodes = kafka.status()
        all_running = all(node.running for node in nodes)
        answering = all_running and asyncio.run(kafka.answering())
    for node in nodes:
        state = f"running, pid {node.pid}" if node.running else "stopped"
        print(f"node {node.node_id}: {state}, {node.address}")
    if answering:
        print(f"{_label(kafka)} is running and answering at {kafka.bootstrap}.")
        return
    print(f"{_label(kafka)} is {'not answering' if all_running else 'not running'}.")
    raise typer.Exit(NOT_RUNNING_EXIT)


@contextlib.contextmanager
def _plain_errors() -> Iterator[None]:
    try:
        yield
    except (LocalKafkaError, CredentialError) as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None


def _local_kafka(cluster: bool, *, plaintext: bool) -> LocalKafka:
    settings = load_settings()
    if plaintext:
        kafka = settings.kafka.model_copy(update={"security_protocol": "PLAINTEXT"})
        settings = settings.model_copy(update={"kafka": kafka})
    return build_local_kafka_cluster(settings) if cluster else build_local_kafka(settings)


def _label(kafka: LocalKafka, *, start: bool = True) -> str:
    return f"{'The' if start else 'the'} local Kafka {kafka.topology.name}"


def _pids(pids: dict[int, int]) -> str:
    return ", ".join(f"node {node_id} pid {pid}" for node_id, pid in sorted(pids.items()))
