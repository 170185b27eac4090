"""The ACL set the registry implies (`hub.acl.plan`): what each principal may do, no more."""

from __future__ import annotations

from hub.acl.plan import (
    Acl,
    Operation,
    PatternType,
    ResourceType,
    Service,
    acl_diff,
    planned_acls,
    planned_principals,
)
from hub.bootstrap import load_settings
from hub.bootstrap import planned_acls as settings_acls
from schemas.units import DLQ_TOPIC, JOURNAL_TOPIC

UNITS = ["court.411121", "tax.411121", "samr.411121"]


def _plan() -> list[Acl]:
    return planned_acls(UNITS, router_group="fyhub.router", auditor_group="fyhub.auditor")


def _of(principal: str) -> set[tuple[ResourceType, str, PatternType, Operation]]:
    return {
        (acl.resource_type, acl.resource_name, acl.pattern, acl.operation)
        for acl in _plan()
        if acl.principal == principal
    }


def test_a_unit_writes_its_outbox_reads_its_inbox_and_uses_its_own_groups_only() -> None:
    assert _of("tax.411121") == {
        (ResourceType.TOPIC, "fy.unit.tax.411121.out", PatternType.LITERAL, Operation.WRITE),
        (ResourceType.TOPIC, "fy.unit.tax.411121.in", PatternType.LITERAL, Operation.READ),
        (ResourceType.GROUP, "fy.unit.tax.411121.", PatternType.PREFIXED, Operation.READ),
    }


def test_no_unit_binding_names_anything_of_another_unit_or_of_the_hub() -> None:
    for unit in UNITS:
        for acl in _plan():
            if acl.principal == unit:
                assert acl.resource_name.startswith(f"fy.unit.{unit}.")


def test_the_router_reads_every_outbox_and_writes_every_inbox_the_journal_and_dead_letters() -> (
    None
):
    router = _of(Service.ROUTER)
    topic = ResourceType.TOPIC, PatternType.LITERAL
    for unit in UNITS:
        assert (topic[0], f"fy.unit.{unit}.out", topic[1], Operation.READ) in router
        assert (topic[0], f"fy.unit.{unit}.in", topic[1], Operation.WRITE) in router
        assert (topic[0], f"fy.unit.{unit}.in", topic[1], Operation.READ) not in router
    assert (topic[0], JOURNAL_TOPIC, topic[1], Operation.WRITE) in router
    assert (topic[0], DLQ_TOPIC, topic[1], Operation.WRITE) in router
    assert (ResourceType.GROUP, "fyhub.router", PatternType.LITERAL, Operation.READ) in router
    assert len(router) == 2 * len(UNITS) + 4  # + its group, journal read and write, DLQ write


def test_the_tracker_writes_inboxes_and_the_journal_and_reads_nothing() -> None:
    tracker = _of(Service.TRACKER)
    assert {operation for *_, operation in tracker} == {Operation.WRITE}
    assert {name for _, name, _, _ in tracker} == {
        *(f"fy.unit.{unit}.in" for unit in UNITS),
        JOURNAL_TOPIC,
    }


def test_the_auditor_only_reads_the_journal_under_its_group() -> None:
    assert _of(Service.AUDITOR) == {
        (ResourceType.TOPIC, JOURNAL_TOPIC, PatternType.LITERAL, Operation.READ),
        (ResourceType.GROUP, "fyhub.auditor", PatternType.LITERAL, Operation.READ),
    }


def test_the_console_and_the_administrator_hold_no_binding() -> None:
    assert _of(Service.CONSOLE) == set()
    assert _of(Service.ADMIN) == set()


def test_no_one_may_touch_the_cluster_or_create_and_delete_topics() -> None:
    for acl in _plan():
        assert acl.resource_type is not ResourceType.CLUSTER
        assert acl.operation not in {Operation.CREATE, Operation.DELETE, Operation.ALTER}


def test_every_unit_and_hub_service_is_a_principal() -> None:
    assert planned_principals(UNITS) == (
        "fyhub.router",
        "fyhub.auditor",
        "fyhub.tracker",
        "fyhub.console",
        "admin",
        "court.411121",
        "samr.411121",
        "tax.411121",
    )


def test_the_plan_is_sorted_and_without_duplicates() -> None:
    plan = planned_acls(
        [*UNITS, "tax.411121"], router_group="fyhub.router", auditor_group="fyhub.auditor"
    )
    assert plan == sorted(set(plan))
    assert plan == _plan()


def test_the_diff_names_what_to_create_and_what_to_delete() -> None:
    plan = _plan()
    stale = Acl(
        "police.411121",
        ResourceType.TOPIC,
        "fy.unit.police.411121.in",
        PatternType.LITERAL,
        Operation.READ,
    )
    diff = acl_diff(plan, [*plan[1:], stale])

    assert diff.missing == (plan[0],)
    assert diff.extra == (stale,)
    assert acl_diff(plan, plan).empty


def test_a_removed_unit_leaves_only_bindings_to_delete() -> None:
    before = _plan()
    after = planned_acls(UNITS[:2], router_group="fyhub.router", auditor_group="fyhub.auditor")
    diff = acl_diff(after, before)

    assert diff.missing == ()
    assert {acl.resource_name for acl in diff.extra} >= {
        "fy.unit.samr.411121.out",
        "fy.unit.samr.411121.in",
        "fy.unit.samr.411121.",
    }
    assert all("samr.411121" in acl.principal + acl.resource_name for acl in diff.extra)


def test_the_shipped_registry_gives_each_of_its_units_three_bindings() -> None:
    settings = load_settings()
    plan = settings_acls(settings)
    units = {acl.principal for acl in plan} - {service.value for service in Service}
    assert len(units) >= 25
    for unit in units:
        assert sum(acl.principal == unit for acl in plan) == 3


def test_a_binding_reads_as_a_sentence() -> None:
    acl = Acl(
        "tax.411121",
        ResourceType.GROUP,
        "fy.unit.tax.411121.",
        PatternType.PREFIXED,
        Operation.READ,
    )
    assert acl.describe() == "ALLOW tax.411121 READ GROUP fy.unit.tax.411121. (prefix)"
    assert acl.kafka_principal == "User:tax.411121"
