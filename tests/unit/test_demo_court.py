"""The demo court's filings: numbered like a court registry, lawful, deterministic from a seed."""

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.demo.court import COURT_CODE, CourtDemo
from schemas.catalogue import CATALOGUE
from schemas.common import Payload, UnitRef
from schemas.identifiers import CaseNumber, is_valid_resident_id

TODAY = dt.date(2026, 5, 11)
SAMR = UnitRef(unit="samr.411121", name="舞阳县市场监督管理局")


def all_filings(demo: CourtDemo) -> list[Payload]:
    case = demo.enforcement_case()
    listing = demo.listing(case)
    accepted = demo.bankruptcy()
    filed = demo.admin_case(SAMR)
    return [
        demo.query(case, ("tax", "samr")),
        demo.equity_freeze(case),
        listing,
        demo.correction(listing),
        demo.delisting(listing),
        accepted,
        demo.declaration(accepted),
        demo.termination(accepted),
        filed,
        demo.hearing(filed),
        demo.judgment(filed, head_appeared=True),
        demo.suggestion(SAMR, filed.case_no),
    ]


@settings(max_examples=40)
@given(st.integers(min_value=0, max_value=2**32), st.dates(dt.date(2024, 1, 1), TODAY))
def test_every_filing_passes_the_catalogue_as_json(seed: int, today: dt.date) -> None:
    for payload in all_filings(CourtDemo(random.Random(seed), today)):
        data = payload.model_dump(mode="json", exclude_none=True)
        assert CATALOGUE[payload.event_type].validate_payload(data) == payload


def test_case_numbers_count_up_per_type_within_the_year() -> None:
    demo = CourtDemo(random.Random(1), TODAY)
    numbers = [demo.case_no(kind) for kind in ("执", "执", "破", "执", "行初")]
    parsed = [CaseNumber.parse(number) for number in numbers]
    assert [(p.type_code, p.number) for p in parsed] == [
        ("执", 1),
        ("执", 2),
        ("破", 1),
        ("执", 3),
        ("行初", 1),
    ]
    assert {(p.year, p.court_code) for p in parsed} == {(2026, COURT_CODE)}
    assert numbers[0] == "（2026）豫1121执1号"


def test_requests_of_one_case_are_about_its_own_debtors() -> None:
    demo = CourtDemo(random.Random(5), TODAY)
    case = demo.enforcement_case()
    query, freeze = demo.query(case, ("tax", "samr")), demo.equity_freeze(case)
    assert {s.id_no for s in query.subjects} == {d.id_no for d in case.debtors}
    assert freeze.asset.owner.id_no == case.debtors[-1].id_no
    assert is_valid_resident_id(freeze.asset.owner.id_no)  # equity held by a person
    assert {str(c) for c in query.categories} == {"tax", "equity", "business_registration"}
    assert len({query.request_no, freeze.request_no}) == 2


def test_the_same_seed_files_the_same_cases() -> None:
    def dumps(seed: int) -> list[dict[str, object]]:
        return [
            p.model_dump(mode="json") for p in all_filings(CourtDemo(random.Random(seed), TODAY))
        ]

    assert dumps(42) == dumps(42)
    assert dumps(42) != dumps(43)


@pytest.mark.parametrize("seed", range(30))
def test_hearings_give_at_least_three_days_notice(seed: int) -> None:
    demo = CourtDemo(random.Random(seed), TODAY)
    hearing = demo.hearing(demo.admin_case(SAMR))
    assert hearing.hearing_at.date() >= TODAY + dt.timedelta(days=3)


def test_numbering_continues_after_numbers_already_used() -> None:
    demo = CourtDemo(random.Random(1), TODAY)
    demo.case_no("执")
    demo.continue_after({"执": 356, "破": 2, "法建": 7}, {"CX": 17})
    assert demo.case_no("执") == "（2026）豫1121执357号"
    assert demo.case_no("破") == "（2026）豫1121破3号"
    assert demo.case_no("行初") == "（2026）豫1121行初1号"
    case = demo.enforcement_case()
    assert demo.query(case, ("tax",)).request_no == f"{demo.serial_prefix('CX')}00018"
    samr = UnitRef(unit="samr.411121", name="舞阳县市场监督管理局")
    assert demo.suggestion(samr, None).suggestion_no == "舞法建〔2026〕8号"
    demo.continue_after({"执": 3}, {})  # never back
    assert demo.case_no("执") == "（2026）豫1121执359号"


def test_a_freeze_in_a_case_against_a_company_targets_the_guarantors_equity_in_it() -> None:
    demo = CourtDemo(random.Random(6), TODAY)
    case = demo.enforcement_case(company=True)
    company, guarantor = case.debtors
    freeze = demo.equity_freeze(case)
    assert freeze.asset.identifier == company.id_no
    assert freeze.asset.owner.id_no == guarantor.id_no
    assert company.name in freeze.asset.description
    assert len(demo.enforcement_case(company=False).debtors) == 1
