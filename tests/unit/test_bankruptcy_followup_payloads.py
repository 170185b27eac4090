"""Rules of the bankruptcy follow-up payloads (art 19 release, wage and social-insurance claims,
credit repair, the zombie-company list) and of who receives which fields."""

from __future__ import annotations

from hub.routing.loader import load_contracts_from
from schemas.catalogue import CATALOGUE, replies_to
from tests.fixtures.corpus.loader import payload_problems, sample_data
from tests.hubkit import ROUTING_TABLE, TEST_REGISTRY

TABLE = load_contracts_from(TEST_REGISTRY, ROUTING_TABLE).routing
RELEASE = "bankruptcy.measures.release_requested.v1"
RELEASED = "bankruptcy.measures.released.v1"
CLAIM = "bankruptcy.claim.declared.v1"
REPAIR = "bankruptcy.credit_repair.requested.v1"
ZOMBIE = "bankruptcy.zombie_list.shared.v1"


def test_each_request_has_its_one_answer_type_and_the_list_none() -> None:
    assert replies_to(RELEASE) == (RELEASED,)
    assert replies_to(REPAIR) == ("bankruptcy.credit_repair.reported.v1",)
    assert replies_to(ZOMBIE) == ()
    assert TABLE.types[ZOMBIE].reply is None


def test_a_release_request_lists_each_measure_once_and_is_answered_after_acceptance() -> None:
    data = sample_data(RELEASE, "basic")
    twice = [data["measures"][0], data["measures"][0]]
    assert "listed twice" in payload_problems(RELEASE, measures=twice)["measures"]
    assert "企业破产法 art. 19" in payload_problems(RELEASE, reply_by="2026-02-09")["reply_by"]
    assert payload_problems(RELEASE, reply_by="2026-02-13") == {}


def test_a_released_measure_has_its_date_one_not_held_its_reason_and_no_date() -> None:
    data = sample_data(RELEASED, "basic")
    released, not_held = data["results"]
    assert "results[0].released_on" in payload_problems(
        RELEASED, results=[{**released, "released_on": None}]
    )
    problems = payload_problems(RELEASED, results=[{**not_held, "released_on": "2026-02-12"}])
    assert "results[0].released_on" in problems


def test_the_release_request_goes_to_one_registry_which_owes_the_answer() -> None:
    route = TABLE.types[RELEASE]
    assert route.recipients.to is not None
    assert route.recipients.to.max == 1
    # every unit a control request may go to, tax for the refunds it froze among them
    assert set(route.recipients.to.depts) == {"nr", "housing", "samr", "police", "transport", "tax"}
    assert not route.recipients.groups
    assert not route.recipients.depts
    assert set(route.projection) == {"named"}
    assert route.owes_reply("nr", named=True)


def test_hrss_and_medins_get_the_enterprise_the_administrator_and_the_dates_of_a_claim() -> None:
    # The claims are computed to the acceptance date (企业破产法 art 46) and filed by the
    # claims deadline with the administrator; nothing else of the acceptance is needed.
    route = TABLE.types["bankruptcy.accepted.v1"]
    for dept in ("hrss", "medins"):
        projection = route.projection_for(dept)
        assert projection is not None
        assert projection.fields != "all"
        fields = set(projection.fields)
        assert {"debtor.uscc", "administrator.name", "claims_deadline", "accepted_on"} <= fields
        assert not {"first_meeting_at", "announced_on", "procedure"} & fields
        assert route.owes_reply(dept)
    assert set(TABLE.types[CLAIM].publishers) == {"tax", "hrss", "medins"}


def test_an_employees_claim_counts_the_employees_and_names_none() -> None:
    data = sample_data(CLAIM, "hrss")
    wages = {key: value for key, value in data["items"][0].items() if key != "employees"}
    problems = payload_problems(CLAIM, "hrss", items=[wages, *data["items"][1:]])
    assert "企业破产法 art. 48" in problems["items[0].employees"]
    item_fields = set(
        CATALOGUE[CLAIM].payload.model_fields["items"].annotation.__args__[0].model_fields
    )  # type: ignore[union-attr]
    assert not {"name", "id_no", "employee", "employees_list"} & item_fields
    assert payload_problems(CLAIM, "medins") == {}


def test_credit_repair_goes_to_pboc_tax_and_samr_each_of_which_reports() -> None:
    route = TABLE.types[REPAIR]
    assert set(route.recipients.depts) == {"pboc", "tax", "samr"}
    assert all(route.owes_reply(dept) for dept in ("pboc", "tax", "samr"))
    assert "requested_on" in payload_problems(REPAIR, requested_on="2026-09-07")
    assert "measures" in payload_problems(REPAIR, measures=["tax_credit", "tax_credit"])


def test_the_zombie_list_names_each_enterprise_once_with_its_case_when_in_bankruptcy() -> None:
    data = sample_data(ZOMBIE, "basic")
    first = data["enterprises"][0]
    assert "enterprises" in payload_problems(ZOMBIE, enterprises=[first, first])
    no_case = {key: value for key, value in first.items() if key != "case_no"}
    assert "enterprises[0].case_no" in payload_problems(ZOMBIE, enterprises=[no_case])
    assert not CATALOGUE[ZOMBIE].personal_data
    assert set(TABLE.types[ZOMBIE].recipients.to.depts) == {"court", "samr", "ndrc"}  # type: ignore[union-attr]
