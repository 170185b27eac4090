"""What the departments answer in the bankruptcy follow-up (connectors/department/bankruptcy.py):
a registry releases what it holds and says of the rest it does not hold it, a creditor unit
declares its arrears to the acceptance date, pboc/tax/samr each report their own credit record."""

from __future__ import annotations

import datetime as dt

from connectors.department.bankruptcy import (
    NOT_HELD_REASON,
    claim_declaration,
    credit_repair_report,
    release_results,
)
from schemas.bankruptcy import BankruptcyAccepted, ClaimItem, ClaimKind
from schemas.bankruptcy_followup import (
    BankruptcyCreditRepairRequested,
    BankruptcyMeasuresReleaseRequested,
    CreditRepairMeasure,
    CreditRepairOutcome,
    ReleaseOutcome,
)
from tests.fixtures.corpus.loader import sample_data

TODAY = dt.date(2026, 12, 4)


def test_the_registry_releases_what_it_holds_and_says_why_not_of_the_rest() -> None:
    request = BankruptcyMeasuresReleaseRequested.model_validate(
        sample_data("bankruptcy.measures.release_requested.v1")
    )
    held, other = (measure.request_no for measure in request.measures)
    answer = release_results(request, {held: "GQDJ2026-0007"}, TODAY)
    assert (answer.request_no, answer.case_no) == (request.request_no, request.case_no)
    first, second = answer.results
    assert (first.request_no, first.outcome, first.released_on, first.registration_no) == (
        held,
        ReleaseOutcome.RELEASED,
        TODAY,
        "GQDJ2026-0007",
    )
    assert (second.request_no, second.outcome, second.reason) == (
        other,
        ReleaseOutcome.NOT_HELD,
        NOT_HELD_REASON,
    )
    assert second.released_on is None


def test_a_unit_owed_nothing_declares_nothing_one_owed_declares_to_the_acceptance_date() -> None:
    accepted = BankruptcyAccepted.model_validate(sample_data("bankruptcy.accepted.v1"))
    assert claim_declaration(accepted, "舞阳县医疗保障局", [], TODAY) is None
    items = [
        ClaimItem(kind=ClaimKind.WAGES, description="欠薪", amount=1_000_00, employees=3),
        ClaimItem(kind=ClaimKind.SOCIAL_INSURANCE, description="统筹部分", amount=250_00),
    ]
    declared = claim_declaration(accepted, "舞阳县人力资源和社会保障局", items, TODAY)
    assert declared is not None
    assert (declared.computed_to, declared.declared_on, declared.total) == (
        accepted.accepted_on,
        TODAY,
        1_250_00,
    )
    assert declared.case_no == accepted.case_no


def test_each_unit_reports_its_own_credit_record() -> None:
    request = BankruptcyCreditRepairRequested.model_validate(
        sample_data("bankruptcy.credit_repair.requested.v1")
    )
    expected = {
        "pboc": CreditRepairMeasure.CREDIT_REFERENCE,
        "tax": CreditRepairMeasure.TAX_CREDIT,
        "samr": CreditRepairMeasure.ABNORMAL_OPERATIONS_LIST,
    }
    for dept, measure in expected.items():
        report = credit_repair_report(request, dept, known=True, today=TODAY)
        assert report is not None
        assert (report.measure, report.outcome) == (measure, CreditRepairOutcome.REPAIRED)
    unknown = credit_repair_report(request, "samr", known=False, today=TODAY)
    assert unknown is not None
    assert unknown.outcome is CreditRepairOutcome.NOT_APPLICABLE
    assert credit_repair_report(request, "nr", known=True, today=TODAY) is None


def test_a_repair_not_asked_for_is_not_applicable() -> None:
    data = sample_data("bankruptcy.credit_repair.requested.v1") | {"measures": ["tax_credit"]}
    request = BankruptcyCreditRepairRequested.model_validate(data)
    report = credit_repair_report(request, "pboc", known=True, today=TODAY)
    assert report is not None
    assert report.outcome is CreditRepairOutcome.NOT_APPLICABLE
