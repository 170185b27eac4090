"""Rules of the police (公安协作) payloads and of who receives them: each refusal names its rule,
and a person's ID number reaches the police alone."""

from __future__ import annotations

import pytest

from hub.routing.loader import load_contracts_from
from schemas.catalogue import CATALOGUE, replies_to
from tests.fixtures.corpus.loader import payload_problems, sample_data
from tests.hubkit import ROUTING_TABLE, TEST_REGISTRY

TABLE = load_contracts_from(TEST_REGISTRY, ROUTING_TABLE).routing
REQUESTS = {
    "police.locate.requested.v1": "police.locate.answered.v1",
    "police.exit_control.requested.v1": "police.exit_control.answered.v1",
    "police.refusal.referred.v1": "police.refusal.handled.v1",
}


@pytest.mark.parametrize(("request_type", "answer_type"), REQUESTS.items())
def test_each_request_reaches_the_police_alone_and_is_answered_to_the_court(
    request_type: str, answer_type: str
) -> None:
    assert replies_to(request_type) == (answer_type,)
    assert CATALOGUE[request_type].personal_data
    route = TABLE.types[request_type]
    assert route.publishers == ["court"]
    assert route.recipients.to is not None
    assert (route.recipients.to.depts, route.recipients.to.max) == (["police"], 1)
    assert (route.recipients.depts, route.recipients.groups) == ([], [])
    assert set(route.projection) == {"police"}
    assert TABLE.types[answer_type].publishers == ["police"]
    assert set(TABLE.types[answer_type].projection) == {"court"}


def test_a_watch_does_not_end_before_it_starts() -> None:
    assert "end" in payload_problems("police.locate.requested.v1", end="2026-11-30")
    assert payload_problems("police.locate.requested.v1", end="2026-12-01") == {}
    assert CATALOGUE["police.locate.requested.v1"].deadline_field == "end"


def test_a_locate_request_describes_a_person_or_a_vehicle_not_both() -> None:
    person = sample_data("police.locate.requested.v1")["person"]
    vehicle = sample_data("police.locate.requested.v1", "vehicle")["vehicle"]
    assert "vehicle" in payload_problems("police.locate.requested.v1", person=...)
    assert "vehicle" in payload_problems("police.locate.requested.v1", vehicle=vehicle)
    assert "vehicle" in payload_problems("police.locate.requested.v1", "vehicle", person=person)
    assert "vehicle.plate_no" in payload_problems(
        "police.locate.requested.v1", "vehicle", vehicle={**vehicle, "plate_no": "豫I12345"}
    )


def test_the_person_watched_has_a_valid_resident_id() -> None:
    person = sample_data("police.locate.requested.v1")["person"]
    bad = person["id_no"][:-1] + ("0" if person["id_no"][-1] != "0" else "1")
    problems = payload_problems("police.locate.requested.v1", person={**person, "id_no": bad})
    assert set(problems) == {"person.id_no"}
    assert "check digit" in problems["person.id_no"]


def test_sightings_are_interim_findings_and_not_found_close_the_watch() -> None:
    answered = CATALOGUE["police.locate.answered.v1"]
    assert answered.is_interim(sample_data("police.locate.answered.v1"))
    assert not answered.is_interim(sample_data("police.locate.answered.v1", "seized"))
    assert not answered.is_interim(sample_data("police.locate.answered.v1", "not-found"))
    problems = payload_problems("police.locate.answered.v1", seen_at=...)
    assert "place and time" in problems["seen_at"]


def test_an_exit_restriction_names_its_unit_and_a_lift_its_restriction() -> None:
    assert "debtor_unit" in payload_problems("police.exit_control.requested.v1", debtor_unit=...)
    assert (
        payload_problems("police.exit_control.requested.v1", capacity="debtor", debtor_unit=...)
        == {}
    )
    assert "previous_request_no" in payload_problems(
        "police.exit_control.requested.v1", action="lift"
    )
    assert "until" in payload_problems("police.exit_control.requested.v1", until="2026-12-01")


def test_exit_answers_state_effect_or_reason() -> None:
    assert "effective_on" in payload_problems("police.exit_control.answered.v1", effective_on=...)
    assert "reason" in payload_problems("police.exit_control.answered.v1", "refused", reason=...)


def test_a_referral_follows_the_judgment_and_lists_its_evidence() -> None:
    problems = payload_problems("police.refusal.referred.v1", referred_on="2026-05-19")
    assert "刑法 art 313" in problems["referred_on"]
    assert "evidence" in payload_problems("police.refusal.referred.v1", evidence=[])


@pytest.mark.parametrize(
    ("sample", "field"),
    [("basic", "police_case_no"), ("not-filed", "reason"), ("transferred", "procuratorate")],
)
def test_each_refusal_outcome_carries_its_detail(sample: str, field: str) -> None:
    assert field in payload_problems("police.refusal.handled.v1", sample, **{field: ...})
    assert payload_problems("police.refusal.handled.v1", sample) == {}


@pytest.mark.parametrize(
    "event_type", ["police.locate.requested.v1", "police.exit_control.requested.v1"]
)
def test_a_watch_or_an_exit_restriction_is_on_a_person_not_an_organisation(event_type: str) -> None:
    company = {"name": "舞阳县兴达建材有限公司", "id_type": "uscc", "id_no": "91411121MA45R8Q2XR"}
    problems = payload_problems(event_type, person=company)
    assert set(problems) == {"person"}
    assert "resident_id, passport, other" in problems["person"]
