"""The topics planned from the registry: busy departments' outboxes get more partitions, and an
existing topic is only ever given partitions, never asked to lose any; the profiles' replication
and min ISR, the retention of each topic, and an existing topic compared with its plan."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from hub.bootstrap import load_settings
from hub.cli.run import Profile, with_profile
from hub.kafka.topics import (
    ConfigChange,
    Growth,
    PartitionState,
    ReplicationMismatch,
    TopicSpec,
    TopicState,
    config_changes,
    partitions_to_add,
    planned_topics,
    replication_mismatches,
)
from hub.settings import KafkaSettings, RouterSettings
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


# --- the profiles and retention ---------------------------------------------------------------


def configs(specs: list[TopicSpec]) -> dict[str, dict[str, str]]:
    return {spec.name: dict(spec.config) for spec in specs}


def test_the_production_profile_replicates_three_times_with_two_in_sync() -> None:
    specs = planned_topics([COURT, TAX], KafkaSettings(profile="production"))

    assert {spec.replication for spec in specs} == {3}
    assert {config["min.insync.replicas"] for config in configs(specs).values()} == {"2"}


def test_the_local_profile_fits_one_broker() -> None:
    specs = planned_topics([COURT], KafkaSettings())

    assert {spec.replication for spec in specs} == {1}
    assert {config["min.insync.replicas"] for config in configs(specs).values()} == {"1"}


def test_a_replication_set_in_the_settings_wins_over_the_profile_s() -> None:
    kafka = KafkaSettings(profile="production", replication=2, min_insync_replicas=1)

    assert (kafka.replication, kafka.min_insync_replicas) == (2, 1)
    assert KafkaSettings.model_validate({"profile": "production", "replication": 5}) == (
        KafkaSettings(profile="production", replication=5, min_insync_replicas=2)
    )


def test_more_in_sync_replicas_than_replicas_is_refused() -> None:
    with pytest.raises(ValidationError, match="refuse every write"):
        KafkaSettings(replication=1, min_insync_replicas=2)


@pytest.mark.parametrize("profile", ["local", "production"])
def test_no_topic_lets_an_out_of_sync_replica_lead(profile: str) -> None:
    planned = configs(planned_topics([COURT, TAX], KafkaSettings(profile=profile)))

    assert {config["unclean.leader.election.enable"] for config in planned.values()} == {"false"}


def test_the_journal_is_kept_for_ever_and_bounded_by_no_size() -> None:
    journal = configs(planned_topics([], KafkaSettings(profile="production")))[JOURNAL_TOPIC]

    assert journal["retention.ms"] == "-1"
    assert journal["retention.bytes"] == "-1"


def test_the_dead_letters_are_kept_400_days_more_than_the_six_months_the_law_asks() -> None:
    dlq = configs(planned_topics([], KafkaSettings(profile="production")))[DLQ_TOPIC]

    kept = timedelta(milliseconds=int(dlq["retention.ms"]))
    assert kept == timedelta(days=400)
    assert kept > timedelta(days=183)
    assert dlq["retention.bytes"] == "-1"


def test_outboxes_and_inboxes_outlast_the_router_s_freshness_window() -> None:
    planned = configs(planned_topics([COURT], KafkaSettings(profile="production")))

    for name in (outbox_topic(COURT), inbox_topic(COURT)):
        kept = timedelta(milliseconds=int(planned[name]["retention.ms"]))
        assert kept == timedelta(days=30)
        assert kept > timedelta(seconds=RouterSettings().max_age_s)


# --- an existing topic against the plan --------------------------------------------------------


def state(name: str, replicas: int, config: dict[str, str]) -> TopicState:
    ids = tuple(range(1, replicas + 1))
    return TopicState(name, (PartitionState(0, ids, ids),), config)


def test_a_topic_missing_planned_values_is_given_them_and_a_matching_one_is_left_alone() -> None:
    (journal,) = planned_topics([], KafkaSettings(profile="production"))[:1]
    held = dict(journal.config) | {"retention.ms": "604800000"}
    del held["unclean.leader.election.enable"]
    states = {JOURNAL_TOPIC: state(JOURNAL_TOPIC, 3, held)}

    assert config_changes([journal], states) == [
        ConfigChange(JOURNAL_TOPIC, "unclean.leader.election.enable", None, "false"),
        ConfigChange(JOURNAL_TOPIC, "retention.ms", "604800000", "-1"),
    ]
    matching = {JOURNAL_TOPIC: state(JOURNAL_TOPIC, 3, dict(journal.config))}
    assert config_changes([journal], matching) == []


def test_a_topic_of_another_replication_factor_is_reported() -> None:
    specs = planned_topics([COURT], KafkaSettings(profile="production"))
    config = dict(specs[0].config)
    states = {
        JOURNAL_TOPIC: state(JOURNAL_TOPIC, 1, config),
        DLQ_TOPIC: state(DLQ_TOPIC, 3, config),
    }

    assert replication_mismatches(specs, states) == [ReplicationMismatch(JOURNAL_TOPIC, 1, 3)]


def test_the_command_line_s_profile_keeps_the_other_kafka_settings_and_set_values() -> None:
    settings = load_settings(
        kafka={"bootstrap": "b1:9093,b2:9093", "username": "admin", "password": "pw"}
    )

    production = with_profile(settings, Profile.PRODUCTION).kafka

    assert (production.profile, production.replication, production.min_insync_replicas) == (
        "production",
        3,
        2,
    )
    assert (production.bootstrap, production.username) == ("b1:9093,b2:9093", "admin")
    assert production.password is not None
    assert production.password.get_secret_value() == "pw"
    two = load_settings(kafka={"replication": 2, "min_insync_replicas": 2})
    assert with_profile(two, Profile.PRODUCTION).kafka.replication == 2
    assert with_profile(settings, None) is settings
