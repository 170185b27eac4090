"""The Kubernetes files: the Helm chart in deploy/helm/fyhub (linted and rendered by helm built
from its Go module, `make helm`) and the Strimzi resources of `fyhub k8s render`, each manifest
checked against the Kubernetes schemas kubernetes-validate ships, the Strimzi ones against
tests/deploy/strimzi_schemas.py; and the KafkaUsers' ACLs against `fyhub acl plan`."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from typer.testing import CliRunner

from hub import bootstrap
from hub.acl.plan import PatternType, ResourceType
from hub.cli.main import app
from hub.k8s.strimzi import STRIMZI_OPERATIONS, STRIMZI_PATTERN_TYPES, STRIMZI_RESOURCE_TYPES
from hub.observability.http import SERVICE_PORT_OFFSETS
from hub.settings import ENV_NESTED_DELIMITER, ENV_PREFIX, Settings
from tests.deploy import strimzi_schemas

ROOT = Path(__file__).resolve().parents[2]
HELM = ROOT / "build" / "tools" / "helm"
CHART = ROOT / "deploy" / "helm" / "fyhub"
KUBERNETES_VERSION = "1.37.0"
CONTRACTS_ENV = {
    "FYHUB_REGISTRY": str(ROOT / "deploy" / "units"),
    "FYHUB_ROUTING": str(ROOT / "deploy" / "routing.yaml"),
    "FYHUB_CALENDAR": str(ROOT / "deploy" / "calendar"),
}
Manifest = dict[str, Any]


def helm(*args: str) -> str:
    # No skip when helm is missing: `make unit` and `make test` build it (`make helm`).
    assert HELM.is_file(), f"{HELM} is missing: run `make helm`"
    done = subprocess.run(
        [str(HELM), *args], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def documents(stream: str) -> list[Manifest]:
    return [document for document in yaml.safe_load_all(stream) if document]


@pytest.fixture(scope="module")
def chart() -> list[Manifest]:
    return documents(helm("template", "fyhub", str(CHART), "--namespace", "fyhub"))


@pytest.fixture(scope="module")
def strimzi() -> list[Manifest]:
    result = CliRunner().invoke(app, ["k8s", "render"], env=CONTRACTS_ENV)
    assert result.exit_code == 0, result.output
    return documents(result.stdout)


def validate(manifest: Manifest) -> None:
    """Against Strimzi's or the Prometheus Operator's shape for their kinds, else against the
    Kubernetes schema of the kind (strict: an unknown field fails)."""
    schema = strimzi_schemas.BY_KIND.get(manifest["kind"])
    if schema is not None:
        jsonschema.validate(manifest, schema)
    else:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_helm_lints_the_chart() -> None:
    out = helm("lint", "--strict", str(CHART))
    assert "0 chart(s) failed" in out


def test_every_manifest_of_the_chart_with_default_values_is_valid(chart: list[Manifest]) -> None:
    kinds = {manifest["kind"] for manifest in chart}
    assert kinds >= {
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "Secret",
        "ConfigMap",
    }
    for manifest in chart:
        validate(manifest)


def test_the_service_monitor_is_rendered_only_when_asked_and_is_valid(
    chart: list[Manifest],
) -> None:
    assert "ServiceMonitor" not in {manifest["kind"] for manifest in chart}
    monitored = documents(
        helm("template", "fyhub", str(CHART), "--set", "serviceMonitor.enabled=true")
    )
    monitors = [manifest for manifest in monitored if manifest["kind"] == "ServiceMonitor"]
    assert len(monitors) == 1
    validate(monitors[0])
    with pytest.raises(jsonschema.ValidationError):
        validate({**monitors[0], "spec": {**monitors[0]["spec"], "endpoint": []}})


def test_a_wrong_field_fails_the_kubernetes_schema(chart: list[Manifest]) -> None:
    deployment = next(manifest for manifest in chart if manifest["kind"] == "Deployment")
    with pytest.raises(kubernetes_validate.ValidationError):
        validate({**deployment, "spec": {**deployment["spec"], "replica": 2}})


def deployments(chart: list[Manifest]) -> dict[str, Manifest]:
    return {
        manifest["metadata"]["labels"]["app.kubernetes.io/component"]: manifest
        for manifest in chart
        if manifest["kind"] == "Deployment"
    }


def test_each_service_runs_from_the_one_image_with_probes_on_its_health_port(
    chart: list[Manifest],
) -> None:
    found = deployments(chart)
    assert set(found) == {"router", "auditor", "tracker", "console"}
    assert found["router"]["spec"]["replicas"] == 2
    images = set()
    for service, deployment in found.items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        images.add(container["image"])
        (port,) = container["ports"]
        if service == "console":
            assert container["args"][:2] == ["fyhub", "console"]
            assert port["containerPort"] == Settings().console.port
        else:
            assert container["args"] == ["fyhub", "run", service]
            # `fyhub run X` serves /healthz on the observability port plus X's offset.
            assert (
                port["containerPort"]
                == Settings().observability.port + (SERVICE_PORT_OFFSETS[service])
            )
        for probe in ("livenessProbe", "readinessProbe"):
            assert container[probe]["httpGet"] == {"path": "/healthz", "port": port["name"]}
        assert container["resources"]["requests"]
    assert len(images) == 1


def test_every_variable_the_chart_sets_is_a_setting_of_fyhub(chart: list[Manifest]) -> None:
    names = {
        variable["name"]
        for deployment in deployments(chart).values()
        for variable in deployment["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert "FYHUB_DB__URL" in names
    assert "FYHUB_SECURITY__SIGNING_KEY_FILE" in names
    for name in names:
        assert name.startswith(ENV_PREFIX)
        model: Any = Settings
        for part in name.removeprefix(ENV_PREFIX).lower().split(ENV_NESTED_DELIMITER):
            assert part in model.model_fields, f"{name} is not a setting"
            model = model.model_fields[part].annotation


def test_secrets_are_mounted_as_files_the_hub_accepts(chart: list[Manifest]) -> None:
    router = deployments(chart)["router"]["spec"]["template"]["spec"]
    env = {variable["name"]: variable for variable in router["containers"][0]["env"]}
    for setting in (
        "FYHUB_KAFKA__PASSWORD_FILE",
        "FYHUB_SECURITY__TOKEN_SECRET_FILE",
        "FYHUB_SECURITY__SIGNING_KEY_FILE",
    ):
        # Copied by the init container to a memory folder, mode 0600 (secret_files.py).
        assert env[setting]["value"].startswith("/run/fyhub/secrets/")
    assert "chmod 600" in router["initContainers"][0]["command"][-1]
    assert env["FYHUB_DB__URL"]["valueFrom"]["secretKeyRef"]["key"] == "url"


def test_network_policies_let_hub_pods_reach_only_kafka_postgresql_and_dns(
    chart: list[Manifest],
) -> None:
    policies = {m["metadata"]["name"]: m for m in chart if m["kind"] == "NetworkPolicy"}
    egress = policies["fyhub-egress"]["spec"]
    assert egress["policyTypes"] == ["Egress"]
    ports = [{port["port"] for port in rule["ports"]} for rule in egress["egress"]]
    assert ports == [{9093}, {5432}, {53}]
    assert all(rule["to"] for rule in egress["egress"])
    metrics = policies["fyhub-metrics"]["spec"]["ingress"]
    assert [rule["ports"] for rule in metrics] == [[{"protocol": "TCP", "port": "metrics"}]]


def test_the_chart_mounts_the_registry_routing_table_and_calendar(chart: list[Manifest]) -> None:
    maps = {m["metadata"]["name"]: m["data"] for m in chart if m["kind"] == "ConfigMap"}
    deploy = ROOT / "deploy"
    assert set(maps["fyhub-units"]) == {path.name for path in (deploy / "units").glob("*.yaml")}
    assert maps["fyhub-routing"]["routing.yaml"] == (deploy / "routing.yaml").read_text().rstrip()
    assert set(maps["fyhub-calendar"]) == {p.name for p in (deploy / "calendar").glob("*.yaml")}


def test_every_strimzi_resource_is_valid(strimzi: list[Manifest]) -> None:
    for manifest in strimzi:
        validate(manifest)
    user = next(manifest for manifest in strimzi if manifest["kind"] == "KafkaUser")
    spec = user["spec"]
    rule = {**spec["authorization"]["acls"][0], "operations": ["Produce"]}
    wrong = {**user, "spec": {**spec, "authorization": {"type": "simple", "acls": [rule]}}}
    with pytest.raises(jsonschema.ValidationError):
        validate(wrong)


def test_the_kafka_is_kraft_with_tls_scram_and_production_replication(
    strimzi: list[Manifest],
) -> None:
    (kafka,) = [manifest for manifest in strimzi if manifest["kind"] == "Kafka"]
    assert kafka["metadata"]["annotations"] == {
        "strimzi.io/kraft": "enabled",
        "strimzi.io/node-pools": "enabled",
    }
    spec = kafka["spec"]["kafka"]
    assert all(listener["tls"] for listener in spec["listeners"])
    assert {listener["authentication"]["type"] for listener in spec["listeners"]} == {
        "scram-sha-512"
    }
    assert spec["authorization"]["type"] == "simple"
    config = spec["config"]
    assert config["default.replication.factor"] == 3
    assert config["min.insync.replicas"] == 2
    assert config["unclean.leader.election.enable"] is False
    pools = [manifest["spec"] for manifest in strimzi if manifest["kind"] == "KafkaNodePool"]
    assert sorted(role for pool in pools for role in pool["roles"]) == ["broker", "controller"]
    assert all(pool["replicas"] == 3 for pool in pools)
    assert all(
        volume["type"] == "persistent-claim"
        for pool in pools
        for volume in pool["storage"]["volumes"]
    )


def test_one_kafka_topic_per_planned_topic_replicated_three_times(
    strimzi: list[Manifest],
) -> None:
    settings = bootstrap.load_settings(**_contracts())
    kafka = settings.kafka.model_copy(update={"replication": 3, "min_insync_replicas": 2})
    units = bootstrap.load_contracts(settings).registry.units
    from hub.kafka.topics import planned_topics  # noqa: PLC0415

    planned = {
        spec.name: (spec.partitions, spec.replication, dict(spec.config))
        for spec in planned_topics(units, kafka)
    }
    rendered = {
        manifest["spec"]["topicName"]: (
            manifest["spec"]["partitions"],
            manifest["spec"]["replicas"],
            manifest["spec"]["config"],
        )
        for manifest in strimzi
        if manifest["kind"] == "KafkaTopic"
    }
    assert rendered == planned
    assert {replicas for _, replicas, _ in rendered.values()} == {3}
    assert {config["min.insync.replicas"] for _, _, config in rendered.values()} == {"2"}


def _contracts() -> dict[str, Any]:
    return {"registry": ROOT / "deploy" / "units", "routing": ROOT / "deploy" / "routing.yaml"}


_RESOURCE_TYPES = {name: kind for kind, name in STRIMZI_RESOURCE_TYPES.items()}
_PATTERNS = {name: pattern for pattern, name in STRIMZI_PATTERN_TYPES.items()}
_OPERATIONS = {name: operation for operation, name in STRIMZI_OPERATIONS.items()}


def test_the_kafka_users_hold_exactly_the_acls_of_fyhub_acl_plan(strimzi: list[Manifest]) -> None:
    settings = bootstrap.load_settings(**_contracts())
    planned = {
        (acl.principal, acl.resource_type, acl.resource_name, acl.pattern, acl.operation, acl.host)
        for acl in bootstrap.planned_acls(settings)
    }
    users = [manifest for manifest in strimzi if manifest["kind"] == "KafkaUser"]
    rendered = set()
    for user in users:
        assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
        assert user["spec"]["authorization"]["type"] == "simple"
        for rule in user["spec"]["authorization"]["acls"]:
            assert rule["type"] == "allow"
            resource = rule["resource"]
            kind = _RESOURCE_TYPES[resource["type"]]
            name = resource.get("name", "kafka-cluster")
            pattern = _PATTERNS[resource.get("patternType", "literal")]
            for operation in rule["operations"]:
                fact = (user["metadata"]["name"], kind, name, pattern, _OPERATIONS[operation])
                rendered.add((*fact, rule["host"]))
    assert rendered == planned
    # Every principal (each unit and each hub service) has its user, and no one else does.
    names = [user["metadata"]["name"] for user in users]
    assert sorted(names) == sorted(set(bootstrap.planned_principals(settings)))
    assert {"fyhub.router", "fyhub.auditor", "fyhub.tracker", "fyhub.console", "admin"} <= set(
        names
    )
    assert {acl[0] for acl in planned} < set(names)  # the console and admin have no ACL
    assert ResourceType.GROUP in {acl[1] for acl in rendered}
    assert PatternType.PREFIXED in {acl[3] for acl in rendered}


def test_render_writes_one_file_per_resource(tmp_path: Path, strimzi: list[Manifest]) -> None:
    out = tmp_path / "strimzi"
    result = CliRunner().invoke(app, ["k8s", "render", "--out", str(out)], env=CONTRACTS_ENV)
    assert result.exit_code == 0, result.output
    written = [documents(path.read_text())[0] for path in sorted(out.glob("*.yaml"))]
    key = lambda m: (m["kind"], m["metadata"]["name"])  # noqa: E731
    assert sorted(written, key=key) == sorted(strimzi, key=key)


def test_the_settings_each_service_is_given_are_accepted(
    chart: list[Manifest], monkeypatch: pytest.MonkeyPatch
) -> None:
    for service, deployment in deployments(chart).items():
        env = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
        with monkeypatch.context() as patched:
            for variable in env:
                # FYHUB_DB__URL comes from a Secret: its value is the chart's default.
                patched.setenv(variable["name"], variable.get("value", "postgresql+asyncpg://x/y"))
            settings = bootstrap.load_settings()
        assert not bootstrap.is_local_run(settings), service
        assert settings.kafka.replication == 3
        assert settings.kafka.min_insync_replicas == 2
        assert settings.registry == Path("/etc/fyhub/units")
        if service != "console":
            assert settings.kafka.username == f"fyhub.{service}"
            assert settings.security.token_secret_file is not None


def test_a_cluster_acl_becomes_a_rule_without_name_or_pattern() -> None:
    from hub.acl.plan import Acl, Operation  # noqa: PLC0415
    from hub.k8s.strimzi import acl_rules  # noqa: PLC0415

    acls = [
        Acl("fyhub.router", ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, operation)
        for operation in (Operation.IDEMPOTENT_WRITE, Operation.DESCRIBE)
    ]
    assert acl_rules(acls) == [
        {
            "type": "allow",
            "resource": {"type": "cluster"},
            "operations": ["Describe", "IdempotentWrite"],
            "host": "*",
        }
    ]


def test_a_principal_that_is_no_kubernetes_name_is_refused() -> None:
    from hub.k8s.strimzi import ClusterShape, RenderError, kafka_users  # noqa: PLC0415

    with pytest.raises(RenderError, match="Tax_411121"):
        kafka_users(ClusterShape(), [], ["Tax_411121"])
