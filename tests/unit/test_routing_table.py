"""The routing table's shape: what a rule may say, and the role-aware lookups routing uses."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from hub.routing.explain import describe_deadline, receives
from hub.routing.table import Deadline, Projection, Recipients, TypeRoute

WHY = {"why": "test only", "basis": "test only"}


def rule(**overrides: Any) -> TypeRoute:
    data: dict[str, Any] = {
        "publishers": ["court"],
        "recipients": {
            "to": {"groups": ["admin_litigation_defendants"], "max": 1},
            "depts": ["justice"],
        },
        "projection": {
            "named": {"fields": "all", **WHY},
            "justice": {"fields": ["case_no"], **WHY},
        },
        "reply": {
            "types": ["admincase.defence.submitted.v1"],
            "owed_by": ["named"],
            "deadline": {"calendar_days": 15},
        },
    }
    return TypeRoute.model_validate(data | overrides)


def test_a_unit_named_in_to_gets_the_named_projection_whatever_its_dept() -> None:
    route = rule()
    assert route.projection_for("justice", named=True) == route.projection["named"]
    assert route.projection_for("justice") == route.projection["justice"]
    assert route.projection_for("samr", named=True) == route.projection["named"]
    assert route.projection_for("samr") is None


def test_only_the_named_unit_owes_the_reply() -> None:
    route = rule()
    assert route.owes_reply("justice", named=True)
    assert not route.owes_reply("justice")
    assert route.owes_reply("samr", named=True)


def test_any_dept_projection_is_the_fallback() -> None:
    route = rule(projection={"*": {"fields": "all", **WHY}, "tax": {"fields": ["a"], **WHY}})
    assert route.projection_for("tax") == route.projection["tax"]
    assert route.projection_for("samr") == route.projection["*"]


def test_every_recipient_owes_the_reply_unless_owed_by_says_otherwise() -> None:
    route = rule(reply={"types": ["x.answered.v1"], "deadline": {"working_days": 3}})
    assert route.owes_reply("samr")


@pytest.mark.parametrize(
    "recipients",
    [
        {"reply_to_sender": True, "groups": ["joint_punishment"]},
        {"hub_addressed": True, "reply_to_sender": True},
        {},
    ],
)
def test_recipients_are_addressed_exactly_one_way(recipients: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="exactly one of"):
        Recipients.model_validate(recipients)


def test_to_must_allow_someone() -> None:
    with pytest.raises(ValidationError, match="at least one dept or group"):
        Recipients.model_validate({"to": {"max": 1}})


@pytest.mark.parametrize(
    ("deadline", "message"),
    [
        ({"working_days": 3, "months": 1}, "at most one of"),
        ({}, "give working_days, calendar_days, months or payload_field"),
        ({"working_days": 0}, "greater than 0"),
    ],
)
def test_a_deadline_has_one_default(deadline: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Deadline.model_validate(deadline)


def test_projection_keys_are_depts_or_roles() -> None:
    with pytest.raises(ValidationError, match="neither a dept nor one of"):
        rule(projection={"taxes": {"fields": "all", **WHY}})


def test_publishers_are_depts_or_the_hub() -> None:
    assert rule(publishers=["hub"]).publishers == ["hub"]
    with pytest.raises(ValidationError, match="neither a dept nor one of hub"):
        rule(publishers=["courts"])


def test_field_paths_are_dotted_names() -> None:
    with pytest.raises(ValidationError):
        Projection.model_validate({"fields": ["debtor..id_no"], **WHY})


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        rule(recieve_days=1)


def test_receives_knows_enclosing_objects_and_all() -> None:
    listed = Projection.model_validate({"fields": ["debtor.name"], **WHY})
    whole = Projection.model_validate({"fields": ["debtor"], **WHY})
    everything = Projection.model_validate({"fields": "all", **WHY})
    assert not receives(listed, "debtor.id_no")
    assert receives(listed, "debtor.name")
    assert receives(whole, "debtor.id_no")
    assert receives(everything, "debtor.id_no")
    assert not receives(None, "debtor.id_no")


def test_deadlines_in_words() -> None:
    assert describe_deadline(Deadline(working_days=3, payload_field="reply_by")) == (
        "by the payload's reply_by, else 3 working day(s)"
    )
    assert describe_deadline(Deadline(months=2)) == "2 month(s)"
    assert describe_deadline(Deadline(payload_field="hearing_at")) == "by the payload's hearing_at"
