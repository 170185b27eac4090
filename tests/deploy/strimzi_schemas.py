"""Structural JSON schemas of the Strimzi custom resources `fyhub k8s render` makes
(kafka.strimzi.io/v1beta2: Kafka, KafkaNodePool, KafkaTopic, KafkaUser), written from Strimzi's
API reference, since no package registry this project uses ships Strimzi's CRDs (the
`io.strimzi:api` jar holds the model classes only).

They cover the fields fyhub sets, with Strimzi's enums (listener and authentication types, ACL
resource types, pattern types, operations, node roles, volume types) and its constraints on
names and ports; `additionalProperties: false` where Strimzi's schema is closed, so that a
misspelt field fails here rather than on the operator.
"""

from __future__ import annotations

from typing import Any, Final

_DNS_SUBDOMAIN: Final = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_QUANTITY: Final = r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$"

_METADATA: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "pattern": _DNS_SUBDOMAIN, "maxLength": 253},
        "namespace": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


def _resource(kind: str, spec: dict[str, Any], *, cluster_label: bool) -> dict[str, Any]:
    metadata = dict(_METADATA)
    if cluster_label:
        # The operators find a resource's Kafka by this label; without it they ignore it.
        metadata = {
            **_METADATA,
            "properties": {
                **_METADATA["properties"],
                "labels": {
                    "type": "object",
                    "required": ["strimzi.io/cluster"],
                    "additionalProperties": {"type": "string"},
                },
            },
        }
    return {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "additionalProperties": False,
        "properties": {
            "apiVersion": {"const": "kafka.strimzi.io/v1beta2"},
            "kind": {"const": kind},
            "metadata": metadata,
            "spec": spec,
        },
    }


_SCRAM_OR_TLS: Final = {"enum": ["tls", "scram-sha-512", "tls-external"]}

_LISTENER: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["name", "port", "type", "tls"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z0-9]{1,11}$"},
        # 9404 (JMX exporter) and 9999 (JMX) are Strimzi's own; below 9092 is refused.
        "port": {"type": "integer", "minimum": 9092, "not": {"enum": [9404, 9999]}},
        "type": {
            "enum": ["internal", "route", "loadbalancer", "nodeport", "ingress", "cluster-ip"]
        },
        "tls": {"type": "boolean"},
        "authentication": {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"enum": ["tls", "scram-sha-512", "oauth", "custom"]}},
        },
        "configuration": {"type": "object"},
        "networkPolicyPeers": {"type": "array"},
    },
}

KAFKA: Final = _resource(
    "Kafka",
    {
        "type": "object",
        "required": ["kafka"],
        "additionalProperties": False,
        "properties": {
            "kafka": {
                "type": "object",
                "required": ["listeners"],
                "additionalProperties": False,
                "properties": {
                    "version": {"type": "string"},
                    "metadataVersion": {"type": "string"},
                    "listeners": {"type": "array", "minItems": 1, "items": _LISTENER},
                    "authorization": {
                        "type": "object",
                        "required": ["type"],
                        "additionalProperties": False,
                        "properties": {
                            "type": {"enum": ["simple", "opa", "keycloak", "custom"]},
                            "superUsers": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                    "config": {
                        "type": "object",
                        "additionalProperties": {
                            "type": ["string", "integer", "boolean", "number"]
                        },
                        # Options Strimzi manages itself and refuses in `config`.
                        "propertyNames": {
                            "not": {
                                "pattern": "^(listeners|advertised\\.|broker\\.id|node\\.id|"
                                "process\\.roles|controller\\.|super\\.user|authorizer\\.|"
                                "log\\.dir|sasl\\.|ssl\\.|security\\.)"
                            }
                        },
                    },
                    "rack": {"type": "object"},
                    "template": {"type": "object"},
                    "metricsConfig": {"type": "object"},
                },
            },
            "entityOperator": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "topicOperator": {"type": "object"},
                    "userOperator": {"type": "object"},
                    "template": {"type": "object"},
                },
            },
            "cruiseControl": {"type": "object"},
            "kafkaExporter": {"type": "object"},
        },
    },
    cluster_label=False,
)

_VOLUME: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["type"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "integer", "minimum": 0},
        "type": {"enum": ["ephemeral", "persistent-claim"]},
        "size": {"type": "string", "pattern": _QUANTITY},
        "class": {"type": "string"},
        "deleteClaim": {"type": "boolean"},
        "kraftMetadata": {"enum": ["shared"]},
        "selector": {"type": "object"},
    },
    "if": {"properties": {"type": {"const": "persistent-claim"}}},
    "then": {"required": ["size"]},
}

KAFKA_NODE_POOL: Final = _resource(
    "KafkaNodePool",
    {
        "type": "object",
        "required": ["replicas", "roles", "storage"],
        "additionalProperties": False,
        "properties": {
            "replicas": {"type": "integer", "minimum": 0},
            "roles": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"enum": ["controller", "broker"]},
            },
            "storage": {
                "type": "object",
                "required": ["type"],
                "properties": {
                    "type": {"enum": ["ephemeral", "persistent-claim", "jbod"]},
                    "volumes": {"type": "array", "minItems": 1, "items": _VOLUME},
                },
            },
            "resources": {"type": "object"},
            "jvmOptions": {"type": "object"},
            "template": {"type": "object"},
        },
    },
    cluster_label=True,
)

KAFKA_TOPIC: Final = _resource(
    "KafkaTopic",
    {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "topicName": {"type": "string", "pattern": "^[a-zA-Z0-9._-]{1,249}$"},
            "partitions": {"type": "integer", "minimum": 1},
            "replicas": {"type": "integer", "minimum": 1, "maximum": 32767},
            "config": {
                "type": "object",
                "additionalProperties": {"type": ["string", "integer", "boolean", "number"]},
            },
        },
    },
    cluster_label=True,
)

_ACL_RULE: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["resource", "operations"],
    "additionalProperties": False,
    "properties": {
        "type": {"enum": ["allow", "deny"]},
        "resource": {
            "type": "object",
            "required": ["type"],
            "additionalProperties": False,
            "properties": {
                "type": {"enum": ["topic", "group", "cluster", "transactionalId"]},
                "name": {"type": "string"},
                "patternType": {"enum": ["literal", "prefix"]},
            },
            "if": {"properties": {"type": {"const": "cluster"}}},
            "then": {"not": {"anyOf": [{"required": ["name"]}, {"required": ["patternType"]}]}},
            "else": {"required": ["name"]},
        },
        "operations": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {
                "enum": [
                    "Read",
                    "Write",
                    "Create",
                    "Delete",
                    "Alter",
                    "Describe",
                    "ClusterAction",
                    "AlterConfigs",
                    "DescribeConfigs",
                    "IdempotentWrite",
                    "All",
                ]
            },
        },
        "host": {"type": "string"},
    },
}

KAFKA_USER: Final = _resource(
    "KafkaUser",
    {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "authentication": {
                "type": "object",
                "required": ["type"],
                "additionalProperties": False,
                "properties": {"type": _SCRAM_OR_TLS, "password": {"type": "object"}},
            },
            "authorization": {
                "type": "object",
                "required": ["type", "acls"],
                "additionalProperties": False,
                "properties": {
                    "type": {"const": "simple"},
                    "acls": {"type": "array", "items": _ACL_RULE},
                },
            },
            "quotas": {"type": "object"},
            "template": {"type": "object"},
        },
    },
    cluster_label=True,
)

SERVICE_MONITOR: Final[dict[str, Any]] = {
    # monitoring.coreos.com/v1, from the Prometheus Operator's API reference: the fields the
    # chart sets.
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "monitoring.coreos.com/v1"},
        "kind": {"const": "ServiceMonitor"},
        "metadata": _METADATA,
        "spec": {
            "type": "object",
            "required": ["selector", "endpoints"],
            "additionalProperties": False,
            "properties": {
                "selector": {
                    "type": "object",
                    "properties": {"matchLabels": {"type": "object"}},
                },
                "namespaceSelector": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "any": {"type": "boolean"},
                        "matchNames": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "endpoints": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "port": {"type": "string"},
                            "path": {"type": "string"},
                            "interval": {"type": "string", "pattern": "^[0-9]+(ms|s|m|h)$"},
                        },
                    },
                },
            },
        },
    },
}

BY_KIND: Final = {
    "Kafka": KAFKA,
    "KafkaNodePool": KAFKA_NODE_POOL,
    "KafkaTopic": KAFKA_TOPIC,
    "KafkaUser": KAFKA_USER,
    "ServiceMonitor": SERVICE_MONITOR,
}
