"""deploy/compose and the Containerfile, checked without a container runtime.

No container can run on the machines the suite runs on (no Docker or Podman daemon), so the
compose file is checked instead: against the Compose Specification's JSON schema (from a pinned
package, `tests.fixtures.compose_schema`), and for what a schema cannot see: that every file it
mounts is in the repository, every secret and volume it names is declared and made by the
set-up script, the brokers agree on their quorum, each hub service gets the settings it needs
(and fyhub accepts them), and Prometheus scrapes the services on the ports they listen on.
"""

from __future__ import annotations

import copy
import importlib.util
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest
import yaml
from cryptography import x509
from typer.testing import CliRunner

from hub.acl.plan import hub_principals
from hub.cli.main import app
from hub.devkit.local_kafka.layout import NodeSecurity, server_properties, three_nodes
from hub.observability.http import SERVICE_PORT_OFFSETS
from hub.settings import Settings
from tests.fixtures import compose_schema

if TYPE_CHECKING:
    from types import ModuleType

REPO = Path(__file__).resolve().parents[2]
COMPOSE_DIR = REPO / "deploy" / "compose"
COMPOSE_FILE = COMPOSE_DIR / "compose.yaml"
CONTAINERFILE = REPO / "Containerfile"
HUB_SERVICES = {"router-1": "router", "router-2": "router", "auditor": "auditor"}
HUB_SERVICES |= {"tracker": "tracker", "console": "console"}
SECRETS_MOUNT = "/run/secrets/"


def _load_script(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


make_secrets = _load_script("make_secrets", COMPOSE_DIR / "setup" / "make_secrets.py")
healthcheck = _load_script("fyhub_healthcheck", REPO / "deploy" / "container" / "healthcheck.py")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return compose_schema.load()


@pytest.fixture(scope="module")
def made_secrets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("compose") / "secrets"
    make_secrets.make(out, make_secrets.datetime.now(make_secrets.UTC), chown=False)
    return out


def _services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = compose["services"]
    return services


def _secret_targets(service: dict[str, Any]) -> dict[str, str]:
    """target name → source name of a service's secrets."""
    targets = {}
    for entry in service.get("secrets", []):
        if isinstance(entry, str):
            targets[entry] = entry
        else:
            targets[entry.get("target", entry["source"])] = entry["source"]
    return targets


# --- the Compose Specification ------------------------------------------------------------------


def test_the_compose_file_is_valid_against_the_compose_specification(
    compose: dict[str, Any], schema: dict[str, Any]
) -> None:
    validator = jsonschema.Draft201909Validator(schema)
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        (("services", "router-1"), "restart_policy", "always"),  # a key compose does not know
        (("services", "kafka-1"), "depends_on", "postgres"),  # a string, not a list or mapping
        (("secrets", "kafka_ca"), "file", ["./secrets/kafka/ca.crt"]),
    ],
)
def test_the_schema_refuses_what_compose_would_refuse(
    compose: dict[str, Any], schema: dict[str, Any], where: tuple[str, str], key: str, value: Any
) -> None:
    broken = copy.deepcopy(compose)
    broken[where[0]][where[1]][key] = value
    assert list(jsonschema.Draft201909Validator(schema).iter_errors(broken))


# --- what the schema cannot see ------------------------------------------------------------------


def test_every_image_is_pinned_and_the_hub_image_is_built_from_the_containerfile(
    compose: dict[str, Any],
) -> None:
    for name, service in _services(compose).items():
        image = service["image"]
        assert ":" in image, f"{name}: {image} has no tag"
        tag = image.rsplit(":", 1)[1]
        assert tag != "latest", f"{name}: {image}"
        # an exact release: major.minor.patch, or PostgreSQL's major.minor
        assert re.match(r"v?\d+\.\d+(\.\d+)?(-\w+)?$", tag), f"{name}: {image} is not exact"
        if "build" in service:
            context = (COMPOSE_DIR / service["build"]["context"]).resolve()
            assert (context / service["build"]["dockerfile"]).is_file(), name
            assert context == REPO, name
    for name in HUB_SERVICES:
        assert _services(compose)[name]["build"]["dockerfile"] == "Containerfile"


def test_the_brokers_run_the_kafka_version_of_the_local_broker(compose: dict[str, Any]) -> None:
    pom = (REPO / "deploy" / "local" / "pom.xml").read_text(encoding="utf-8")
    match = re.search(r"<kafka.version>([^<]+)</kafka.version>", pom)
    assert match is not None
    brokers = {n: s for n, s in _services(compose).items() if n.startswith("kafka-")}
    assert len(brokers) == 3
    for name, service in brokers.items():
        assert service["image"] == f"apache/kafka:{match.group(1)}", name


def test_every_mounted_file_is_in_the_repository(compose: dict[str, Any]) -> None:
    for name, service in _services(compose).items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith("."):
                assert source in compose["volumes"], f"{name}: volume {source} is not declared"
                continue
            path = (COMPOSE_DIR / source).resolve()
            assert path.exists(), f"{name} mounts {source}, which is not in the repository"


def test_every_secret_is_declared_and_made_by_the_set_up(
    compose: dict[str, Any], made_secrets: Path
) -> None:
    declared = compose["secrets"]
    for name, service in _services(compose).items():
        for target, source in _secret_targets(service).items():
            assert source in declared, f"{name}: secret {source} is not declared"
            assert "/" not in target, name
    used = {s for service in _services(compose).values() for s in _secret_targets(service).values()}
    assert used == set(declared), "a declared secret is used by no service"
    secrets_dir = COMPOSE_DIR / "secrets"
    for secret, spec in declared.items():
        path = (COMPOSE_DIR / spec["file"]).resolve()
        assert path.is_relative_to(secrets_dir), f"{secret}: {spec['file']} is not made by setup"
        made = made_secrets / path.relative_to(secrets_dir)
        assert made.is_file(), f"{secret}: setup/make_secrets.py does not write {spec['file']}"
    # git keeps the folder, never what the set-up writes into it
    assert (secrets_dir / ".gitignore").read_text(encoding="utf-8").split() == ["*", "!.gitignore"]


def test_the_brokers_agree_on_their_quorum(compose: dict[str, Any]) -> None:
    properties = dict(
        line.split("=", 1)
        for line in (COMPOSE_DIR / "kafka" / "server.properties").read_text().splitlines()
        if line and not line.startswith("#")
    )
    voters = dict(v.split("@") for v in properties["controller.quorum.voters"].split(","))
    brokers = {n: s for n, s in _services(compose).items() if n.startswith("kafka-")}
    assert {s["environment"]["FYHUB_KAFKA_NODE_ID"] for s in brokers.values()} == set(voters)
    for name, service in brokers.items():
        node_id = service["environment"]["FYHUB_KAFKA_NODE_ID"]
        assert service["hostname"] == name == f"kafka-{node_id}"
        assert voters[node_id] == f"{name}:9093"
        assert f"{name}:9092" in _hub_environment(compose, "router-1")["FYHUB_KAFKA__BOOTSTRAP"]
        keystore = next(e for e in service["secrets"] if isinstance(e, dict))
        assert keystore == {"source": f"kafka_node_{node_id}_keystore", "target": "kafka_keystore"}
    assert properties["listeners"] == "SASL_SSL://:9092,CONTROLLER://:9093"
    assert properties["super.users"] == "User:admin;User:kafka-node"
    assert properties["allow.everyone.if.no.acl.found"] == "false"
    start = (COMPOSE_DIR / "kafka" / "start.sh").read_text(encoding="utf-8")
    assert "advertised.listeners=SASL_SSL://kafka-$node_id:9092" in start


def _hub_environment(compose: dict[str, Any], name: str) -> dict[str, str]:
    return {k: str(v) for k, v in _services(compose)[name]["environment"].items()}


@pytest.mark.parametrize("name", sorted(HUB_SERVICES))
def test_each_hub_service_gets_the_settings_it_needs_and_fyhub_accepts_them(
    compose: dict[str, Any], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = HUB_SERVICES[name]
    service = _services(compose)[name]
    environment = _hub_environment(compose, name)
    secrets = _secret_targets(service)
    needs = {
        "router": {"FYHUB_SECURITY__TOKEN_SECRET_FILE", "FYHUB_SECURITY__SIGNING_KEY_FILE"},
        "auditor": {"FYHUB_DB__URL_FILE", "FYHUB_SECURITY__SIGNING_KEY_FILE"},
        "tracker": {"FYHUB_DB__URL_FILE", "FYHUB_SECURITY__TOKEN_SECRET_FILE"}
        | {"FYHUB_SECURITY__SIGNING_KEY_FILE"},
        "console": {"FYHUB_DB__URL_FILE", "FYHUB_CONSOLE__SESSION_SECRET_FILE"},
    }[role]
    if role != "console":
        needs |= {"FYHUB_KAFKA__BOOTSTRAP", "FYHUB_KAFKA__USERNAME", "FYHUB_KAFKA__PASSWORD_FILE"}
        needs |= {"FYHUB_KAFKA__CA_FILE"}
        assert environment["FYHUB_KAFKA__SECURITY_PROTOCOL"] == "SASL_SSL"
        principal = environment["FYHUB_KAFKA__USERNAME"]
        assert principal == f"fyhub.{role}"
        assert principal in hub_principals()
        password = compose["secrets"][secrets["kafka_password"]]["file"]
        assert Path(password).name == f"{principal}.password", "another principal's password"
    assert needs <= set(environment), f"{name} lacks {sorted(needs - set(environment))}"
    for variable, value in environment.items():
        if value.startswith(SECRETS_MOUNT):
            assert value.removeprefix(SECRETS_MOUNT) in secrets, f"{name}: {variable}"
    # the container's command, and the settings fyhub reads in it (the entrypoint turns the URL
    # file into FYHUB_DB__URL): a misspelt variable would refuse the start
    assert service["command"] == (["run", role] if role != "console" else ["console"])
    for variable in list(os.environ):
        if variable.startswith("FYHUB_"):
            monkeypatch.delenv(variable)
    for variable, value in environment.items():
        if variable == "FYHUB_DB__URL_FILE":
            monkeypatch.setenv("FYHUB_DB__URL", "postgresql+asyncpg://fyhub:x@postgres:5432/fyhub")
        else:
            monkeypatch.setenv(variable, value)
    settings = Settings()
    if role != "console":
        assert settings.kafka.replication == 3
        assert settings.kafka.min_insync_replicas == 2


def test_the_init_service_applies_topics_and_acls_as_the_administrator(
    compose: dict[str, Any],
) -> None:
    init = _services(compose)["init"]
    script = init["entrypoint"][-1]
    assert init["entrypoint"][:2] == ["/bin/sh", "-c"]
    commands = [shlex.split(found) for found in re.findall(r"fyhub [a-z]+ [a-z]+", script)]
    assert commands == [["fyhub", "topics", "apply"], ["fyhub", "acl", "apply"]]
    # the shell gets one `$` of each `$$` (compose's escape), and the script is one it can run
    shell = subprocess.run(
        ["/bin/sh", "-n", "-c", script.replace("$$", "$")], capture_output=True, check=False
    )
    assert shell.returncode == 0, shell.stderr
    assert "$" not in script.replace("$$", ""), "a lone $ is compose's interpolation"
    runner = CliRunner()
    for command in commands:
        assert runner.invoke(app, [*command[1:], "--help"]).exit_code == 0, command
    assert init["environment"]["FYHUB_KAFKA__USERNAME"] == "admin"
    assert _secret_targets(init)["kafka_password"] == "kafka_admin_password"
    for name in HUB_SERVICES:
        depends = _services(compose)[name]["depends_on"]
        assert "init" in depends or "auditor" in depends, name


def test_prometheus_scrapes_each_service_on_the_port_it_serves(compose: dict[str, Any]) -> None:
    config = yaml.safe_load((COMPOSE_DIR / "prometheus.yml").read_text(encoding="utf-8"))
    targets = {
        target: group["labels"]["service"]
        for job in config["scrape_configs"]
        for group in job["static_configs"]
        for target in group["targets"]
    }
    base = Settings().observability.port
    expected = {
        f"{_services(compose)[name]['hostname']}:{base + SERVICE_PORT_OFFSETS[role]}": role
        for name, role in HUB_SERVICES.items()
        if role in SERVICE_PORT_OFFSETS
    }
    assert targets == expected
    for rules in config["rule_files"]:
        assert (REPO / "deploy" / "prometheus" / rules).is_file()


def test_grafana_is_provisioned_with_the_projects_dashboards(compose: dict[str, Any]) -> None:
    grafana = _services(compose)["grafana"]
    mounts = dict(volume.split(":")[:2] for volume in grafana["volumes"])
    provider = yaml.safe_load(
        (REPO / "deploy/grafana/provisioning/dashboards/fyhub.yml").read_text(encoding="utf-8")
    )
    dashboards_at = provider["providers"][0]["options"]["path"]
    assert mounts["../grafana/dashboards"] == dashboards_at
    datasource = yaml.safe_load((COMPOSE_DIR / "grafana-datasource.yml").read_text("utf-8"))
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"
    shipped = yaml.safe_load(
        (REPO / "deploy/grafana/provisioning/datasources/fyhub.yml").read_text(encoding="utf-8")
    )
    assert datasource["datasources"][0]["uid"] == shipped["datasources"][0]["uid"]


# --- the set-up's secrets ------------------------------------------------------------------------


def test_the_set_up_makes_private_files_and_certificates_for_the_brokers_names(
    made_secrets: Path,
) -> None:
    public = {"kafka/ca.crt", "kafka/cluster.id", "hub/hub-1.pub"}
    for path in made_secrets.rglob("*"):
        if path.is_file():
            mode = stat.S_IMODE(path.stat().st_mode)
            name = str(path.relative_to(made_secrets))
            assert mode == (0o644 if name in public else 0o600), f"{name} is {mode:o}"
    ca = x509.load_pem_x509_certificate((made_secrets / "kafka/ca.crt").read_bytes())
    for node_id in (1, 2, 3):
        pem = (made_secrets / f"kafka/node-{node_id}.pem").read_bytes()
        assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
        node = x509.load_pem_x509_certificates(pem)[0]
        names = node.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert f"kafka-{node_id}" in names.get_values_for_type(x509.DNSName)
        assert node.subject.rfc4514_string() == f"CN=kafka-node-{node_id}"
        node.verify_directly_issued_by(ca)


def test_the_brokers_get_salted_credentials_only(made_secrets: Path) -> None:
    lines = (made_secrets / "kafka/scram.args").read_text(encoding="utf-8").splitlines()
    names = [re.match(r"SCRAM-SHA-512=\[name=([^,]+),", line) for line in lines]
    expected = ["admin", "kafka-node", *(p for p in hub_principals() if p != "admin")]
    assert [m.group(1) for m in names if m] == expected
    for principal in hub_principals():
        password = (made_secrets / f"hub/{principal}.password").read_text().strip()
        assert password not in "\n".join(lines)
        assert "saltedpassword=" in lines[0]


def test_the_set_up_keeps_what_it_made(made_secrets: Path) -> None:
    before = {p: p.read_bytes() for p in made_secrets.rglob("*") if p.is_file()}
    again = make_secrets.make(
        made_secrets, make_secrets.datetime.now(make_secrets.UTC), chown=False
    )
    assert again == []
    after = {p: p.read_bytes() for p in made_secrets.rglob("*") if p.is_file()}
    unchanged = {p for p in before if p.name != "scram.args"}  # re-salted on every run
    assert {p: after[p] for p in unchanged} == {p: before[p] for p in unchanged}


def test_the_store_url_names_the_postgres_password(made_secrets: Path) -> None:
    url = (made_secrets / "hub/db.url").read_text().strip()
    password = (made_secrets / "postgres/password").read_text().strip()
    assert url == f"postgresql+asyncpg://fyhub:{password}@postgres:5432/fyhub"


# --- the Containerfile ---------------------------------------------------------------------------


def _instructions() -> list[tuple[str, str]]:
    text = CONTAINERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_containerfile_pins_its_base_and_builds_in_stages() -> None:
    bases = [arg.split()[0] for op, arg in _instructions() if op == "FROM"]
    assert len(bases) >= 2, "one stage builds the wheel, another runs it"
    for base in bases:
        assert re.fullmatch(
            r"docker\.io/library/python:3\.11\.\d+-slim-bookworm(@sha256:\w+)?", base
        )
    assert len(set(bases)) == 1, "the venv must be run by the interpreter it was built with"
    assert "pin" in CONTAINERFILE.read_text(encoding="utf-8").lower()


def test_the_image_runs_as_a_user_of_its_own_with_a_healthcheck() -> None:
    instructions = _instructions()
    last_stage = instructions[max(i for i, (op, _) in enumerate(instructions) if op == "FROM") :]
    users = [arg for op, arg in last_stage if op == "USER"]
    assert users, "no USER: the image would run as root"
    uid = users[-1].split(":")[0]
    assert uid not in {"0", "root"}
    assert uid == str(make_secrets.OWNERS["hub"]), "the set-up gives the hub's secrets to this uid"
    healthchecks = [arg for op, arg in last_stage if op == "HEALTHCHECK"]
    assert len(healthchecks) == 1
    assert "CMD" in healthchecks[0]
    assert "fyhub-healthcheck" in healthchecks[0]
    entrypoint = next(arg for op, arg in last_stage if op == "ENTRYPOINT")
    assert "fyhub-entrypoint" in entrypoint
    environment = " ".join(arg for op, arg in last_stage if op == "ENV")
    for setting in ("FYHUB_REGISTRY=/etc/fyhub/", "FYHUB_ROUTING=/etc/fyhub/"):
        assert setting in environment, "the registry and routing table are mounted, not baked"


def test_everything_the_containerfile_copies_is_in_the_build_context() -> None:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    ignore = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    included = [rule[1:].rstrip("/") for rule in ignore if rule.startswith("!")]
    assert ignore[0] == "*", "the context is only what is listed"
    for op, arg in _instructions():
        if op != "COPY" or arg.startswith("--from"):
            continue
        for source in arg.split()[:-1]:
            assert (REPO / source).exists(), source
            assert any(source == i or source.startswith(i + "/") for i in included), source


# --- the image's health check --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "port"),
    [
        (["/opt/fyhub/bin/python", "/opt/fyhub/bin/fyhub", "run", "router"], 9461),
        (["fyhub", "run", "auditor"], 9462),
        (["/bin/sh", "/usr/local/bin/fyhub-entrypoint", "run", "tracker"], 9463),
        (["fyhub", "console"], 8470),
        (["fyhub", "console", "--host", "0.0.0.0"], 8470),
    ],
)
def test_the_healthcheck_asks_the_port_the_service_serves(argv: list[str], port: int) -> None:
    url = healthcheck.health_url(argv, Settings())
    assert url == f"http://127.0.0.1:{port}/healthz"


def test_the_healthcheck_follows_the_configured_ports() -> None:
    settings = Settings(observability={"port": 9000}, console={"port": 8000})
    assert healthcheck.health_url(["fyhub", "run", "tracker"], settings).endswith(":9003/healthz")
    assert healthcheck.health_url(["fyhub", "console"], settings).endswith(":8000/healthz")


@pytest.mark.parametrize(
    "argv", [["fyhub", "topics", "apply"], ["fyhub", "console", "accounts", "list"], ["sh"], []]
)
def test_a_container_without_a_service_has_no_healthz(argv: list[str]) -> None:
    assert healthcheck.health_url(argv, Settings()) is None


def test_the_set_up_names_a_vms_brokers_and_database_when_told(tmp_path: Path) -> None:
    out = tmp_path / "secrets"
    code = make_secrets.main(
        [str(out), "--no-chown", "--broker-host", "2=fyhub-2.county.lan", "--db-host", "db.lan"]
    )
    assert code == 0
    node = x509.load_pem_x509_certificates((out / "kafka/node-2.pem").read_bytes())[0]
    names = node.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["kafka-2", "fyhub-2.county.lan", "localhost"]
    assert "@db.lan:5432/fyhub" in (out / "hub/db.url").read_text()
    with pytest.raises(SystemExit):
        make_secrets.main([str(tmp_path / "other"), "--no-chown", "--broker-host", "4=x"])


def test_the_entrypoint_hands_fyhub_the_store_url_from_its_file(tmp_path: Path) -> None:
    entrypoint = tmp_path / "fyhub-entrypoint"
    entrypoint.write_bytes((REPO / "deploy/container/entrypoint.sh").read_bytes())
    stub = tmp_path / "fyhub"  # stands for fyhub: prints what it was given
    stub.write_text('#!/bin/sh\necho "$FYHUB_DB__URL|${FYHUB_DB__URL_FILE:-unset}|$*"\n')
    for script in (entrypoint, stub):
        script.chmod(0o755)
    url = tmp_path / "db.url"
    url.write_text("postgresql+asyncpg://fyhub:secret@postgres:5432/fyhub\n")
    environment = {"PATH": "/usr/bin:/bin", "FYHUB_DB__URL_FILE": str(url)}
    done = subprocess.run(
        [str(entrypoint), "run", "auditor"],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
        timeout=30,
    )
    # the _FILE name is gone: fyhub would refuse a setting it does not know
    assert (
        done.stdout == "postgresql+asyncpg://fyhub:secret@postgres:5432/fyhub|unset|run auditor\n"
    )


def test_the_brokers_are_configured_as_the_local_cluster_is() -> None:
    """Listeners' security, authorizer, super users and durability as `fyhub kafka up --cluster`
    renders them (its test-speed timings aside): the compose file cannot drift from them."""
    topology = three_nodes(Path("/h"), (1, 2, 3), (4, 5, 6))
    security = NodeSecurity(keystore=Path("/k"), ca_file=Path("/c"), node_password="p")
    local = server_properties(topology, topology.nodes[0], security)
    shared = dict(
        line.split("=", 1)
        for line in (COMPOSE_DIR / "kafka" / "server.properties").read_text().splitlines()
        if line and not line.startswith("#")
    )
    same = [
        "process.roles",
        "inter.broker.listener.name",
        "controller.listener.names",
        "listener.security.protocol.map",
        "sasl.enabled.mechanisms",
        "sasl.mechanism.inter.broker.protocol",
        "ssl.keystore.type",
        "ssl.truststore.type",
        "ssl.endpoint.identification.algorithm",
        "listener.name.controller.ssl.client.auth",
        "ssl.principal.mapping.rules",
        "authorizer.class.name",
        "allow.everyone.if.no.acl.found",
        "super.users",
        "default.replication.factor",
        "min.insync.replicas",
        "unclean.leader.election.enable",
        "auto.create.topics.enable",
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "share.coordinator.state.topic.replication.factor",
        "share.coordinator.state.topic.min.isr",
        "message.max.bytes",
        "replica.fetch.max.bytes",
    ]
    assert {key: shared.get(key) for key in same} == {key: local[key] for key in same}


def test_the_compose_file_leaves_nothing_to_interpolation() -> None:
    # compose replaces `$NAME` from the operator's shell: an unset one silently becomes empty
    text = COMPOSE_FILE.read_text(encoding="utf-8").replace("$$", "")
    assert "$" not in text
