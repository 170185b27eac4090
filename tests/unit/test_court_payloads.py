"""The court connector's two pure mappings: a filing to its rows (`records`) and rows back to the
event (`payloads`). What the court files is what it publishes."""

from typing import Any

import pytest
from pydantic import ValidationError

from connectors.court import payloads, records
from schemas.catalogue import CATALOGUE
from schemas.common import PartyKind, Payload, Subject
from schemas.debtor import DebtorCorrected
from schemas.identifiers import IdType
from tests.hubkit import corpus_event


def sample(event_type: str, name: str = "valid-basic") -> Any:
    payload = CATALOGUE[event_type].validate_payload(corpus_event(event_type, name)["data"])
    assert isinstance(payload, Payload)
    return payload


def case_row(payload: Any, **known: Any) -> dict[str, Any]:
    return records.case_values(
        payload.case_no, getattr(payload, "court", "舞阳县人民法院"), **known
    )


def test_an_inquiry_round_trips_with_its_subjects_in_order() -> None:
    request = sample("enforcement.query.requested.v1")
    row = records.query_request_values(request, ("tax.411121", "samr.411121"))
    subjects = [records.party_values("debtor", subject) for subject in request.subjects]
    assert row["to_units"] == "tax.411121 samr.411121"
    assert payloads.query_requested(case_row(request), row, subjects) == request


@pytest.mark.parametrize(
    "name", ["valid-equity-freeze", "valid-deposit-freeze-1-year", "valid-release"]
)
def test_a_control_request_round_trips(name: str) -> None:
    request = sample("enforcement.control.requested.v1", name)
    row = records.control_request_values(request, "samr.411121")
    owner = records.party_values("debtor", request.asset.owner)
    assert payloads.control_requested(case_row(request), row, owner) == request


def test_a_listing_round_trips_with_the_case_filing_date() -> None:
    listing = sample("debtor.listed.v1")
    case = case_row(listing, filed_on=listing.case_filed_on)
    debtor = records.party_values("debtor", listing.debtor)
    assert payloads.debtor_listed(case, records.listing_values(listing), debtor) == listing


def test_a_correction_and_a_deletion_round_trip() -> None:
    correction = sample("debtor.corrected.v1")
    delisting = sample("debtor.delisted.v1")
    listing = {"listing_id": correction.listing_id}
    correction_row = records.correction_values(correction)
    assert payloads.debtor_corrected(case_row(correction), listing, correction_row) == correction
    delisted_row = {"listing_id": delisting.listing_id} | records.delisting_values(delisting)
    assert payloads.debtor_delisted(case_row(delisting), delisted_row) == delisting


def test_a_correction_updates_only_the_columns_it_changes() -> None:
    correction = sample("debtor.corrected.v1")
    assert records.corrected_listing_values(correction) == {
        "performance": "partially_performed",
        "performed": 5_000_000,
    }


def test_bankruptcy_acceptance_and_rulings_round_trip() -> None:
    accepted = sample("bankruptcy.accepted.v1")
    bankruptcy = records.bankruptcy_values(accepted)
    assert payloads.bankruptcy_accepted(case_row(accepted), bankruptcy) == accepted
    for event_type in (
        "bankruptcy.declared.v1",
        "bankruptcy.reorganization.approved.v1",
        "bankruptcy.terminated.v1",
    ):
        ruling = sample(event_type)
        debtor = {"debtor_name": ruling.debtor.name, "debtor_uscc": ruling.debtor.uscc}
        rebuilt = payloads.bankruptcy_ruled(case_row(ruling), debtor, records.ruling_values(ruling))
        assert rebuilt == ruling
        assert rebuilt.event_type == event_type


def test_an_administrative_case_round_trips_through_filing_hearing_and_judgment() -> None:
    filed = sample("admincase.filed.v1")
    case = case_row(filed, cause=filed.cause, filed_on=filed.filed_on)
    plaintiff = records.party_values("plaintiff", filed.plaintiff)
    assert payloads.admincase_filed(case, records.admin_case_values(filed), plaintiff) == filed
    hearing = sample("admincase.hearing.scheduled.v1")
    assert payloads.hearing_scheduled(case, records.hearing_values(hearing)) == hearing
    judged = sample("admincase.judged.v1")
    assert payloads.admincase_judged(case, records.judgment_values(judged)) == judged


def test_a_judicial_suggestion_round_trips_with_or_without_a_case() -> None:
    suggestion = sample("judicial.suggestion.issued.v1")
    row = records.suggestion_values(suggestion)
    assert payloads.suggestion_issued(row, case_row(suggestion)) == suggestion
    alone = payloads.suggestion_issued(row, None)
    assert alone.case_no is None
    assert alone.suggestion_no == suggestion.suggestion_no


def test_a_case_row_holds_the_parsed_case_number() -> None:
    row = records.case_values("(2026)豫1121执356号", "舞阳县人民法院", judge="赵振华")
    assert row | {"cause": None} == {
        "case_no": "（2026）豫1121执356号",
        "year": 2026,
        "court_code": "豫1121",
        "type_code": "执",
        "number": 356,
        "court": "舞阳县人民法院",
        "cause": None,
        "filed_on": None,
        "judge": "赵振华",
        "judge_work_id": None,
    }


@pytest.mark.parametrize(
    ("id_type", "id_no", "kind"),
    [
        (IdType.RESIDENT_ID, "411121198503152315", PartyKind.NATURAL),
        (IdType.USCC, "91411121MA45R8Q2XR", PartyKind.LEGAL),
        (IdType.OTHER, "港澳居民来往内地通行证H0000000", None),
    ],
)
def test_a_bare_subject_gets_the_kind_its_identifier_implies(
    id_type: IdType, id_no: str, kind: PartyKind | None
) -> None:
    row = records.party_values("debtor", Subject(name="某某", id_type=id_type, id_no=id_no))
    assert (row["kind"], row["legal_rep"]) == (kind, None)


def test_a_row_breaking_a_legal_rule_does_not_become_an_event() -> None:
    listing = sample("debtor.listed.v1")
    case = case_row(listing, filed_on=listing.case_filed_on)
    row = records.listing_values(listing)
    debtor = records.party_values("debtor", listing.debtor) | {"id_no": "411121198503152316"}
    with pytest.raises(ValidationError, match="check digit"):
        payloads.debtor_listed(case, row, debtor)
    too_long = row | {"period_end": listing.listed_on.replace(year=listing.listed_on.year + 4)}
    with pytest.raises(ValidationError, match="2 years"):
        payloads.debtor_listed(case, too_long, records.party_values("debtor", listing.debtor))


def test_a_correction_of_nothing_is_refused() -> None:
    correction = sample("debtor.corrected.v1")
    assert isinstance(correction, DebtorCorrected)
    with pytest.raises(ValidationError):
        payloads.debtor_corrected(
            case_row(correction),
            {"listing_id": correction.listing_id},
            records.correction_values(correction) | {"changes": {}},
        )
