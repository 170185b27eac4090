"""`KafkaAccess`: the one place a client's connection options come from."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import pytest
from faststream.kafka.configs.broker import KafkaBrokerConfig
from faststream.security import SASLScram512

from hub.bootstrap import build_broker, kafka_access, load_settings
from hub.kafka.access import KafkaAccess, KafkaAccessError

if TYPE_CHECKING:
    from pathlib import Path


def test_plaintext_gives_only_the_brokers() -> None:
    access = KafkaAccess("127.0.0.1:1", protocol="PLAINTEXT")

    assert access.client_options() == {"bootstrap_servers": ["127.0.0.1:1"]}
    assert access.faststream_security() is None


def test_a_clusters_addresses_reach_every_client_one_by_one() -> None:
    # FastStream's KafkaBroker takes one string as one address: "a,b,c" would be a host name.
    settings = load_settings(
        kafka={"bootstrap": "k1:9093, k2:9093,k3:9093", "security_protocol": "PLAINTEXT"}
    )
    access = kafka_access(settings)
    (config,) = build_broker(settings, client_id="fyhub.router").config.configs

    assert access.servers == ["k1:9093", "k2:9093", "k3:9093"]
    assert access.client_options()["bootstrap_servers"] == access.servers
    assert isinstance(config, KafkaBrokerConfig)
    assert isinstance(config.builder, functools.partial)
    assert config.builder.keywords["bootstrap_servers"] == access.servers


def test_sasl_ssl_gives_scram_and_tls() -> None:
    access = KafkaAccess("b:9093", username="fy.hub.router", password="s3cret")

    options = access.client_options()

    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "fy.hub.router",
        "s3cret",
    )
    assert options["ssl_context"] is not None
    assert isinstance(access.faststream_security(), SASLScram512)


def test_sasl_ssl_without_a_principal_is_refused() -> None:
    with pytest.raises(KafkaAccessError, match="needs a username and password"):
        KafkaAccess("b:9093")


def test_the_password_never_shows_in_its_repr() -> None:
    assert "s3cret" not in repr(KafkaAccess("b:9093", username="u", password="s3cret"))


def test_settings_read_the_password_from_its_file(tmp_path: Path) -> None:
    secret = tmp_path / "router.password"
    secret.write_text("from-a-file\n")
    settings = load_settings(
        kafka={
            "bootstrap": "b:9093",
            "security_protocol": "SASL_SSL",
            "username": "fy.hub.router",
            "password_file": str(secret),
        }
    )

    access = kafka_access(settings)

    assert (access.username, access.password) == ("fy.hub.router", "from-a-file")
