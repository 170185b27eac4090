"""Rules of the notice (通报) payloads and of who receives them: each refusal names its rule, and a
person's name and ID number reach only the unit that acts on them."""

from __future__ import annotations

import pytest

from hub.routing.loader import load_contracts_from
from schemas.catalogue import CATALOGUE, replies_to
from tests.fixtures.corpus.loader import payload_problems, sample_data
from tests.hubkit import ROUTING_TABLE, TEST_REGISTRY

TABLE = load_contracts_from(TEST_REGISTRY, ROUTING_TABLE).routing
RISK_NOTICES = (
    "notice.major_case.issued.v1",
    "notice.financial_risk.issued.v1",
    "notice.housing_project.issued.v1",
)


@pytest.mark.parametrize("event_type", RISK_NOTICES)
def test_risk_notices_are_answered_by_the_one_response_type(event_type: str) -> None:
    assert replies_to(event_type) == ("notice.risk.responded.v1",)
    assert CATALOGUE[event_type].deadline_field == "respond_by"


def test_a_response_date_on_or_before_the_notice_is_refused() -> None:
    problems = payload_problems("notice.major_case.issued.v1", respond_by="2026-11-16")
    assert set(problems) == {"respond_by"}
    assert "must be after issued_on (2026-11-16)" in problems["respond_by"]
    assert payload_problems("notice.major_case.issued.v1", respond_by="2026-11-17") == {}


def test_mass_notices_count_people_and_have_no_field_to_name_them() -> None:
    # PIPL art 6: the recipients coordinate; a list of buyers or depositors is not needed for it.
    for event_type in RISK_NOTICES:
        fields = CATALOGUE[event_type].payload.model_fields
        assert "people_concerned" in fields
        assert not {"id_no", "people", "subjects", "petitioner", "debtor"} & set(fields)
        assert not CATALOGUE[event_type].personal_data
    assert "people_concerned" in payload_problems(
        "notice.major_case.issued.v1", people_concerned=-1
    )


def test_a_petition_is_not_referred_before_it_was_received() -> None:
    problems = payload_problems("notice.petition.referred.v1", referred_on="2026-11-01")
    assert set(problems) == {"referred_on"}
    assert payload_problems("notice.petition.referred.v1", referred_on="2026-11-02") == {}


def test_a_petition_not_accepted_states_why_and_acceptance_is_interim() -> None:
    problems = payload_problems("notice.petition.handled.v1", "not-accepted", reason=...)
    assert "信访工作条例 art 24" in problems["reason"]
    handled = CATALOGUE["notice.petition.handled.v1"]
    assert handled.is_interim(sample_data("notice.petition.handled.v1", "accepted"))
    assert not handled.is_interim(sample_data("notice.petition.handled.v1", "concluded"))
    assert not handled.is_interim(sample_data("notice.petition.handled.v1", "not-accepted"))


def test_the_prejudgment_notice_precedes_the_judgment() -> None:
    problems = payload_problems("notice.prejudgment.issued.v1", judgment_expected_on="2026-11-23")
    assert "长春新区 2020 二(一)4" in problems["judgment_expected_on"]
    assert payload_problems("notice.prejudgment.issued.v1", judgment_expected_on="2026-11-24") == {}
    assert "amount" in payload_problems("notice.prejudgment.issued.v1", amount=...)


def test_a_public_servant_is_notified_with_the_post_a_state_organ_without() -> None:
    problems = payload_problems("notice.public_debtor.notified.v1", post=...)
    assert "法释〔2017〕7号 art 8" in problems["post"]
    organ = sample_data("nonlitigation.enforcement.applied.v1")["party"]  # an organisation
    # A state organ needs no post.
    assert (
        payload_problems(
            "notice.public_debtor.notified.v1", status="state_organ", post=..., debtor=organ
        )
        == {}
    )
    assert "notified_on" in payload_problems(
        "notice.public_debtor.notified.v1", notified_on="2026-10-14"
    )


def test_the_petitioner_and_the_dishonest_servant_reach_the_named_unit_only() -> None:
    # The name and ID number go to the one unit that acts on them: no dept or group copy.
    for event_type in ("notice.petition.referred.v1", "notice.public_debtor.notified.v1"):
        route = TABLE.types[event_type]
        assert CATALOGUE[event_type].personal_data
        assert route.recipients.to is not None
        assert (route.recipients.depts, route.recipients.groups) == ([], [])
        assert set(route.projection) == {"named"}
    referral = TABLE.types["notice.petition.referred.v1"].recipients.to
    assert referral is not None
    assert (sorted(referral.depts), referral.max) == (["court", "petition"], 1)


def test_the_prejudgment_notice_identifies_no_party() -> None:
    fields = CATALOGUE["notice.prejudgment.issued.v1"].payload.model_fields
    assert not {"plaintiff", "party", "debtor", "id_no"} & set(fields)
    assert not CATALOGUE["notice.prejudgment.issued.v1"].personal_data
