"""The court's side of the notices (通报): the key each notice travels under, and the row each
answer becomes in `notice_answers`."""

from typing import Any

import pytest

from connectors.court import notices, writeback
from connectors.court.export import subject_of
from schemas.catalogue import CATALOGUE
from tests.hubkit import corpus_event

KEY = "answer-7"


def sample(event_type: str, name: str = "valid-basic") -> Any:
    return CATALOGUE[event_type].validate_payload(corpus_event(event_type, name)["data"])


def test_a_notice_about_a_case_is_keyed_by_the_case_one_without_by_its_own_number() -> None:
    # The hub requires the subject of an event with a case number to be that number; a notice
    # without one is keyed by its own number so that its answers share its partition.
    prejudgment = sample("notice.prejudgment.issued.v1")
    assert subject_of(prejudgment) == prejudgment.case_no
    major = sample("notice.major_case.issued.v1")
    assert subject_of(major) == major.notice_no  # it lists case numbers but has no single case
    referral = sample("notice.petition.referred.v1")
    assert subject_of(referral) == (referral.case_no or referral.referral_no)


def test_every_answer_is_written_back_under_the_number_of_what_it_answers() -> None:
    cases = {
        "notice.risk.responded.v1": "notice_no",
        "notice.petition.handled.v1": "referral_no",
        "notice.prejudgment.acknowledged.v1": "case_no",
        "notice.public_debtor.measure.reported.v1": "case_no",
    }
    for event_type, field in cases.items():
        name = "valid-accepted" if event_type == "notice.petition.handled.v1" else "valid-basic"
        payload = sample(event_type, name)
        ((table, row),) = writeback.answer_rows(KEY, payload)
        assert table.name == "notice_answers"
        assert (row["answer_event_id"], row["type"]) == (KEY, event_type)
        assert row["reference"] == getattr(payload, field)
        # the stored payload is the answer itself, readable back as the catalogue type
        assert CATALOGUE[event_type].validate_payload(row["payload"]) == payload


def test_the_court_neither_sends_an_answer_nor_writes_back_a_notice() -> None:
    with pytest.raises(TypeError):
        notices.answer_values(KEY, sample("notice.prejudgment.issued.v1"))
    with pytest.raises(TypeError):
        writeback.answer_rows(KEY, sample("notice.major_case.issued.v1"))
