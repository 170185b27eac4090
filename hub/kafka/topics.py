"""The hub's topics, planned from the unit registry and created on the broker (`topics apply`).

Every unit gets its outbox and inbox; the hub has its journal and dead-letter topic. Planning is
pure; `apply_topics` creates only what is missing, adds the partitions a topic lacks and sets the
planned configuration values an existing topic does not hold, so it is safe to run at every
start. The settings' profile (`KafkaSettings.profile`) gives the replication and min ISR; the
retention of each topic is the same in every profile and its reason is stated below and in
docs/operations.md. A topic's replication factor is never changed here: Kafka changes it only by
reassigning partitions, so `apply_topics` reports a topic that differs.

Partitions are what several routers share a unit's outbox by (one consumer group, each partition
read by one router): the outboxes of busy departments (`KafkaSettings.outbox_partitions_by_dept`,
the court by default) get more than the rest. Kafka can add partitions to a topic but never take
them away, so `apply_topics` only ever raises a count; a topic with more than planned is left as
it is. Adding partitions moves some keys to a new partition: records of one key published before
and after may then be read out of order, once (recipients dedupe by id, not by order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import Array, Boolean, Int8, Int16, Int32, Schema, String

from schemas.units import DLQ_TOPIC, JOURNAL_TOPIC, inbox_topic, outbox_topic, unit_dept

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from aiokafka.admin import AIOKafkaAdminClient

    from hub.kafka.access import KafkaAccess
    from hub.settings import KafkaSettings

# Room for a 1 MiB event plus the hub's extensions and headers; the router refuses larger ones.
_TOPIC_MAX_MESSAGE_BYTES = 4 * 1_048_576
_DAY_MS: Final = 86_400_000

KEPT: Final = "-1"
"""`retention.ms` of a topic that never ages out."""
JOURNAL_RETENTION_MS: Final = KEPT
"""The journal is the system of record: the store, its audit chain and every replay are rebuilt
from it, so it is kept for ever (网络安全法 art 21 asks at least six months of the logs; the
journal holds them all, and the store's `audit_log`, derived from it, is never pruned)."""
DLQ_RETENTION_DAYS: Final = 400
"""The dead letters hold the raw refused bytes, personal data included (个人信息保护法 art 19:
no longer than needed), while the journal keeps the fact of each refusal for ever. 400 days:
more than the six months of 网络安全法 art 21, and a whole year's 督导考核 (the annual figures
are drawn up after the year ends) plus a month, so that a unit contesting a refusal counted
against it can still be shown the record it sent."""
UNIT_TOPIC_RETENTION_DAYS: Final = 30
"""Outboxes and inboxes are a passage, not a record: an outbox record is in the journal once
routed, and a copy the tracker can rebuild from the store and deliver again. 30 days outlasts
the longest holiday (春节, nine days) with a connector or the router down, four times the router's
freshness window (a record older than 7 days is refused `stale`, with a notice to its sender, so
it is not lost unseen), and the redeliveries and escalation of a copy never received."""

# Only a replica that was in sync may lead: an out-of-date one would drop acknowledged writes.
_NO_UNCLEAN_ELECTION = ("unclean.leader.election.enable", "false")


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    replication: int
    config: tuple[tuple[str, str], ...]


def _days(days: int) -> str:
    return str(days * _DAY_MS)


def planned_topics(units: Iterable[str], kafka: KafkaSettings) -> list[TopicSpec]:
    """Every topic of the hub for `units`, shaped by `kafka` (its profile's replication and min
    ISR, docs/operations.md): the journal, the dead letters, each unit's outbox and inbox."""
    config = (
        ("min.insync.replicas", str(kafka.min_insync_replicas)),
        ("max.message.bytes", str(_TOPIC_MAX_MESSAGE_BYTES)),
        _NO_UNCLEAN_ELECTION,
    )
    # Time alone bounds what a topic keeps: a broker's `log.retention.bytes` must not cut it.
    unbounded_size = ("retention.bytes", "-1")
    # The journal's record times are the broker's, not the writer's: the hub's key that sealed a
    # record must have been valid then (`hub.journal.trust`), and a writer cannot backdate it.
    # It has one partition so that its order, which the audit chain hashes, is the same live
    # and on replay.
    journal = (
        *config,
        ("retention.ms", JOURNAL_RETENTION_MS),
        unbounded_size,
        ("message.timestamp.type", "LogAppendTime"),
    )
    dlq = (*config, ("retention.ms", _days(DLQ_RETENTION_DAYS)), unbounded_size)
    unit = (*config, ("retention.ms", _days(UNIT_TOPIC_RETENTION_DAYS)), unbounded_size)
    specs = [
        TopicSpec(JOURNAL_TOPIC, 1, kafka.replication, journal),
        TopicSpec(DLQ_TOPIC, kafka.partitions, kafka.replication, dlq),
    ]
    for code in sorted(units):
        partitions = outbox_partitions(code, kafka)
        specs.append(TopicSpec(outbox_topic(code), partitions, kafka.replication, unit))
        specs.append(TopicSpec(inbox_topic(code), kafka.partitions, kafka.replication, unit))
    return specs


def outbox_partitions(unit: str, kafka: KafkaSettings) -> int:
    """A unit's outbox partitions: its department's, if busier, or the hub's default."""
    return max(kafka.partitions, kafka.outbox_partitions_by_dept.get(unit_dept(unit), 0))


@dataclass(frozen=True, slots=True)
class Growth:
    topic: str
    partitions: int
    planned: int


def partitions_to_add(specs: Iterable[TopicSpec], existing: Mapping[str, int]) -> list[Growth]:
    """The existing topics with fewer partitions than planned; one with more is left alone,
    since Kafka cannot take partitions away."""
    return [
        Growth(spec.name, existing[spec.name], spec.partitions)
        for spec in specs
        if spec.name in existing and existing[spec.name] < spec.partitions
    ]


@dataclass(frozen=True, slots=True)
class PartitionState:
    """One partition as the brokers describe it: its replicas and those in sync, by broker id."""

    partition: int
    replicas: tuple[int, ...]
    in_sync: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class TopicState:
    """One topic as the brokers hold it: its partitions and its effective configuration."""

    name: str
    partitions: tuple[PartitionState, ...]
    config: Mapping[str, str]

    @property
    def replication(self) -> int:
        """The fewest replicas any partition has (a topic's replication factor, once settled)."""
        return min((len(p.replicas) for p in self.partitions), default=0)


@dataclass(frozen=True, slots=True)
class ConfigChange:
    topic: str
    name: str
    present: str | None
    planned: str


@dataclass(frozen=True, slots=True)
class ReplicationMismatch:
    """A topic with another replication factor than planned. Kafka changes it only by
    reassigning the partitions' replicas (`kafka-reassign-partitions.sh`), never by a config."""

    topic: str
    present: int
    planned: int


def config_changes(
    specs: Iterable[TopicSpec], states: Mapping[str, TopicState]
) -> list[ConfigChange]:
    """The planned configuration values an existing topic does not hold (pure)."""
    return [
        ConfigChange(spec.name, name, states[spec.name].config.get(name), value)
        for spec in specs
        if spec.name in states
        for name, value in spec.config
        if states[spec.name].config.get(name) != value
    ]


def replication_mismatches(
    specs: Iterable[TopicSpec], states: Mapping[str, TopicState]
) -> list[ReplicationMismatch]:
    return [
        ReplicationMismatch(spec.name, states[spec.name].replication, spec.replication)
        for spec in specs
        if spec.name in states and states[spec.name].replication != spec.replication
    ]


@dataclass(frozen=True, slots=True)
class AppliedTopics:
    created: list[str]
    grown: list[Growth]
    altered: list[ConfigChange] = field(default_factory=list)
    """Configuration set on existing topics to match the plan (IncrementalAlterConfigs)."""
    replication: list[ReplicationMismatch] = field(default_factory=list)
    """Existing topics whose replication differs from the plan: reported, not changed."""


async def apply_topics(access: KafkaAccess, specs: Sequence[TopicSpec]) -> AppliedTopics:
    """Create the planned topics the broker lacks, add the partitions existing ones lack and set
    the planned configuration they do not hold; report those of another replication factor."""
    from aiokafka.admin import NewPartitions, NewTopic  # noqa: PLC0415

    from hub.kafka.admin import admin_client  # noqa: PLC0415

    async with admin_client(access) as admin:
        listed = set(await admin.list_topics())
        states = await topic_states(admin, [spec.name for spec in specs if spec.name in listed])
        missing = [spec for spec in specs if spec.name not in states]
        if missing:
            response = await admin.create_topics(
                [
                    NewTopic(
                        spec.name,
                        num_partitions=spec.partitions,
                        replication_factor=spec.replication,
                        topic_configs=dict(spec.config),
                    )
                    for spec in missing
                ]
            )
            _raise_on_errors(response.topic_errors)
        counts = {name: len(state.partitions) for name, state in states.items()}
        grown = partitions_to_add(specs, counts)
        if grown:
            # raises on a refusal; another instance raising the count first is refused too, and
            # the next `topics apply` finds nothing left to add
            await admin.create_partitions(
                {growth.topic: NewPartitions(growth.planned) for growth in grown}
            )
        altered = config_changes(specs, states)
        if altered:
            await alter_topic_configs(admin, altered)
        return AppliedTopics(
            [spec.name for spec in missing], grown, altered, replication_mismatches(specs, states)
        )


async def topic_states(admin: AIOKafkaAdminClient, names: Sequence[str]) -> dict[str, TopicState]:
    """The partitions, replicas, in-sync replicas and effective configuration of `names`."""
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType  # noqa: PLC0415

    if not names:
        return {}
    described = await admin.describe_topics(list(names))
    responses = await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
    )
    configs: dict[str, dict[str, str]] = {}
    for response in responses:
        for resource in response.to_object()["resources"]:
            configs[resource["resource_name"]] = {
                entry["config_names"]: entry["config_value"]
                for entry in resource["config_entries"]
                if entry["config_value"] is not None
            }
    return {
        topic["topic"]: TopicState(
            topic["topic"],
            tuple(
                sorted(
                    (
                        PartitionState(p["partition"], tuple(p["replicas"]), tuple(p["isr"]))
                        for p in topic["partitions"]
                    ),
                    key=lambda p: p.partition,
                )
            ),
            configs.get(topic["topic"], {}),
        )
        for topic in described
        if topic["error_code"] == 0
    }


async def alter_topic_configs(admin: AIOKafkaAdminClient, changes: Sequence[ConfigChange]) -> None:
    """Set each change's value on its topic, leaving the topic's other settings as they are
    (IncrementalAlterConfigs; aiokafka's AlterConfigs would reset every unnamed one)."""
    from hub.kafka.admin import send_request  # noqa: PLC0415

    by_topic: dict[str, list[tuple[str, int, str]]] = {}
    for change in changes:
        by_topic.setdefault(change.topic, []).append((change.name, _SET, change.planned))
    request = _IncrementalAlterConfigs(
        [(_TOPIC_RESOURCE, topic, entries) for topic, entries in sorted(by_topic.items())]
    )
    answer = await send_request(admin, request)
    failed = [
        f"{r['resource_name']}: error {r['error_code']} {r['error_message'] or ''}".strip()
        for r in answer["responses"]
        if r["error_code"] != 0
    ]
    if failed:
        raise RuntimeError("could not set topic configuration: " + "; ".join(failed))


_TOPIC_RESOURCE: Final = 2
_SET: Final = 0


class _IncrementalAlterConfigsResponse_v0(Response):  # type: ignore[misc]  # noqa: N801
    API_KEY = 44
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "responses",
            Array(
                ("error_code", Int16),
                ("error_message", String("utf-8")),
                ("resource_type", Int8),
                ("resource_name", String("utf-8")),
            ),
        ),
    )


class _IncrementalAlterConfigsRequest_v0(RequestStruct):  # type: ignore[misc]  # noqa: N801
    API_KEY = 44
    API_VERSION = 0
    RESPONSE_TYPE = _IncrementalAlterConfigsResponse_v0
    SCHEMA = Schema(
        (
            "resources",
            Array(
                ("resource_type", Int8),
                ("resource_name", String("utf-8")),
                (
                    "configs",
                    Array(
                        ("name", String("utf-8")),
                        ("config_operation", Int8),
                        ("value", String("utf-8")),
                    ),
                ),
            ),
        ),
        ("validate_only", Boolean),
    )


class _IncrementalAlterConfigs(Request[_IncrementalAlterConfigsRequest_v0]):  # type: ignore[misc]
    """IncrementalAlterConfigs (v0; Kafka 2.3 on), which aiokafka has no request for."""

    API_KEY = 44

    def __init__(self, resources: list[tuple[int, str, list[tuple[str, int, str]]]]) -> None:
        self._resources = resources

    def build(
        self, request_struct_class: type[_IncrementalAlterConfigsRequest_v0]
    ) -> _IncrementalAlterConfigsRequest_v0:
        return request_struct_class(resources=self._resources, validate_only=False)


_TOPIC_ALREADY_EXISTS = 36


def _raise_on_errors(topic_errors: Iterable[tuple[object, ...]]) -> None:
    # Another instance may have created a topic between listing and creating: that is fine.
    failed = [
        f"{name}: error {code} {message or ''}".strip()
        for name, code, *rest in topic_errors
        for message in [rest[0] if rest else None]
        if code not in (0, _TOPIC_ALREADY_EXISTS)
    ]
    if failed:
        raise RuntimeError("could not create topics: " + "; ".join(failed))
