"""`apply_topics` on the suite's broker: it creates what is missing, raises an outbox to the
partitions planned for it, and never lowers a count."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiokafka.admin import AIOKafkaAdminClient

from hub.kafka.topics import Growth, apply_topics, planned_topics
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
