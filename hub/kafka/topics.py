"""The hub's topics, planned from the unit registry and created on the broker (`topics apply`).

Every unit gets its outbox and inbox; the hub has its journal and dead-letter topic. Planning is
pure; `apply_topics` creates only what is missing and adds the partitions a topic lacks, so it
is safe to run at every start.

Partitions are what several routers share a unit's outbox by (one consumer group, each partition
read by one router): the outboxes of busy departments (`KafkaSettings.outbox_partitions_by_dept`,
the court by default) get more than the rest. Kafka can add partitions to a topic but never take
them away, so `apply_topics` only ever raises a count; a topic with more than planned is left as
it is. Adding partitions moves some keys to a new partition: records of one key published before
and after may then be read out of order, once (recipients dedupe by id, not by order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from schemas.units import DLQ_TOPIC, JOURNAL_TOPIC, inbox_topic, outbox_topic, unit_dept

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from hub.kafka.access import KafkaAccess
    from hub.settings import KafkaSettings

# Room for a 1 MiB event plus the hub's extensions and headers; the router refuses larger ones.
_TOPIC_MAX_MESSAGE_BYTES = 4 * 1_048_576


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    replication: int
    config: tuple[tuple[str, str], ...]


def planned_topics(units: Iterable[str], kafka: KafkaSettings) -> list[TopicSpec]:
    config = (
        ("min.insync.replicas", str(kafka.min_insync_replicas)),
        ("max.message.bytes", str(_TOPIC_MAX_MESSAGE_BYTES)),
    )
    # The journal is the system of record (the store is rebuilt from it) and the dead letters are
    # evidence: neither may age out. The journal has one partition so that its order, which the
    # audit chain hashes, is the same live and on replay.
    kept = (*config, ("retention.ms", "-1"))
    # The journal's record times are the broker's, not the writer's: the hub's key that sealed a
    # record must have been valid then (`hub.journal.trust`), and a writer cannot backdate it.
    journal = (*kept, ("message.timestamp.type", "LogAppendTime"))
    specs = [
        TopicSpec(JOURNAL_TOPIC, 1, kafka.replication, journal),
        TopicSpec(DLQ_TOPIC, kafka.partitions, kafka.replication, kept),
    ]
    shaped = (kafka.replication, config)
    for unit in sorted(units):
        specs.append(TopicSpec(outbox_topic(unit), outbox_partitions(unit, kafka), *shaped))
        specs.append(TopicSpec(inbox_topic(unit), kafka.partitions, *shaped))
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
class AppliedTopics:
    created: list[str]
    grown: list[Growth]


async def apply_topics(access: KafkaAccess, specs: Sequence[TopicSpec]) -> AppliedTopics:
    """Create the planned topics the broker lacks and add the partitions existing ones lack."""
    from aiokafka.admin import AIOKafkaAdminClient, NewPartitions, NewTopic  # noqa: PLC0415

    admin = AIOKafkaAdminClient(**access.client_options())
    await admin.start()
    try:
        existing = {
            described["topic"]: len(described["partitions"])
            for described in await admin.describe_topics(await admin.list_topics())
        }
        missing = [spec for spec in specs if spec.name not in existing]
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
        grown = partitions_to_add(specs, existing)
        if grown:
            # raises on a refusal; another instance raising the count first is refused too, and
            # the next `topics apply` finds nothing left to add
            await admin.create_partitions(
                {growth.topic: NewPartitions(growth.planned) for growth in grown}
            )
        return AppliedTopics([spec.name for spec in missing], grown)
    finally:
        await admin.close()


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
