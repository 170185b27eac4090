"""The topics planned from the registry: busy departments' outboxes get more partitions, and an
existing topic is only ever given partitions, never asked to lose any."""

from __future__ import annotations

from hub.kafka.topics import Growth, TopicSpec, partitions_to_add, planned_topics
from hub.settings import KafkaSettings
from schemas.units import DLQ_TOPIC, JOURNAL_TOPIC, inbox_topic, outbox_topic

COURT, TAX = "court.411121", "tax.411121"


def partitions_of(specs: list[TopicSpec]) -> dict[str, int]:
    return {spec.name: spec.partitions for spec in specs}


def test_the_court_s_outbox_gets_six_partitions_by_default_and_the_rest_the_hub_s_default() -> None:
    planned = partitions_of(planned_topics([COURT, TAX], KafkaSettings()))

    assert planned[outbox_topic(COURT)] == 6
    assert planned[inbox_topic(COURT)] == 3
    assert planned[outbox_topic(TAX)] == 3
    assert planned[DLQ_TOPIC] == 3
    assert planned[JOURNAL_TOPIC] == 1  # its order is the audit chain's


def test_busy_departments_are_configurable() -> None:
    kafka = KafkaSettings(outbox_partitions_by_dept={"tax": 8})

    planned = partitions_of(planned_topics([COURT, TAX], kafka))

    assert planned[outbox_topic(TAX)] == 8
    assert planned[outbox_topic(COURT)] == 3


def test_a_busy_department_never_gets_fewer_than_the_hub_s_default() -> None:
    kafka = KafkaSettings(partitions=12, outbox_partitions_by_dept={"court": 6})

    assert partitions_of(planned_topics([COURT], kafka))[outbox_topic(COURT)] == 12


def test_an_existing_topic_with_fewer_partitions_than_planned_grows() -> None:
    specs = planned_topics([COURT, TAX], KafkaSettings())
    existing = {outbox_topic(COURT): 3, outbox_topic(TAX): 3, JOURNAL_TOPIC: 1}

    assert partitions_to_add(specs, existing) == [Growth(outbox_topic(COURT), 3, 6)]


def test_a_topic_with_more_partitions_than_planned_is_left_alone() -> None:
    specs = planned_topics([COURT], KafkaSettings(outbox_partitions_by_dept={}))

    assert partitions_to_add(specs, {outbox_topic(COURT): 6, DLQ_TOPIC: 3}) == []


def test_a_missing_topic_is_created_not_grown() -> None:
    assert partitions_to_add(planned_topics([COURT], KafkaSettings()), {}) == []
