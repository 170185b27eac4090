"""`routes check` logic: the shipped table is consistent, and each kind of mistake is named."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from hub.registry import Registry, load_registry
from hub.routing.check import routing_problems
from hub.routing.table import RoutingTable
from schemas.catalogue import CATALOGUE, field_paths

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small() -> Registry:
    return load_registry(ROOT / "tests/fixtures/units-small.yaml")


@pytest.fixture(scope="module")
def shipped() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "deploy/routing.yaml").read_text(encoding="utf-8"))
    return {key: value for key, value in data.items() if not key.startswith("x-")}


def problems(data: dict[str, Any], registry: Registry) -> list[str]:
    table = RoutingTable.model_validate(data)
    return [
        f"{'.'.join(map(str, p.loc))}: {p.message}"
        for p in routing_problems(table, registry, CATALOGUE, field_paths)
    ]


def edited(shipped: dict[str, Any], event_type: str) -> tuple[dict[str, Any], dict[str, Any]]:
    data = copy.deepcopy(shipped)
    return data, data["types"][event_type]


def test_the_shipped_table_fits_the_county_registry(shipped: dict[str, Any]) -> None:
    assert problems(shipped, load_registry(ROOT / "deploy/units/wuyang-411121.yaml")) == []


def test_the_shipped_table_fits_the_small_test_registry(
    shipped: dict[str, Any], small: Registry
) -> None:
    assert problems(shipped, small) == []


def test_the_shipped_table_routes_every_catalogue_type(shipped: dict[str, Any]) -> None:
    assert set(shipped["types"]) == set(CATALOGUE)


def test_unknown_group(shipped: dict[str, Any], small: Registry) -> None:
    data, rule = edited(shipped, "debtor.listed.v1")
    rule["recipients"]["groups"] = ["joint_punishmnet"]
    found = problems(data, small)
    assert (
        "types.debtor.listed.v1.recipients.groups.0: unknown group joint_punishmnet "
        "(the registry's groups: admin_litigation_defendants, all_members, bankruptcy_linkage, "
        "joint_punishment)"
    ) in found


def test_unknown_group_in_to(shipped: dict[str, Any], small: Registry) -> None:
    data, rule = edited(shipped, "admincase.filed.v1")
    rule["recipients"]["to"]["groups"] = ["defendants"]
    found = problems(data, small)
    assert any(
        p.startswith("types.admincase.filed.v1.recipients.to.groups.0: unknown group")
        for p in found
    )


def test_unknown_field_in_a_projection(shipped: dict[str, Any], small: Registry) -> None:
    data, rule = edited(shipped, "debtor.listed.v1")
    rule["projection"]["tax"]["fields"] = [*rule["projection"]["tax"]["fields"], "debtor.idno"]
    index = len(rule["projection"]["tax"]["fields"]) - 1
    assert problems(data, small) == [
        (
            f"types.debtor.listed.v1.projection.tax.fields.{index}: "
            "unknown field debtor.idno of DebtorListed"
        )
    ]


def test_a_whole_object_is_a_known_field(shipped: dict[str, Any], small: Registry) -> None:
    data, rule = edited(shipped, "debtor.listed.v1")
    rule["projection"]["tax"]["fields"] = ["listing_id", "debtor"]
    assert problems(data, small) == []


def test_a_type_with_no_publisher(shipped: dict[str, Any], small: Registry) -> None:
    data, rule = edited(shipped, "bankruptcy.declared.v1")
    del rule["publishers"]
    assert problems(data, small) == [
        (
            "types.bankruptcy.declared.v1.publishers: "
            "bankruptcy.declared.v1 has no publisher: nobody may send it"
        )
    ]


def test_a_fixed_recipient_dept_missing_from_the_registry(
    shipped: dict[str, Any], small: Registry
) -> None:
    data, rule = edited(shipped, "admincase.judged.v1")
    rule["recipients"]["depts"] = ["justice", "water"]
    rule["projection"]["water"] = {"fields": "all", "why": "test only", "basis": "test only"}
    assert problems(data, small) == [
        (
            "types.admincase.judged.v1.recipients.depts.1: recipient dept water has no unit in the "
            "registry, so admincase.judged.v1 would reach nobody there"
        )
    ]


def test_to_that_can_name_no_registered_unit(shipped: dict[str, Any], small: Registry) -> None:
    data, rule = edited(shipped, "enforcement.control.requested.v1")
    rule["recipients"]["to"]["depts"] = ["housing", "transport"]
    found = problems(data, small)
    assert (
        "types.enforcement.control.requested.v1.recipients.to: "
        "no registered unit may be named in `to` of enforcement.control.requested.v1"
    ) in found


def test_a_catalogue_type_missing_from_the_table(shipped: dict[str, Any], small: Registry) -> None:
    data = copy.deepcopy(shipped)
    del data["types"]["admincase.judged.v1"]
    assert problems(data, small) == [
        "types: catalogue type admincase.judged.v1 has no routing rule"
    ]


def test_a_rule_for_a_type_the_catalogue_lacks(shipped: dict[str, Any], small: Registry) -> None:
    data = copy.deepcopy(shipped)
    data["types"]["debtor.listed.v2"] = copy.deepcopy(data["types"]["debtor.listed.v1"])
    assert "types.debtor.listed.v2: debtor.listed.v2 is not a catalogue type" in problems(
        data, small
    )


def test_a_reply_type_not_in_the_catalogue(shipped: dict[str, Any], small: Registry) -> None:
    data, rule = edited(shipped, "debtor.listed.v1")
    rule["reply"]["types"] = ["debtor.sanction.reportd.v1"]
    found = problems(data, small)
    assert (
        "types.debtor.listed.v1.reply.types.0: "
        "reply type debtor.sanction.reportd.v1 is not in the catalogue"
    ) in found


def test_a_reply_type_that_does_not_answer(shipped: dict[str, Any], small: Registry) -> None:
    data, rule = edited(shipped, "debtor.listed.v1")
    rule["reply"]["types"] = ["enforcement.query.answered.v1"]
    assert (
        "types.debtor.listed.v1.reply.types.0: "
        "enforcement.query.answered.v1 does not answer debtor.listed.v1 in the catalogue"
    ) in problems(data, small)


def test_an_answered_type_needs_a_reply_rule(shipped: dict[str, Any], small: Registry) -> None:
    data, rule = edited(shipped, "debtor.listed.v1")
    del rule["reply"]
    assert problems(data, small) == [
        (
            "types.debtor.listed.v1: the catalogue answers debtor.listed.v1 with "
            "debtor.sanction.reported.v1, but the table sets no reply"
        )
    ]


def test_a_recipient_dept_without_a_projection(shipped: dict[str, Any], small: Registry) -> None:
    data, rule = edited(shipped, "debtor.listed.v1")
    del rule["projection"]["tax"]
    assert problems(data, small) == [
        "types.debtor.listed.v1.projection: no projection for recipient dept tax"
    ]


def test_a_dept_that_to_may_name_needs_a_projection(
    shipped: dict[str, Any], small: Registry
) -> None:
    data, rule = edited(shipped, "enforcement.query.requested.v1")
    del rule["projection"]["housing"]
    # housing has no unit in the small registry; the table must still say what it would get.
    assert problems(data, small) == [
        (
            "types.enforcement.query.requested.v1.projection: "
            "no projection for dept housing, which `to` may name"
        )
    ]


def test_a_projection_for_a_dept_that_never_receives(
    shipped: dict[str, Any], small: Registry
) -> None:
    data, rule = edited(shipped, "enforcement.query.requested.v1")
    rule["projection"]["court"] = {"fields": "all", "why": "test only", "basis": "test only"}
    assert problems(data, small) == [
        (
            "types.enforcement.query.requested.v1.projection.court: "
            "projection for court, which never receives enforcement.query.requested.v1"
        )
    ]


def test_named_needs_to(shipped: dict[str, Any], small: Registry) -> None:
    data, rule = edited(shipped, "debtor.delisted.v1")
    rule["projection"]["named"] = {"fields": "all", "why": "test only", "basis": "test only"}
    assert problems(data, small) == [
        (
            "types.debtor.delisted.v1.projection.named: "
            "debtor.delisted.v1 is not addressed with `to`, so nobody is `named`"
        )
    ]


def test_answers_go_back_with_a_projection_for_any_sender(
    shipped: dict[str, Any], small: Registry
) -> None:
    data, rule = edited(shipped, "hub.rejected.v1")
    rule["projection"] = {"court": rule["projection"]["*"]}
    assert problems(data, small) == [
        (
            "types.hub.rejected.v1.projection: "
            "recipients of hub.rejected.v1 vary per event: give a `*` projection"
        )
    ]


def test_a_dept_owing_an_answer_must_be_allowed_to_publish_it(
    shipped: dict[str, Any], small: Registry
) -> None:
    data, rule = edited(shipped, "enforcement.query.answered.v1")
    rule["publishers"] = [dept for dept in rule["publishers"] if dept != "pboc"]
    assert problems(data, small) == [
        (
            "types.enforcement.query.answered.v1.publishers: "
            "pboc owe(s) enforcement.query.answered.v1 but may not publish it"
        )
    ]


def test_an_ower_that_never_receives(shipped: dict[str, Any], small: Registry) -> None:
    data, rule = edited(shipped, "enforcement.control.requested.v1")
    rule["reply"]["owed_by"] = ["court"]
    assert (
        "types.enforcement.control.requested.v1.reply.owed_by.0: "
        "court owes a reply but never receives enforcement.control.requested.v1"
    ) in problems(data, small)


def test_the_payload_deadline_field_follows_the_catalogue(
    shipped: dict[str, Any], small: Registry
) -> None:
    data, rule = edited(shipped, "enforcement.query.requested.v1")
    rule["reply"]["deadline"] = {"working_days": 3}
    assert problems(data, small) == [
        (
            "types.enforcement.query.requested.v1.reply.deadline.payload_field: the catalogue sets "
            "the deadline of enforcement.query.requested.v1 from reply_by, the table from none"
        )
    ]


def test_every_problem_is_reported_at_once(shipped: dict[str, Any], small: Registry) -> None:
    data = copy.deepcopy(shipped)
    data["types"]["debtor.listed.v1"]["recipients"]["groups"] = ["nobody"]
    del data["types"]["bankruptcy.declared.v1"]["publishers"]
    del data["types"]["hub.overdue.v1"]
    assert len(problems(data, small)) >= 3
