"""The tax office's answers from its records: late fees, inquiry results, bankruptcy claims split
into tax and ordinary claims, and its joint-punishment measures."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.tax.answers import (
    TAX_MEASURES,
    Arrear,
    Refund,
    TaxFile,
    Taxpayer,
    claim_declaration,
    claim_items,
    late_fee,
    query_result,
    sanctions,
)
from schemas.bankruptcy import ClaimKind
from schemas.catalogue import CATALOGUE
from schemas.common import Subject
from schemas.debtor import NoMeasure, NoMeasureReason
from schemas.enforcement import QueryCategory
from schemas.identifiers import IdType

COMPANY = Subject(name="舞阳县兴达建材有限公司", id_type=IdType.USCC, id_no="91411121MA45R8Q2XR")
TAXPAYER = Taxpayer(
    taxpayer_no=COMPANY.id_no,
    id_type="uscc",
    name=COMPANY.name,
    kind="enterprise",
    status="normal",
    tax_office="国家税务总局舞阳县税务局第一税务分局",
    registered_on=dt.date(2018, 5, 4),
    credit_level="B",
)


def arrear(tax_type: str, start: str, end: str, due: str, amount: int) -> Arrear:
    return Arrear(
        f"QS-{tax_type}-{start}",
        tax_type,
        dt.date.fromisoformat(start),
        dt.date.fromisoformat(end),
        dt.date.fromisoformat(due),
        amount,
    )


VAT_2025Q3 = arrear("增值税", "2025-07-01", "2025-09-30", "2025-10-15", 1_860_000)
CIT_2025Q4 = arrear("企业所得税", "2025-10-01", "2025-12-31", "2026-01-15", 500_000)
VAT_2026Q1 = arrear("增值税", "2026-01-01", "2026-03-31", "2026-04-15", 300_000)


@pytest.mark.parametrize(
    ("amount", "due_on", "until", "fee"),
    [
        (100_000, "2026-01-15", "2026-01-15", 0),  # not yet late on the due date
        (100_000, "2026-01-15", "2026-01-10", 0),
        (100_000, "2026-01-15", "2026-01-16", 50),  # one day: 万分之五 of 1000.00元 = 0.50元
        (100_000, "2026-01-15", "2026-01-25", 500),
        (1, "2026-01-15", "2026-04-25", 0),  # 100 days of 0.0005 fen = 0.05 fen, rounds down
        (1, "2026-01-15", "2028-10-11", 1),  # 1000 days: exactly half a fen rounds up
    ],
)
def test_late_fees_accrue_five_in_ten_thousand_a_day_after_the_due_date(
    amount: int, due_on: str, until: str, fee: int
) -> None:
    assert late_fee(amount, dt.date.fromisoformat(due_on), dt.date.fromisoformat(until)) == fee


def test_a_taxpayer_not_registered_is_not_found() -> None:
    result = query_result(COMPANY, None, dt.date(2026, 3, 5))
    assert (result.found, result.records) == (False, ())


def test_an_inquiry_lists_registration_refunds_due_and_arrears_with_late_fees() -> None:
    refund = Refund("TS2026000001", "增值税留抵退税", "2025年度", 250_000, dt.date(2026, 2, 1))
    file = TaxFile(TAXPAYER, refunds=(refund,), arrears=(VAT_2025Q3,))
    result = query_result(COMPANY, file, dt.date(2026, 3, 5))

    assert result.found
    registration, refunded, owed = result.records
    assert {r.category for r in result.records} == {QueryCategory.TAX}
    assert registration.identifier == COMPANY.id_no
    assert "状态正常" in registration.description
    assert "第一税务分局" in registration.description
    assert (refunded.identifier, refunded.value) == ("TS2026000001", 250_000)
    assert owed.value == 1_860_000
    # 141 days late on 18600.00元: 1311.30元
    assert late_fee(1_860_000, VAT_2025Q3.due_on, dt.date(2026, 3, 5)) == 131_130
    assert "滞纳金计至2026-03-05为1311.30元" in owed.description


def test_claims_are_taxes_to_the_acceptance_date_plus_late_fees_as_ordinary_claims() -> None:
    accepted_on = dt.date(2026, 2, 10)
    items = claim_items([VAT_2025Q3, CIT_2025Q4, VAT_2026Q1], accepted_on)

    taxes = [item for item in items if item.kind is ClaimKind.TAX]
    fees = [item for item in items if item.kind is ClaimKind.LATE_FEE]
    assert [item.amount for item in taxes] == [1_860_000, 500_000]  # 2026 Q1 ends after acceptance
    assert [item.amount for item in fees] == [
        late_fee(1_860_000, VAT_2025Q3.due_on, accepted_on),
        late_fee(500_000, CIT_2025Q4.due_on, accepted_on),
    ]
    assert fees[0].amount == 1_860_000 * 118 * 5 // 10_000  # 2025-10-16 … 2026-02-10
    assert "计至2026-02-10" in fees[0].description
    assert len(items) == 4


def test_an_arrear_not_yet_due_at_acceptance_is_claimed_without_late_fees() -> None:
    items = claim_items([CIT_2025Q4], dt.date(2026, 1, 10))
    assert [(item.kind, item.amount) for item in items] == [(ClaimKind.TAX, 500_000)]


def test_with_nothing_owed_the_declaration_says_so_with_a_zero_claim() -> None:
    declaration = claim_declaration(
        "（2026）豫1121破3号",
        "国家税务总局舞阳县税务局",
        dt.date(2026, 2, 10),
        dt.date(2026, 3, 1),
        [],
    )
    (item,) = declaration.items
    assert (item.amount, declaration.total) == (0, 0)
    assert "无欠缴税款" in item.description


def test_the_declaration_totals_its_items_and_is_a_valid_catalogue_payload() -> None:
    declaration = claim_declaration(
        "(2026)豫1121破3号",
        "国家税务总局舞阳县税务局",
        dt.date(2026, 2, 10),
        dt.date(2026, 3, 1),
        [VAT_2025Q3, CIT_2025Q4],
    )
    assert declaration.case_no == "（2026）豫1121破3号"
    assert declaration.computed_to == dt.date(2026, 2, 10)
    assert declaration.total == sum(item.amount for item in declaration.items)
    wire = declaration.model_dump(mode="json", exclude_none=True)
    assert CATALOGUE["bankruptcy.claim.declared.v1"].validate_payload(wire) == declaration


def test_the_tax_measures_are_the_memorandum_articles_for_a_registered_taxpayer() -> None:
    registered = sanctions(TAXPAYER)
    assert isinstance(registered, tuple)
    assert [s.memo_article for s in registered] == [a for a, _ in TAX_MEASURES] == [11, 12]
    assert "征管系统" in registered[0].result
    assert COMPANY.id_no not in registered[0].result


def test_a_debtor_unknown_to_the_tax_office_gets_no_measure_with_the_reason() -> None:
    unknown = sanctions(None)
    assert isinstance(unknown, NoMeasure)
    assert unknown.reason is NoMeasureReason.NOT_IN_REGISTERS
    assert "无该纳税人登记信息" in unknown.detail
