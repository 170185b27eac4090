"""What answers and hub notices become in the court database, and how refused exports are noted."""

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from connectors.court import store, writeback
from connectors.court.export import problem_of, subject_of
from connectors.sdk import EventRefused
from schemas.catalogue import CATALOGUE
from schemas.dates import CHINA_TIME
from schemas.errors import ErrorCode, FieldError, Rejection
from schemas.judicial import JudicialSuggestionIssued
from tests.hubkit import corpus_event

KEY = "answer-1"
NOW = dt.datetime(2026, 5, 11, 10, 0, tzinfo=CHINA_TIME)


def sample(event_type: str, name: str = "valid-basic") -> Any:
    return CATALOGUE[event_type].validate_payload(corpus_event(event_type, name)["data"])


def tables(rows: writeback.Rows) -> list[str]:
    return [table.name for table, _ in rows]


def test_an_inquiry_answer_keeps_one_row_per_asset_and_one_per_subject_without_assets() -> None:
    rows = writeback.answer_rows(KEY, sample("enforcement.query.answered.v1"))
    assert tables(rows) == ["enforcement_answers", "asset_findings", "asset_findings"]
    (_, head), (_, found), (_, nothing) = rows
    assert head == {
        "answer_event_id": KEY,
        "request_no": "CX4111212026030200017",
        "kind": "query",
        "answered_on": dt.date(2026, 3, 3),
    }
    assert (found["found"], found["category"], found["value"]) == (True, "real_estate", 38_000_000)
    assert (nothing["found"], nothing["subject_id_type"]) == (False, "uscc")
    assert "category" not in nothing


@pytest.mark.parametrize(
    ("name", "result"),
    [("valid-controlled", "controlled"), ("valid-not-controlled", "not_controlled")],
)
def test_a_control_answer_keeps_its_result_and_period(name: str, result: str) -> None:
    answer = sample("enforcement.control.answered.v1", name)
    ((table, row),) = writeback.answer_rows(KEY, answer)
    assert table is store.enforcement_answers
    assert (row["kind"], row["result"]) == ("control", result)
    assert (row["start_on"], row["end_on"], row["reason"]) == (
        answer.start,
        answer.end,
        answer.reason,
    )


def test_a_sanction_report_keeps_each_measure_under_its_listing() -> None:
    report = sample("debtor.sanction.reported.v1")
    rows = writeback.answer_rows(KEY, report)
    assert tables(rows) == ["sanction_measures"] * len(report.measures)
    assert {row["listing_id"] for _, row in rows} == {report.listing_id}
    assert [row["memo_article"] for _, row in rows] == [m.memo_article for m in report.measures]


def test_a_report_that_no_measure_applies_keeps_its_reason_under_its_listing() -> None:
    report = sample("debtor.sanction.reported.v1", "valid-no-measure")
    ((written, row),) = writeback.answer_rows(KEY, report)
    assert report.no_measure is not None
    assert written.name == "no_measure_reports"
    assert (row["answer_event_id"], row["listing_id"], row["reason"], row["detail"]) == (
        KEY,
        report.listing_id,
        "not_in_registers",
        report.no_measure.detail,
    )


@pytest.mark.parametrize(
    ("event_type", "name", "table", "key_column"),
    [
        ("bankruptcy.claim.declared.v1", "valid-basic", "bankruptcy_claims", "case_no"),
        ("bankruptcy.deregistration.reported.v1", "valid-basic", "deregistrations", "case_no"),
        ("admincase.defence.submitted.v1", "valid-basic", "admin_defences", "case_no"),
        ("admincase.appearance.reported.v1", "valid-head-appears", "appearance_reports", "case_no"),
        ("admincase.appearance.reported.v1", "valid-head-absent", "appearance_reports", "case_no"),
        ("judicial.suggestion.replied.v1", "valid-basic", "suggestion_replies", "suggestion_no"),
    ],
)
def test_other_answers_keep_one_row_keyed_by_the_answer(
    event_type: str, name: str, table: str, key_column: str
) -> None:
    answer = sample(event_type, name)
    ((written, row),) = writeback.answer_rows(KEY, answer)
    assert written.name == table
    assert row["answer_event_id"] == KEY
    assert row[key_column] == getattr(answer, key_column)
    assert set(row) <= {column.name for column in written.columns}


def test_a_claim_keeps_its_items_as_json_adding_up_to_the_total() -> None:
    claim = sample("bankruptcy.claim.declared.v1")
    ((_, row),) = writeback.answer_rows(KEY, claim)
    assert sum(item["amount"] for item in row["items"]) == row["total"] == claim.total


def test_an_absent_head_is_recorded_with_the_reason_and_the_staff_sent() -> None:
    ((_, row),) = writeback.answer_rows(
        KEY, sample("admincase.appearance.reported.v1", "valid-head-absent")
    )
    assert (row["head_appears"], row["head_name"], row["reason"]) == (
        False,
        None,
        "non_delegable_duty",
    )
    assert row["staff"] == [{"name": "刘洋", "post": "法规股股长"}]


def test_a_request_is_not_an_answer() -> None:
    with pytest.raises(TypeError):
        writeback.answer_rows(KEY, sample("debtor.listed.v1"))


def test_the_ledger_row_names_the_answered_export() -> None:
    row = writeback.ledger_row(
        KEY,
        "debtor.sanction.reported.v1",
        sender="tax.411121",
        correlationid="e-1",
        subject="（2026）豫1121执356号",
        received_at=NOW,
    )
    assert set(row) == {column.name for column in store.answers.columns}
    assert (row["correlationid"], row["sender"]) == ("e-1", "tax.411121")


def test_notices_record_what_they_are_about() -> None:
    receipt = writeback.notice_row(
        "n-1", sample("hub.receipt.v1"), correlationid="e-1", sender="tax.411121", received_at=NOW
    )
    assert (receipt["kind"], receipt["about_event_id"], receipt["unit"]) == (
        "receipt",
        "e-1",
        "tax.411121",
    )
    rejected = writeback.notice_row(
        "n-2", sample("hub.rejected.v1"), correlationid=None, sender=None, received_at=NOW
    )
    assert (rejected["kind"], rejected["code"]) == ("rejected", "schema_invalid")
    assert rejected["about_event_id"] == "04d50834-aebf-53cf-a9d3-c59657ca823e"
    overdue = writeback.notice_row(
        "n-3", sample("hub.overdue.v1"), correlationid=None, sender=None, received_at=NOW
    )
    assert (overdue["kind"], overdue["unit"], overdue["stage"]) == (
        "overdue",
        "tax.411121",
        "reply",
    )
    assert overdue["about_event_id"] == "5e148399-670c-5b4d-9089-1c29cdf72c17"
    for row in (receipt, rejected, overdue):
        assert set(row) <= {column.name for column in store.hub_notices.columns}


def test_suggestions_are_keyed_by_their_number_and_the_rest_by_case() -> None:
    suggestion = sample("judicial.suggestion.issued.v1")
    assert isinstance(suggestion, JudicialSuggestionIssued)
    assert subject_of(suggestion) == "舞法建〔2026〕3号"
    assert subject_of(sample("debtor.listed.v1")) is None  # the SDK's default: the case number


def test_a_refused_export_notes_the_code_and_the_fields() -> None:
    refused = EventRefused(
        Rejection(
            ErrorCode.SCHEMA_INVALID,
            "1 invalid field(s)",
            (FieldError("data.debtor.id_no", "check digit should be 5"),),
        )
    )
    assert problem_of(refused) == (
        "schema_invalid: 1 invalid field(s) [data.debtor.id_no: check digit should be 5]"
    )
    with pytest.raises(ValidationError) as invalid:
        CATALOGUE["debtor.delisted.v1"].validate_payload({"listing_id": "SX1"})
    assert problem_of(invalid.value).startswith("schema_invalid: ")
    assert "case_no" in problem_of(invalid.value)
