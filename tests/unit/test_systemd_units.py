"""deploy/systemd: each unit is one systemd accepts, hardened, and runs a real fyhub command
with the settings and credentials that command needs.

`systemd-analyze verify` checks every unit as systemd would load it (unknown keys, bad values,
and that ExecStart's program exists). The hub's program (`/opt/fyhub/venv/bin/fyhub-entrypoint`,
made by the install guide) does not exist here, so the check runs on a copy whose ExecStart names
/bin/true instead; that the command after it is one fyhub knows is checked apart, by asking
fyhub for its `--help`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.acl.plan import hub_principals
from hub.cli.main import app
from hub.settings import Settings

REPO = Path(__file__).resolve().parents[2]
UNITS_DIR = REPO / "deploy" / "systemd"
HUB_UNITS = {
    "fyhub-router@.service": ["run", "router"],
    "fyhub-auditor.service": ["run", "auditor"],
    "fyhub-tracker.service": ["run", "tracker"],
    "fyhub-console.service": ["console"],
}
ALL_UNITS = [*HUB_UNITS, "kafka.service"]
ENTRYPOINT = "/opt/fyhub/venv/bin/fyhub-entrypoint"
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "PrivateTmp": "yes",
    "ProtectHome": "yes",
    "Restart": "on-failure",
}
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def parse_unit(text: str) -> dict[str, list[tuple[str, str]]]:
    """Section → its (key, value) pairs in order; a key may repeat (Environment=)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        assert current is not None, f"a setting outside a section: {line}"
        key, _, value = line.partition("=")
        current.append((key.strip(), value.strip()))
    return sections


def _unit(name: str) -> dict[str, list[tuple[str, str]]]:
    return parse_unit((UNITS_DIR / name).read_text(encoding="utf-8"))


def _values(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> list[str]:
    return [value for k, value in unit.get(section, []) if k == key]


def _one(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> str:
    values = _values(unit, section, key)
    assert len(values) == 1, f"{key}= appears {len(values)} times"
    return values[0]


def test_the_parser_reads_repeated_keys_and_skips_comments() -> None:
    unit = parse_unit("# c\n[Service]\nEnvironment=A=1\n; c\nEnvironment=B=2\n[Install]\nX=y\n")
    assert unit == {
        "Service": [("Environment", "A=1"), ("Environment", "B=2")],
        "Install": [("X", "y")],
    }


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("name", ALL_UNITS)
def test_systemd_accepts_the_unit(name: str, tmp_path: Path) -> None:
    text = (UNITS_DIR / name).read_text(encoding="utf-8")
    # Only the program, for this check: the rest of the line stays as it is.
    (tmp_path / name).write_text(text.replace(f"ExecStart={ENTRYPOINT}", "ExecStart=/bin/true"))
    assert SYSTEMD_ANALYZE is not None
    done = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", str(tmp_path / name)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    # systemd only warns about an unknown key or a bad value: any word from it fails the unit
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
def test_the_verify_check_finds_a_misspelt_key(tmp_path: Path) -> None:
    (tmp_path / "x.service").write_text("[Service]\nExecStart=/bin/true\nRestart=on-falure\n")
    assert SYSTEMD_ANALYZE is not None
    done = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", str(tmp_path / "x.service")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert "on-falure" in done.stdout + done.stderr


@pytest.mark.parametrize("name", ALL_UNITS)
def test_the_unit_is_hardened_and_restarts_on_failure(name: str) -> None:
    unit = _unit(name)
    for key, value in HARDENING.items():
        assert _one(unit, "Service", key) == value, key
    assert _one(unit, "Service", "User") in {"fyhub", "kafka"}
    assert _one(unit, "Service", "ReadWritePaths")
    assert _one(unit, "Service", "CapabilityBoundingSet") == ""
    assert _one(unit, "Install", "WantedBy") == "multi-user.target"
    assert "network-online.target" in _one(unit, "Unit", "Wants")


@pytest.mark.parametrize(("name", "command"), list(HUB_UNITS.items()))
def test_the_hub_unit_runs_a_fyhub_command(name: str, command: list[str]) -> None:
    unit = _unit(name)
    program, *arguments = _one(unit, "Service", "ExecStart").split()
    assert program == ENTRYPOINT
    assert arguments == command
    # `--help` is answered before an argument is checked, so the argument (`router`) is looked
    # for among the choices the help lists.
    command, values = arguments[:1], arguments[1:]
    done = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    assert f"Usage: fyhub {command[0]} " in done.output
    choices = {c for group in re.findall(r"<([\w|]+)>", done.output) for c in group.split("|")}
    for value in values:
        assert value in choices, f"fyhub {command[0]} takes none of {sorted(choices)}: {value}"
    assert _one(unit, "Service", "User") == "fyhub"
    assert _values(unit, "Service", "EnvironmentFile")[0] == "/etc/fyhub/fyhub.env"
    assert _environment(unit)["PATH"].startswith("/opt/fyhub/venv/bin:"), (
        "fyhub-entrypoint runs fyhub"
    )


def _environment(unit: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    return dict(value.split("=", 1) for value in _values(unit, "Service", "Environment"))


def _credentials(unit: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    return dict(value.split(":", 1) for value in _values(unit, "Service", "LoadCredential"))


@pytest.mark.parametrize(("name", "command"), list(HUB_UNITS.items()))
def test_every_secret_is_a_loaded_credential_and_fyhub_accepts_the_settings(
    name: str, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    unit = _unit(name)
    environment = _environment(unit)
    credentials = _credentials(unit)
    referenced = {
        value.removeprefix("%d/") for value in environment.values() if value.startswith("%d/")
    }
    assert referenced == set(credentials), "a credential loaded for nothing, or one never loaded"
    for source in credentials.values():
        assert source.startswith(("/etc/fyhub/credentials/", "/etc/fyhub/secrets/")), source
    role = command[-1]
    needs = {"console": {"FYHUB_DB__URL_FILE", "FYHUB_CONSOLE__SESSION_SECRET_FILE"}}.get(
        role, {"FYHUB_KAFKA__USERNAME", "FYHUB_KAFKA__PASSWORD_FILE"}
    )
    needs |= {
        "router": {"FYHUB_SECURITY__TOKEN_SECRET_FILE", "FYHUB_SECURITY__SIGNING_KEY_FILE"},
        "auditor": {"FYHUB_DB__URL_FILE", "FYHUB_SECURITY__SIGNING_KEY_FILE"},
        "tracker": {"FYHUB_DB__URL_FILE", "FYHUB_SECURITY__TOKEN_SECRET_FILE"},
        "console": set(),
    }[role]
    assert needs <= set(environment), sorted(needs - set(environment))
    if role != "console":
        principal = environment["FYHUB_KAFKA__USERNAME"]
        assert principal == f"fyhub.{role}"
        assert principal in hub_principals()
        assert credentials["kafka-password"] == f"/etc/fyhub/credentials/{principal}.password"
    # What fyhub reads in that unit: the shared env file (the shipped example) and the unit's own
    # settings, the credentials folder in place of %d; the entrypoint turns the URL file into
    # FYHUB_DB__URL. A misspelt name would refuse the start.
    shared = (REPO / "deploy" / "systemd" / "fyhub.env.example").read_text(encoding="utf-8")
    for variable in [v for v in os.environ if v.startswith("FYHUB_")]:
        monkeypatch.delenv(variable)
    for line in shared.splitlines():
        if line.strip() and not line.startswith("#"):
            monkeypatch.setenv(*line.split("=", 1))
    for variable, value in environment.items():
        if variable == "FYHUB_DB__URL_FILE":
            monkeypatch.setenv("FYHUB_DB__URL", "postgresql+asyncpg://fyhub:x@db:5432/fyhub")
        elif variable.startswith("FYHUB_"):
            monkeypatch.setenv(variable, value.replace("%d", f"/run/credentials/{name}"))
    settings = Settings()
    assert settings.kafka.security_protocol == "SASL_SSL"
    assert settings.kafka.replication == 3


def test_the_broker_unit_runs_the_maven_jars_with_the_machines_java() -> None:
    unit = _unit("kafka.service")
    program, *arguments = _one(unit, "Service", "ExecStart").split()
    assert program == "/usr/bin/java"
    classpath = arguments[arguments.index("-cp") + 1]
    assert classpath == "/opt/kafka/jars/*", "java expands the jars folder itself"
    assert arguments[-2:] == ["kafka.Kafka", "/etc/kafka/server.properties"]
    assert any(a.startswith("-Dlog4j2.configurationFile=") for a in arguments)
    assert _one(unit, "Unit", "AssertPathExists") == "/var/lib/kafka/data/meta.properties"
    assert _credentials(unit) == {"node.pem": "/etc/kafka/tls/node.pem"}
    assert re.fullmatch(r"\d+", _one(unit, "Service", "LimitNOFILE"))
