"""The court's side of the bankruptcy follow-up: measures grouped by the registry that holds
them, the key each request travels under, and the rows each answer becomes."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.court import bankruptcy_followup as followup
from connectors.court import writeback
from connectors.court.export import LOADERS, subject_of
from schemas.catalogue import CATALOGUE
from tests.hubkit import corpus_event

KEY = "answer-9"


def sample(event_type: str, name: str = "valid-basic") -> Any:
    return CATALOGUE[event_type].validate_payload(corpus_event(event_type, name)["data"])


def _row(request_no: str, unit: str) -> dict[str, str]:
    return {
        "request_no": request_no,
        "to_units": unit,
        "ruling_no": f"（2025）豫1121执211号之{request_no[-1]}",
        "case_no": "（2025）豫1121执211号",
        "asset_kind": "real_estate",
        "asset_identifier": f"豫（2019）舞阳县不动产权第000184{request_no[-1]}号",
    }


def test_each_registry_is_asked_about_its_own_measures_only() -> None:
    rows = [_row("KZ1", "nr.411121"), _row("KZ2", "samr.411121"), _row("KZ3", "nr.411121")]
    grouped = followup.measures_by_unit(rows)
    assert list(grouped) == ["nr.411121", "samr.411121"]
    assert [m.request_no for m in grouped["nr.411121"]] == ["KZ1", "KZ3"]
    assert [m.request_no for m in grouped["samr.411121"]] == ["KZ2"]
    assert followup.release_request_no(7, "nr.411121") == "JC-000007-nr.411121"


def test_requests_are_keyed_by_the_case_the_zombie_list_by_its_number() -> None:
    release = sample("bankruptcy.measures.release_requested.v1")
    assert subject_of(release) == release.case_no
    repair = sample("bankruptcy.credit_repair.requested.v1")
    assert subject_of(repair) == repair.case_no
    zombie = sample("bankruptcy.zombie_list.shared.v1")
    assert subject_of(zombie) == zombie.list_no
    for sent in followup.SENT_TYPES:
        assert LOADERS[sent.event_type] is followup.load_request


def test_a_release_answer_becomes_one_row_per_measure() -> None:
    answer = sample("bankruptcy.measures.released.v1")
    rows = writeback.answer_rows(KEY, answer)
    assert [table.name for table, _ in rows] == ["measure_releases", "measure_releases"]
    released, not_held = (values for _, values in rows)
    assert released["outcome"] == "released"
    assert released["released_on"] == answer.results[0].released_on
    assert (not_held["outcome"], not_held["released_on"]) == ("not_held", None)
    assert not_held["reason"] == answer.results[1].reason
    assert {values["release_request_no"] for _, values in rows} == {answer.request_no}
    assert all(values["answer_event_id"] == KEY for _, values in rows)


def test_a_credit_repair_report_becomes_its_row() -> None:
    report = sample("bankruptcy.credit_repair.reported.v1", "valid-refused")
    ((table, values),) = writeback.answer_rows(KEY, report)
    assert table.name == "credit_repair_reports"
    assert (values["measure"], values["outcome"], values["reason"]) == (
        "tax_credit",
        "refused",
        report.reason,
    )


def test_the_court_writes_back_no_request_of_its_own() -> None:
    with pytest.raises(TypeError):
        followup.answer_rows(KEY, sample("bankruptcy.measures.release_requested.v1"))
