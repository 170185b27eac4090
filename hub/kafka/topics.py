"""The hub's topics, planned from the unit registry and created on the broker (`topics apply`).

Every unit gets its outbox and inbox; the hub has its journal and dead-letter topic. Planning is
pure; `apply_topics` creates only what is missing, so it is safe to run at every start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from schemas.units import DLQ_TOPIC, JOURNAL_TOPIC, inbox_topic, outbox_topic

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

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
    specs.extend(
        TopicSpec(name, kafka.partitions, kafka.replication, config)
        for unit in sorted(units)
        for name in (outbox_topic(unit), inbox_topic(unit))
    )
    return specs


async def apply_topics(access: KafkaAccess, specs: Sequence[TopicSpec]) -> list[str]:
    """Create the planned topics the broker lacks; returns the names created."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic  # noqa: PLC0415

    admin = AIOKafkaAdminClient(**access.client_options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
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
        return [spec.name for spec in missing]
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
