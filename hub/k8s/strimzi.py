"""The Strimzi resources the unit registry implies: a KRaft `Kafka` with its `KafkaNodePool`s,
one `KafkaTopic` per planned topic and one `KafkaUser` per principal (docs/security.md).

Pure: the planned topics (`hub.kafka.topics.planned_topics`), the planned ACLs
(`hub.acl.plan.planned_acls`) and the principals in, plain dicts (one per resource, ready for
YAML) out. The ACLs are exactly those of `fyhub acl plan`: each `Acl` becomes one operation of a
Strimzi `AclRule`; bindings that differ only in their operation share one rule.

- Every client listener is TLS with SCRAM-SHA-512, and the brokers authorize with Kafka's own
  ACLs (`simple`): anything not granted is refused. `admin` is the one super user.
- Replication 3 and `min.insync.replicas` 2 by default, unclean leader election off: a broker
  may die without an acknowledged record being lost.
- Node pools: three dedicated controllers and three brokers, each on its own persistent volume
  that outlives the pod (`deleteClaim: false`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import yaml

from hub.acl.plan import Operation, PatternType, Permission, ResourceType, Service

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from hub.acl.plan import Acl
    from hub.kafka.topics import TopicSpec

API_VERSION: Final = "kafka.strimzi.io/v1beta2"
CLUSTER_LABEL: Final = "strimzi.io/cluster"
LISTENER_PORT: Final = 9093
"""The TLS + SCRAM listener every client uses (`<cluster>-kafka-bootstrap:9093`)."""

STRIMZI_RESOURCE_TYPES: Final = {
    ResourceType.TOPIC: "topic",
    ResourceType.GROUP: "group",
    ResourceType.CLUSTER: "cluster",
    ResourceType.TRANSACTIONAL_ID: "transactionalId",
}
STRIMZI_PATTERN_TYPES: Final = {PatternType.LITERAL: "literal", PatternType.PREFIXED: "prefix"}
STRIMZI_OPERATIONS: Final = {
    Operation.ALL: "All",
    Operation.READ: "Read",
    Operation.WRITE: "Write",
    Operation.CREATE: "Create",
    Operation.DELETE: "Delete",
    Operation.ALTER: "Alter",
    Operation.DESCRIBE: "Describe",
    Operation.CLUSTER_ACTION: "ClusterAction",
    Operation.DESCRIBE_CONFIGS: "DescribeConfigs",
    Operation.ALTER_CONFIGS: "AlterConfigs",
    Operation.IDEMPOTENT_WRITE: "IdempotentWrite",
}
STRIMZI_PERMISSIONS: Final = {Permission.ALLOW: "allow", Permission.DENY: "deny"}

# A Kubernetes object name that is a DNS-1123 subdomain: a KafkaUser's name is its SCRAM
# username and cannot be spelt otherwise, so a principal that is not one is refused.
_SUBDOMAIN: Final = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_MAX_NAME: Final = 253


class RenderError(ValueError):
    """A resource that Strimzi could not be given as planned (its name, mostly)."""


@dataclass(frozen=True, slots=True)
class ClusterShape:
    """What the registry does not say: the cluster's name, size and disks."""

    name: str = "fyhub"
    namespace: str | None = None
    brokers: int = 3
    controllers: int = 3
    broker_storage: str = "100Gi"
    controller_storage: str = "20Gi"
    storage_class: str | None = None
    replication: int = 3
    min_insync_replicas: int = 2


def strimzi_resources(
    shape: ClusterShape,
    topics: Sequence[TopicSpec],
    acls: Iterable[Acl],
    principals: Iterable[str],
) -> list[dict[str, Any]]:
    """The `Kafka`, its node pools, the topics and the users, in that order."""
    return [
        kafka(shape),
        node_pool(
            shape, "controllers", ["controller"], shape.controllers, shape.controller_storage
        ),
        node_pool(shape, "brokers", ["broker"], shape.brokers, shape.broker_storage),
        *(kafka_topic(shape, spec) for spec in topics),
        *kafka_users(shape, acls, principals),
    ]


def kafka(shape: ClusterShape) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "Kafka",
        "metadata": _metadata(
            shape,
            shape.name,
            annotations={"strimzi.io/kraft": "enabled", "strimzi.io/node-pools": "enabled"},
            cluster_label=False,
        ),
        "spec": {
            "kafka": {
                "listeners": [
                    {
                        "name": "tls",
                        "port": LISTENER_PORT,
                        "type": "internal",
                        "tls": True,
                        "authentication": {"type": "scram-sha-512"},
                    }
                ],
                "authorization": {"type": "simple", "superUsers": [Service.ADMIN.value]},
                "config": {
                    "default.replication.factor": shape.replication,
                    "min.insync.replicas": shape.min_insync_replicas,
                    "unclean.leader.election.enable": False,
                    "offsets.topic.replication.factor": shape.replication,
                    "transaction.state.log.replication.factor": shape.replication,
                    "transaction.state.log.min.isr": shape.min_insync_replicas,
                    # Topics are the administrator's (KafkaTopic here): a client's typo must
                    # not create one with the broker's defaults.
                    "auto.create.topics.enable": False,
                },
            },
            # The operators that turn the KafkaTopics and KafkaUsers below into topics, SCRAM
            # credentials (a Secret per user, key `password`) and ACLs.
            "entityOperator": {"topicOperator": {}, "userOperator": {}},
        },
    }


def node_pool(
    shape: ClusterShape, name: str, roles: list[str], replicas: int, size: str
) -> dict[str, Any]:
    volume: dict[str, Any] = {
        "id": 0,
        "type": "persistent-claim",
        "size": size,
        "deleteClaim": False,
        "kraftMetadata": "shared",
    }
    if shape.storage_class is not None:
        volume["class"] = shape.storage_class
    return {
        "apiVersion": API_VERSION,
        "kind": "KafkaNodePool",
        "metadata": _metadata(shape, f"{shape.name}-{name}"),
        "spec": {
            "replicas": replicas,
            "roles": roles,
            "storage": {"type": "jbod", "volumes": [volume]},
        },
    }


def kafka_topic(shape: ClusterShape, spec: TopicSpec) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "KafkaTopic",
        "metadata": _metadata(shape, _object_name(spec.name, "topic")),
        "spec": {
            "topicName": spec.name,
            "partitions": spec.partitions,
            "replicas": spec.replication,
            "config": dict(spec.config),
        },
    }


def kafka_users(
    shape: ClusterShape, acls: Iterable[Acl], principals: Iterable[str]
) -> list[dict[str, Any]]:
    """One user per principal, holding exactly that principal's ACLs (none: an empty list, so
    that the User Operator removes any binding someone added by hand)."""
    by_principal: dict[str, list[Acl]] = defaultdict(list)
    for acl in acls:
        by_principal[acl.principal].append(acl)
    named = list(dict.fromkeys(principals))
    unknown = sorted(set(by_principal) - set(named))
    if unknown:
        raise RenderError(f"ACLs for principals that get no KafkaUser: {', '.join(unknown)}")
    return [kafka_user(shape, principal, by_principal.get(principal, [])) for principal in named]


def kafka_user(shape: ClusterShape, principal: str, acls: Iterable[Acl]) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "KafkaUser",
        "metadata": _metadata(shape, _object_name(principal, "principal")),
        "spec": {
            "authentication": {"type": "scram-sha-512"},
            "authorization": {"type": "simple", "acls": acl_rules(acls)},
        },
    }


def acl_rules(acls: Iterable[Acl]) -> list[dict[str, Any]]:
    """Strimzi `AclRule`s: one per resource, pattern, host and permission, with its operations."""
    operations: dict[tuple[ResourceType, str, PatternType, str, Permission], set[Operation]]
    operations = defaultdict(set)
    for acl in acls:
        key = (acl.resource_type, acl.resource_name, acl.pattern, acl.host, acl.permission)
        operations[key].add(acl.operation)
    return [
        {
            "type": STRIMZI_PERMISSIONS[permission],
            "resource": _resource(resource_type, name, pattern),
            "operations": [STRIMZI_OPERATIONS[op] for op in sorted(ops)],
            "host": host,
        }
        for (resource_type, name, pattern, host, permission), ops in sorted(operations.items())
    ]


def _resource(resource_type: ResourceType, name: str, pattern: PatternType) -> dict[str, str]:
    if resource_type is ResourceType.CLUSTER:
        return {"type": "cluster"}  # Strimzi's cluster resource has neither name nor pattern
    return {
        "type": STRIMZI_RESOURCE_TYPES[resource_type],
        "name": name,
        "patternType": STRIMZI_PATTERN_TYPES[pattern],
    }


def _object_name(name: str, what: str) -> str:
    if len(name) > _MAX_NAME or not _SUBDOMAIN.fullmatch(name):
        raise RenderError(f"{what} {name!r} is not a Kubernetes object name (DNS-1123 subdomain)")
    return name


def _metadata(
    shape: ClusterShape,
    name: str,
    *,
    annotations: dict[str, str] | None = None,
    cluster_label: bool = True,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": _object_name(name, "resource")}
    if shape.namespace is not None:
        metadata["namespace"] = shape.namespace
    labels = {"app.kubernetes.io/part-of": "fyhub"}
    if cluster_label:
        # How the entity and node-pool operators find the Kafka a resource belongs to.
        labels[CLUSTER_LABEL] = shape.name
    metadata["labels"] = labels
    if annotations:
        metadata["annotations"] = annotations
    return metadata


def render_yaml(resources: Iterable[dict[str, Any]]) -> str:
    """The resources as one multi-document YAML stream (`kubectl apply -f -`)."""
    return yaml.safe_dump_all(list(resources), sort_keys=False, allow_unicode=True)


def file_name(resource: dict[str, Any]) -> str:
    """Where `fyhub k8s render --out DIR` writes one resource: `<kind>-<name>.yaml`."""
    return f"{resource['kind'].lower()}-{resource['metadata']['name']}.yaml"
