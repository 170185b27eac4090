"""`fyhub k8s render`: the Strimzi resources the unit registry implies (`hub.k8s.strimzi`), as
YAML on stdout or one file per resource in a folder, for `kubectl apply` next to the Helm chart
in deploy/helm/fyhub.

The topics are `fyhub topics apply`'s plan and the users' ACLs `fyhub acl plan`'s, from the
same settings and registry, shaped for production: replication and `min.insync.replicas` are
the options' (3 and 2), not the local defaults.
"""

from __future__ import annotations

from pathlib import Path  # noqa: TC003 - Typer reads the annotations at run time
from typing import Annotated

import typer

from hub import bootstrap
from hub.k8s.strimzi import ClusterShape, RenderError, file_name, render_yaml, strimzi_resources
from hub.kafka.topics import planned_topics

k8s_app = typer.Typer(
    help="Kubernetes: the Strimzi resources of the registry.", no_args_is_help=True
)


@k8s_app.command("render")
def render(  # noqa: PLR0913, PLR0917 - a Typer command's options are its parameters
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Write <kind>-<name>.yaml files here instead of stdout.", file_okay=False
        ),
    ] = None,
    cluster: Annotated[
        str, typer.Option(help="The Kafka's name (its bootstrap: <name>-kafka-bootstrap).")
    ] = "fyhub",
    namespace: Annotated[
        str | None, typer.Option(help="Namespace of every resource [default: none].")
    ] = None,
    replicas: Annotated[int, typer.Option(min=1, help="Replicas of every topic.")] = 3,
    min_isr: Annotated[int, typer.Option(min=1, help="min.insync.replicas of every topic.")] = 2,
    brokers: Annotated[int, typer.Option(min=1, help="Brokers in the broker pool.")] = 3,
    controllers: Annotated[int, typer.Option(min=1, help="KRaft controllers in their pool.")] = 3,
    broker_storage: Annotated[str, typer.Option(help="Each broker's volume.")] = "100Gi",
    controller_storage: Annotated[str, typer.Option(help="Each controller's volume.")] = "20Gi",
    storage_class: Annotated[
        str | None, typer.Option(help="StorageClass of the volumes [default: the cluster's].")
    ] = None,
) -> None:
    """Print (or write) the Kafka, its node pools, a KafkaTopic per topic and a KafkaUser per
    unit and hub service, with SCRAM and exactly the ACLs of `fyhub acl plan`."""
    if min_isr > replicas:
        raise typer.BadParameter(
            f"{min_isr} in-sync replicas of {replicas}", param_hint="--min-isr"
        )
    settings = bootstrap.load_settings()
    kafka = settings.kafka.model_copy(
        update={"replication": replicas, "min_insync_replicas": min_isr}
    )
    shaped = settings.model_copy(update={"kafka": kafka})
    units = bootstrap.load_contracts(shaped).registry.units
    shape = ClusterShape(
        name=cluster,
        namespace=namespace,
        brokers=brokers,
        controllers=controllers,
        broker_storage=broker_storage,
        controller_storage=controller_storage,
        storage_class=storage_class,
        replication=replicas,
        min_insync_replicas=min_isr,
    )
    try:
        resources = strimzi_resources(
            shape,
            planned_topics(units, kafka),
            bootstrap.planned_acls(shaped),
            bootstrap.planned_principals(shaped),
        )
    except RenderError as error:
        typer.echo(f"fyhub k8s render: {error}", err=True)
        raise typer.Exit(1) from None
    if out is None:
        typer.echo(render_yaml(resources), nl=False)
        return
    out.mkdir(parents=True, exist_ok=True)
    for resource in resources:
        (out / file_name(resource)).write_text(render_yaml([resource]), encoding="utf-8")
    typer.echo(f"{len(resources)} resources written to {out}", err=True)
