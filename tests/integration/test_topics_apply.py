"""`apply_topics` on the suite's broker: it creates what is missing, raises an outbox to the
partitions planned for it, never lowers a count, sets the planned config an existing topic lacks
and reports a replication it cannot change."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from aiokafka.admin import AIOKafkaAdminClient

from hub.kafka.admin import admin_client
from hub.kafka.topics import (
    Growth,
    ReplicationMismatch,
    TopicSpec,
    apply_topics,
    planned_topics,
    topic_states,
)
from hub.settings import KafkaSettings
from schemas.units import inbox_topic, outbox_topic
from tests.hubkit import random_region

if TYPE_CHECKING:
    from hub.kafka.access import KafkaAccess


async def partition_counts(kafka: KafkaAccess, topics: list[str]) -> dict[str, int]:
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        return {t["topic"]: len(t["partitions"]) for t in await admin.describe_topics(topics)}
    finally:
        await admin.close()


async def test_a_busy_unit_s_existing_outbox_is_raised_and_never_lowered(
    kafka_access: KafkaAccess,
) -> None:
    court = f"court.{random_region()}"
    unit_topics = [outbox_topic(court), inbox_topic(court)]

    def specs(kafka: KafkaSettings) -> list:
        return [spec for spec in planned_topics([court], kafka) if spec.name in unit_topics]

    before = await apply_topics(kafka_access, specs(KafkaSettings(outbox_partitions_by_dept={})))
    assert sorted(before.created) == sorted(unit_topics)
    assert await partition_counts(kafka_access, unit_topics) == dict.fromkeys(unit_topics, 3)

    raised = await apply_topics(kafka_access, specs(KafkaSettings()))
    assert raised.created == []
    assert raised.grown == [Growth(outbox_topic(court), 3, 6)]
    assert await partition_counts(kafka_access, unit_topics) == {
        outbox_topic(court): 6,
        inbox_topic(court): 3,
    }

    lowered = await apply_topics(kafka_access, specs(KafkaSettings(outbox_partitions_by_dept={})))
    assert (lowered.created, lowered.grown) == ([], [])
    assert (await partition_counts(kafka_access, unit_topics))[outbox_topic(court)] == 6


async def test_an_existing_topic_is_given_the_planned_config_and_its_replication_reported(
    kafka_access: KafkaAccess,
) -> None:
    unit = f"tax.{random_region()}"
    outbox = outbox_topic(unit)

    def spec(kafka: KafkaSettings) -> list[TopicSpec]:
        return [s for s in planned_topics([unit], kafka) if s.name == outbox]

    (planned,) = spec(KafkaSettings())
    loose = replace(planned, config=(("retention.ms", "3600000"),))
    assert (await apply_topics(kafka_access, [loose])).created == [outbox]

    applied = await apply_topics(kafka_access, spec(KafkaSettings()))

    assert applied.created == []
    assert ("retention.ms", "3600000", str(30 * 86_400_000)) in {
        (change.name, change.present, change.planned) for change in applied.altered
    }
    async with admin_client(kafka_access) as admin:
        held = (await topic_states(admin, [outbox]))[outbox].config
    assert {name: held[name] for name, _ in planned.config} == dict(planned.config)
    assert (await apply_topics(kafka_access, spec(KafkaSettings()))).altered == []

    # One broker cannot hold three replicas: the production plan's replication is reported.
    production = await apply_topics(kafka_access, spec(KafkaSettings(profile="production")))
    assert production.replication == [ReplicationMismatch(outbox, 1, 3)]
