"""Settings the hub does not know, or cannot connect with, stop it at start instead of being
ignored: real `FYHUB_*` variables, as an operator sets them."""

from __future__ import annotations

import os

import pytest

from hub.bootstrap import kafka_access, load_settings
from hub.cli import main as cli
from hub.kafka.access import KafkaAccessError
from hub.settings import SettingsError


@pytest.fixture(autouse=True)
def _no_fyhub_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in os.environ if name.startswith("FYHUB_")]:
        monkeypatch.delenv(name)


@pytest.mark.parametrize(
    ("variable", "named"),
    [
        ("FYHUB_KAFKA__SECURITY_PROTOKOL", "kafka.security_protokol"),
        ("FYHUB_DB__URLL", "db.urll"),
        ("FYHUB_LOCAL_KAFKA__PORTT", "local_kafka.portt"),
        ("FYHUB_SECURITY__TOKEN_SECRETT", "security.token_secrett"),
        ("FYHUB_CONSOLE__ENABLE", "console.enable"),
    ],
)
def test_a_misspelt_nested_variable_is_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, named: str
) -> None:
    monkeypatch.setenv(variable, "SASL_SSL")

    with pytest.raises(SettingsError) as refused:
        load_settings()

    assert refused.value.problems == [f"{variable} ({named}) is not a setting of fyhub"]


def test_a_known_variable_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FYHUB_KAFKA__SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("FYHUB_KAFKA__USERNAME", "fy.hub.router")

    assert load_settings().kafka.security_protocol == "SASL_SSL"


def test_an_invalid_value_is_named_but_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FYHUB_KAFKA__SECURITY_PROTOCOL", "s3cret-typo")

    with pytest.raises(SettingsError) as refused:
        load_settings()

    (problem,) = refused.value.problems
    assert problem.startswith("FYHUB_KAFKA__SECURITY_PROTOCOL (kafka.security_protocol): ")
    assert "s3cret" not in problem


def test_sasl_ssl_without_a_principal_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FYHUB_KAFKA__BOOTSTRAP", "broker-1:9093")
    monkeypatch.setenv("FYHUB_KAFKA__SECURITY_PROTOCOL", "SASL_SSL")

    with pytest.raises(KafkaAccessError, match="needs a username and password"):
        kafka_access(load_settings())


def test_the_command_line_names_the_unknown_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FYHUB_KAFKA__SECURITY_PROTOKOL", "SASL_SSL")
    monkeypatch.setattr("sys.argv", ["fyhub", "hub-key"])

    with pytest.raises(SystemExit) as exited:
        cli.main()

    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "fyhub: refusing to start: FYHUB_KAFKA__SECURITY_PROTOKOL (kafka.security_protokol) "
        "is not a setting of fyhub\n"
    )


def test_the_command_line_says_a_principal_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FYHUB_KAFKA__BOOTSTRAP", "127.0.0.1:1")
    monkeypatch.setenv("FYHUB_KAFKA__SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setattr("sys.argv", ["fyhub", "dlq", "list"])

    with pytest.raises(SystemExit) as exited:
        cli.main()

    assert exited.value.code == 2
    assert "over SASL_SSL needs a username and password" in capsys.readouterr().err
