"""The wiring a developer's machine adds to the hub: the local broker (`fyhub kafka up`, the
tests) and the one-machine demo (`fyhub up`). Like `hub.bootstrap`, it builds from settings at
start-up and nothing at import time; the product never imports it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hub import bootstrap
from hub.devkit.enrolment import KEY_ID, enrol_all
from hub.devkit.local_kafka import BrokerRuntime, LocalKafka, Topology, single_node, three_nodes
from hub.kafka.access import KafkaAccessError
from hub.registry import load_registry
from hub.settings import DeadlineSettings, TrackerSettings

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from connectors.demo.linkage import DemoLinkage
    from connectors.sdk import KafkaSecurity
    from hub.kafka.access import KafkaAccess
    from hub.settings import Settings


def build_local_kafka(settings: Settings, *, principals: Iterable[str] = ()) -> LocalKafka:
    """The single local broker that `fyhub kafka up` and the tests run: secured unless
    `kafka.security_protocol` is PLAINTEXT, with a SCRAM credential for the administrator and
    for each of `principals`."""
    local = settings.local_kafka
    topology = single_node(local.home.absolute(), local.port, local.controller_port)
    return _manager(settings, topology, principals)


def build_local_kafka_cluster(settings: Settings, *, principals: Iterable[str] = ()) -> LocalKafka:
    """The local three-node cluster (`fyhub kafka up --cluster`) for fault tests."""
    local = settings.local_kafka
    home = local.home.absolute()
    topology = three_nodes(home, local.cluster_ports, local.cluster_controller_ports)
    return _manager(settings, topology, principals)


def on_local_kafka(settings: Settings, kafka: LocalKafka, principal: str = "admin") -> Settings:
    """`settings` with the running local `kafka` as the brokers, reached as `principal` (its
    password file and the topology's CA), as `fyhub up` runs the hub on it."""
    update: dict[str, object] = {"bootstrap": kafka.bootstrap}
    if kafka.secured:
        update |= {
            "security_protocol": "SASL_SSL",
            "username": principal,
            "password": None,
            "password_file": kafka.password_file(principal),
            "ca_file": kafka.ca_file,
        }
    else:
        update |= {"security_protocol": "PLAINTEXT"}
    return settings.model_copy(update={"kafka": settings.kafka.model_copy(update=update)})


def _manager(settings: Settings, topology: Topology, principals: Iterable[str]) -> LocalKafka:
    return LocalKafka(
        topology,
        _broker_runtime(settings),
        secured=settings.kafka.security_protocol != "PLAINTEXT",
        principals=principals,
        start_timeout_s=settings.local_kafka.start_timeout_s,
    )


def _broker_runtime(settings: Settings) -> BrokerRuntime:
    local = settings.local_kafka
    deploy = Path("deploy/local").absolute()
    return BrokerRuntime(
        jars=local.jars.absolute(),
        pom=deploy / "pom.xml",
        log4j_config=deploy / "log4j2.properties",
        heap=local.heap,
    )


def demo_settings(settings: Settings, state: Path) -> Settings:
    """The settings of a one-machine demo: every unit's demo connector enrolled in a registry
    copy, and deadlines of minutes instead of working days so that overdue items appear while
    one watches."""
    enrolled = enrol_all(settings.registry, state / "keys")
    return settings.model_copy(
        update={
            "registry": enrolled.registry,
            "deadlines": DeadlineSettings(receipt_override_s=120, reply_override_s=300),
            "tracker": TrackerSettings(interval_s=10, redelivery_interval_s=60, max_attempts=3),
        }
    )


def build_demo(
    settings: Settings, state: Path, *, password_files: Mapping[str, Path] | None = None
) -> DemoLinkage:
    """The demo linkage (units enrolled by `demo_settings`): the court, tax and market
    supervision on generated databases with the scenario driver, and a connector for every other
    member unit; `fyhub up` runs it beside the hub.

    On secured brokers each unit's connector is its own principal, the unit's code, with the
    password in `password_files[unit]` and the hub's CA (`units_security`)."""
    from connectors.demo.linkage import DemoLinkage, DemoPlan  # noqa: PLC0415

    enrolled = enrol_all(settings.registry, state / "keys")
    (region,) = {code.split(".", 1)[1] for code in enrolled.keys if code.startswith("court.")}
    hub_key = bootstrap.load_hub_signing_key(settings).public_key()
    load_registry(enrolled.registry)  # refuse to start on a registry the hub would not load
    access = bootstrap.kafka_access(settings)
    plan = DemoPlan(
        bootstrap=access.bootstrap,
        region=region,
        keys=enrolled.keys,
        key_id=KEY_ID,
        hub_keys={settings.security.signing_key_id: hub_key},
        state=state,
        security=units_security(access, enrolled.keys, password_files or {}),
    )
    return DemoLinkage(plan)


def units_security(
    access: KafkaAccess, units: Iterable[str], password_files: Mapping[str, Path]
) -> dict[str, KafkaSecurity] | None:
    """Each unit's SDK security on the brokers of `access`: SCRAM as the unit's code with its
    password file, over `access`'s protocol and CA; None over PLAINTEXT."""
    from connectors.sdk import ConnectorError, KafkaSecurity  # noqa: PLC0415

    if not access.secured:
        return None
    security: dict[str, KafkaSecurity] = {}
    for unit in sorted(units):
        if unit not in password_files:
            msg = f"no Kafka password file for the demo connector of {unit} (its principal)"
            raise KafkaAccessError(msg)
        try:
            security[unit] = KafkaSecurity.scram(
                unit, password_file=password_files[unit], ca_file=access.ca_file
            )
        except ConnectorError as error:
            raise KafkaAccessError(str(error)) from None
    return security
