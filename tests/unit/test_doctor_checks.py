"""`fyhub doctor`'s judgement over gathered facts: each check names what is wrong and how to fix
it, a warning does not fail the deployment, and the broker-side checks wait for the brokers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from hub.acl.plan import planned_acls
from hub.calendar import SourceKind, YearSource
from hub.doctor.checks import (
    ACLS,
    BROKERS,
    CALENDAR,
    KEYS,
    STORE,
    TOPICS,
    CheckResult,
    check_acls,
    check_brokers,
    check_calendar,
    check_keys,
    check_store,
    check_topics,
    diagnose,
    failed,
)
from hub.doctor.facts import (
    BrokerFacts,
    CalendarFacts,
    DeploymentFacts,
    KeyFacts,
    SigningKeyFacts,
    StoreFacts,
)
from hub.kafka.topics import PartitionState, TopicState, planned_topics
from hub.security.secret_files import SHIPPED_TOKEN_SECRET
from hub.settings import KafkaSettings
from schemas.units import DLQ_TOPIC, JOURNAL_TOPIC, inbox_topic

COURT, TAX = "court.411121", "tax.411121"
TODAY = date(2026, 12, 4)
PRODUCTION = KafkaSettings(profile="production")
SPECS = planned_topics([COURT, TAX], PRODUCTION)
ACL_PLAN = planned_acls([COURT, TAX], router_group="fyhub.router", auditor_group="fyhub.auditor")
BROKERS_UP = BrokerFacts("b1:9093,b2:9093,b3:9093", "SASL_SSL", "admin", broker_ids=(1, 2, 3))
PUBLIC = "WnGGpublic="
KEY = SigningKeyFacts("hub-1", Path("/etc/fyhub/keys/hub-1.key"), exists=True, public=PUBLIC)
KEYS_FINE = KeyFacts(KEY, token_secret="a secret of this county's own, long enough")
OFFICIAL = YearSource(SourceKind.FILE, "deploy/calendar/<year>.yaml")
CALENDAR_FINE = CalendarFacts(Path("deploy/calendar"), {2026: OFFICIAL, 2027: OFFICIAL})
STORE_FINE = StoreFacts("postgresql+asyncpg://fyhub:***@db/fyhub", "0009", current="0009")


def as_planned(replicas: int = 3, in_sync: int | None = None) -> dict[str, TopicState]:
    ids = tuple(range(1, replicas + 1))
    synced = ids[: replicas if in_sync is None else in_sync]
    return {
        spec.name: TopicState(
            spec.name,
            tuple(PartitionState(p, ids, synced) for p in range(spec.partitions)),
            dict(spec.config),
        )
        for spec in SPECS
    }


def healthy() -> DeploymentFacts:
    return DeploymentFacts(
        replication=PRODUCTION.replication,
        brokers=BROKERS_UP,
        planned_acls=ACL_PLAN,
        present_acls=list(ACL_PLAN),
        planned_topics=SPECS,
        topics=as_planned(),
        store=STORE_FINE,
        keys=KEYS_FINE,
        calendar=CALENDAR_FINE,
    )


def problems(result: CheckResult) -> list[str]:
    return [finding.problem for finding in result.findings]


def test_a_deployment_as_planned_passes_every_check() -> None:
    results = diagnose(healthy(), TODAY)

    assert [result.check for result in results] == [BROKERS, ACLS, TOPICS, STORE, KEYS, CALENDAR]
    assert [problems(result) for result in results] == [[]] * 6
    assert not failed(results)


def test_a_missing_acl_a_topic_of_replication_one_and_the_shipped_secret_are_all_named() -> None:
    topics = as_planned()
    topics[JOURNAL_TOPIC] = TopicState(
        JOURNAL_TOPIC, (PartitionState(0, (2,), (2,)),), topics[JOURNAL_TOPIC].config
    )
    facts = replace(
        healthy(),
        present_acls=ACL_PLAN[1:],
        topics=topics,
        keys=replace(KEYS_FINE, token_secret=SHIPPED_TOKEN_SECRET),
    )

    results = {result.check: result for result in diagnose(facts, TODAY)}

    assert failed(results.values())
    assert problems(results[ACLS]) == [f"missing ACL: {ACL_PLAN[0].describe()}"]
    assert f"topic {JOURNAL_TOPIC} has replication 1, 3 planned" in problems(results[TOPICS])
    assert "kafka-reassign-partitions.sh" in results[TOPICS].findings[0].fix
    (secret,) = problems(results[KEYS])
    assert "the one fyhub ships for local runs" in secret
    assert "FYHUB_SECURITY__TOKEN_SECRET_FILE" in results[KEYS].findings[0].fix
    assert results[BROKERS].ok
    assert results[STORE].ok
    assert results[CALENDAR].ok


# --- brokers ------------------------------------------------------------------------------------


def test_brokers_that_do_not_answer_fail_and_the_broker_side_checks_are_not_run() -> None:
    down = replace(BROKERS_UP, broker_ids=(), error="SASL authentication failed")

    results = diagnose(replace(healthy(), brokers=down, present_acls=[], topics={}), TODAY)

    assert failed(results)
    assert "SASL authentication failed" in problems(results[0])[0]
    assert "as admin over SASL_SSL" in problems(results[0])[0]
    skipped = [r for r in results if r.check in (ACLS, TOPICS)]
    assert [(r.checked, r.findings) for r in skipped] == [(False, ()), (False, ())]


def test_fewer_brokers_than_replicas_is_a_finding() -> None:
    result = check_brokers(replace(BROKERS_UP, broker_ids=(1, 2)), replication=3)

    assert not result.ok
    assert problems(result)[0].startswith("2 broker(s) answer, fewer than the 3 replicas")


def test_plaintext_is_a_finding() -> None:
    result = check_brokers(replace(BROKERS_UP, protocol="PLAINTEXT"), replication=3)

    assert not result.ok
    assert "no ACL applies" in problems(result)[0]


# --- ACLs ---------------------------------------------------------------------------------------


def test_an_acl_the_registry_does_not_imply_is_named() -> None:
    stranger = replace(ACL_PLAN[0], principal="fy.unknown")

    result = check_acls(ACL_PLAN, [*ACL_PLAN, stranger])

    assert problems(result) == [f"an ACL the registry does not imply: {stranger.describe()}"]
    assert "`fyhub acl apply`" in result.findings[0].fix


def test_a_cluster_missing_every_acl_lists_twenty_and_counts_the_rest() -> None:
    county = [f"town.411121{n:03d}" for n in range(1, 11)]
    plan = planned_acls(county, router_group="fyhub.router", auditor_group="fyhub.auditor")

    result = check_acls(plan, [])

    assert len(result.findings) == 21
    assert result.findings[-1].problem == f"and {len(plan) - 20} more like these"
    assert not result.ok


# --- topics -------------------------------------------------------------------------------------


def test_a_missing_topic_and_a_missing_config_value_are_named_with_topics_apply() -> None:
    topics = as_planned()
    del topics[DLQ_TOPIC]
    loose = dict(topics[inbox_topic(TAX)].config) | {"min.insync.replicas": "1"}
    topics[inbox_topic(TAX)] = replace(topics[inbox_topic(TAX)], config=loose)

    result = check_topics(SPECS, topics)

    assert problems(result) == [
        f"topic {DLQ_TOPIC} is missing",
        f"topic {inbox_topic(TAX)} has min.insync.replicas=1, 2 planned",
    ]
    assert all("`fyhub topics apply`" in finding.fix for finding in result.findings)


def test_a_partition_with_fewer_replicas_in_sync_than_the_minimum_fails() -> None:
    result = check_topics(SPECS, as_planned(in_sync=1))

    assert not result.ok
    first = result.findings[0]
    assert first.problem == (
        f"{JOURNAL_TOPIC} partition 0: 1 of 3 replicas in sync (brokers 2, 3 behind), fewer "
        "than min.insync.replicas 2: every write to it is refused"
    )
    assert "bring broker(s) 2, 3 back" in first.fix


def test_one_replica_out_of_sync_is_a_warning_that_does_not_fail() -> None:
    result = check_topics(SPECS, as_planned(in_sync=2))

    assert result.ok
    assert result.findings
    assert {finding.severity for finding in result.findings} == {"warning"}
    assert "one more broker lost" in result.findings[0].problem


# --- the store ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("store", "said", "fix"),
    [
        (replace(STORE_FINE, current=None), "was never migrated (head is 0009)", "fyhub replay"),
        (replace(STORE_FINE, current="0007"), "is at migration 0007, head is 0009", "auditor"),
        (
            replace(STORE_FINE, current="0012", current_known=False),
            "which this fyhub does not know",
            "the fyhub version that migrated it",
        ),
        (
            replace(STORE_FINE, current=None, error="connection refused"),
            "connection refused",
            "FYHUB_DB__URL",
        ),
    ],
)
def test_a_store_not_at_head_is_named_with_its_fix(store: StoreFacts, said: str, fix: str) -> None:
    result = check_store(store)

    assert not result.ok
    assert said in problems(result)[0]
    assert fix in result.findings[0].fix


# --- keys ---------------------------------------------------------------------------------------


def test_a_missing_signing_key_is_named_never_made() -> None:
    keys = replace(KEYS_FINE, signing_key=replace(KEY, exists=False, public=None))

    (problem,) = problems(check_keys(keys))

    assert "hub-1.key is missing" in problem


def test_a_loose_key_file_and_a_listed_key_that_differs_are_named() -> None:
    loose = replace(KEY, public=None, error="/etc/fyhub/keys/hub-1.key is mode 644")
    listed = replace(KEY, listed_public="q3Xvother=")

    assert "is mode 644" in problems(check_keys(replace(KEYS_FINE, signing_key=loose)))[0]
    other = problems(check_keys(replace(KEYS_FINE, signing_key=listed)))[0]
    assert "lists hub-1 with another public key" in other


def test_an_unreadable_secret_file_and_a_console_secret_problem_are_named() -> None:
    keys = replace(
        KEYS_FINE,
        token_secret=None,
        token_secret_error="the delivery-token secret: /etc/fyhub/token cannot be read",
        console_secret_error="FYHUB_CONSOLE__SESSION_SECRET_FILE: too short",
    )

    assert problems(check_keys(keys)) == [
        "the delivery-token secret: /etc/fyhub/token cannot be read",
        "FYHUB_CONSOLE__SESSION_SECRET_FILE: too short",
    ]


# --- the calendar -------------------------------------------------------------------------------


def test_next_year_without_its_arrangement_is_named_with_the_file_to_add() -> None:
    provisional = YearSource(SourceKind.PROVISIONAL, "provisional: the statute")
    calendar = replace(CALENDAR_FINE, sources={2026: OFFICIAL, 2027: provisional})

    result = check_calendar(calendar, TODAY)

    (finding,) = result.findings
    assert finding.problem.startswith("2027 has no State Council arrangement")
    assert "deploy/calendar/2027.yaml" in finding.fix
    assert "fyhub calendar apply" in finding.fix


def test_the_calendar_years_follow_today() -> None:
    result = check_calendar(CALENDAR_FINE, date(2027, 1, 1))

    assert [f.problem[:4] for f in result.findings] == ["2028"]


def test_a_calendar_file_that_cannot_be_read_is_named() -> None:
    broken = CalendarFacts(Path("deploy/calendar"), error="2027.yaml line 3: not a date")

    assert "2027.yaml line 3: not a date" in problems(check_calendar(broken, TODAY))[0]


def test_brokers_that_answer_but_refuse_to_list_acls_ask_for_the_administrator() -> None:
    refused = "AclError: the brokers refused the ACL request: error 31"
    facts = replace(healthy(), present_acls=[], acl_error=refused)

    results = {result.check: result for result in diagnose(facts, TODAY)}

    assert results[BROKERS].ok
    assert problems(results[ACLS]) == [
        f"the brokers answered but did not list their ACLs: {refused}"
    ]
    assert "as the brokers' administrator" in results[ACLS].findings[0].fix
    assert not results[TOPICS].checked
    assert failed(results.values())
