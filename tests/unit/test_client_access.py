"""Every client's connection from the settings: the hub's `KafkaAccess`, the settings a test hub
gets from one, the SDK's `KafkaSecurity`, and each demo connector's own principal."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from connectors.sdk import ConnectorError, ConnectorOptions, KafkaSecurity
from connectors.sdk.kafka_access import PLAINTEXT
from hub.bootstrap import kafka_access, load_settings
from hub.devkit.demo import units_security
from hub.kafka.access import KafkaAccess, KafkaAccessError
from tests.hubkit import kafka_env, kafka_overrides

if TYPE_CHECKING:
    from pathlib import Path

SECURED = KafkaAccess("b:9093", username="admin", password="s3cret")


def test_settings_from_the_environment_make_the_access(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ca = tmp_path / "ca.crt"
    monkeypatch.setenv("FYHUB_KAFKA__BOOTSTRAP", "broker-1:9093,broker-2:9093")
    monkeypatch.setenv("FYHUB_KAFKA__SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("FYHUB_KAFKA__USERNAME", "fy.hub.router")
    monkeypatch.setenv("FYHUB_KAFKA__PASSWORD", "s3cret")
    monkeypatch.setenv("FYHUB_KAFKA__CA_FILE", str(ca))

    access = kafka_access(load_settings())

    assert access == KafkaAccess(
        "broker-1:9093,broker-2:9093", "SASL_SSL", "fy.hub.router", "s3cret", ca
    )


def test_plaintext_settings_make_a_plaintext_access() -> None:
    access = kafka_access(
        load_settings(kafka={"bootstrap": "b:9092", "security_protocol": "PLAINTEXT"})
    )

    assert access.client_options() == {"bootstrap_servers": ["b:9092"]}


def test_configured_brokers_without_credentials_are_refused() -> None:
    with pytest.raises(KafkaAccessError, match="needs a username and password"):
        kafka_access(load_settings(kafka={"bootstrap": "b:9092"}))


@pytest.mark.parametrize("access", [SECURED, KafkaAccess("b:9092", protocol="PLAINTEXT")])
def test_a_test_hub_reaches_the_brokers_as_the_given_access(access: KafkaAccess) -> None:
    settings = load_settings(kafka=kafka_overrides(access, partitions=2))

    assert kafka_access(settings) == access
    assert settings.kafka.partitions == 2


def test_a_test_hub_process_gets_the_access_as_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in kafka_env(SECURED).items():
        monkeypatch.setenv(name, value)

    assert kafka_access(load_settings()) == SECURED


def test_the_sdk_gives_scram_over_tls(tmp_path: Path) -> None:
    secret = tmp_path / "tax.password"
    secret.write_text("from-a-file\n")

    security = KafkaSecurity.scram("tax.411121", password_file=secret)
    options = ConnectorOptions(security=security, kafka={"client_id": "tax"}).client_options()

    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "tax.411121",
        "from-a-file",
    )
    assert options["ssl_context"] is not None
    assert options["client_id"] == "tax"
    assert "from-a-file" not in repr(security)


def test_the_sdk_defaults_to_plaintext_and_refuses_sasl_without_a_principal() -> None:
    assert ConnectorOptions().client_options() == {}
    with pytest.raises(ConnectorError, match="username and password"):
        KafkaSecurity("SASL_SSL", "tax.411121")


def test_the_sdk_names_a_missing_password_file(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match=r"tax\.411121 from .*absent"):
        KafkaSecurity.scram("tax.411121", password_file=tmp_path / "absent")


def test_each_demo_connector_is_its_own_principal(tmp_path: Path) -> None:
    files = {}
    for unit in ("court.411121", "tax.411121"):
        files[unit] = tmp_path / f"{unit}.password"
        files[unit].write_text(f"pw-{unit}\n")
    ca = tmp_path / "ca.crt"
    access = KafkaAccess("b:9093", username="admin", password="x", ca_file=ca)

    security = units_security(access, files, files)

    assert security == {unit: KafkaSecurity("SASL_SSL", unit, f"pw-{unit}", ca) for unit in files}


def test_a_demo_connector_without_a_password_file_stops_the_start() -> None:
    with pytest.raises(KafkaAccessError, match=r"demo connector of tax\.411121"):
        units_security(SECURED, ["tax.411121"], {})


def test_demo_connectors_on_plaintext_have_no_principal() -> None:
    assert units_security(KafkaAccess("b:9092", protocol="PLAINTEXT"), ["tax.411121"], {}) is None
    assert PLAINTEXT.client_options() == {}
