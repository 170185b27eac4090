"""The market-supervision office's answers from its registration records: equity and registration
inquiries, equity freezes (publicised, ranked, continued, released, or refused with a reason),
measures on listed debtors, and deregistration after bankruptcy."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from connectors.department.punishment import Debtor
from connectors.samr.answers import (
    OFFICER_BAN_ARTICLE,
    ControlDecision,
    Freeze,
    Holding,
    Registration,
    control_answer,
    decide_control,
    deregistration_report,
    percent,
    query_result,
    registration_no,
    sanctions,
)
from schemas.catalogue import CATALOGUE
from schemas.common import Subject
from schemas.control import ControlResult, EnforcementControlRequested
from schemas.debtor import NoMeasure, NoMeasureReason
from schemas.enforcement import QueryCategory
from schemas.identifiers import IdType
from tests.hubkit import corpus_event

TODAY = dt.date(2026, 3, 4)
PERSON = Subject(name="王建军", id_type=IdType.RESIDENT_ID, id_no="411121198503152315")
COMPANY = Registration(
    uscc="91411121MA45R8Q2XR",
    name="舞阳县兴达建材有限公司",
    kind="有限责任公司（自然人投资或控股）",
    legal_rep_name="王建军",
    legal_rep_id_no=PERSON.id_no,
    status="active",
    registered_capital=500_000_000,
    established_on=dt.date(2016, 3, 5),
    authority="舞阳县市场监督管理局",
)
HOLDING = Holding(
    holding_id=7,
    enterprise=COMPANY,
    holder_name=PERSON.name,
    holder_id_no=PERSON.id_no,
    share_bp=6000,
    amount=300_000_000,
)


def freeze(
    *,
    case_no: str = "（2026）豫1121执356号",
    request_no: str = "KZ4111212026030300005",
    end: dt.date = dt.date(2029, 3, 2),
    released_on: dt.date | None = None,
    freeze_id: int = 1,
) -> Freeze:
    return Freeze(
        freeze_id=freeze_id,
        registration_no=registration_no(2026, freeze_id),
        request_no=request_no,
        case_no=case_no,
        court="舞阳县人民法院",
        start=dt.date(2026, 3, 3),
        end=end,
        publicized_on=dt.date(2026, 3, 3),
        released_on=released_on,
    )


def control(**changes: Any) -> EnforcementControlRequested:
    """The corpus equity freeze (王建军's 60 % of 兴达建材), changed as given."""
    data = corpus_event("enforcement.control.requested.v1", "valid-equity-freeze")["data"]
    payload = CATALOGUE["enforcement.control.requested.v1"].validate_payload(data | changes)
    assert isinstance(payload, EnforcementControlRequested)
    return payload


def answered(request: EnforcementControlRequested, decision: ControlDecision) -> Any:
    answer = control_answer(request, decision, TODAY, "GQDJ2026000009")
    data = answer.model_dump(mode="json", exclude_none=True)
    assert CATALOGUE["enforcement.control.answered.v1"].validate_payload(data) == answer
    return answer


@pytest.mark.parametrize(("bp", "text"), [(6000, "60%"), (10000, "100%"), (3333, "33.33%")])
def test_shares_read_as_percentages(bp: int, text: str) -> None:
    assert percent(bp) == text


# --- inquiry -------------------------------------------------------------------------------------


def test_equity_is_listed_with_the_freezes_in_force_only() -> None:
    lapsed = freeze(case_no="（2023）豫1121执88号", end=dt.date(2026, 1, 31), freeze_id=2)
    released = freeze(case_no="（2024）豫1121执9号", released_on=dt.date(2025, 6, 1), freeze_id=3)
    holding = replace(HOLDING, freezes=(freeze(), lapsed, released))
    result = query_result(PERSON, [QueryCategory.EQUITY], [holding], [], TODAY)

    (record,) = result.records
    assert result.found
    assert (record.category, record.identifier, record.value) == (
        QueryCategory.EQUITY,
        COMPANY.uscc,
        300_000_000,
    )
    assert "60%" in record.description
    assert record.encumbrances is not None
    assert "（2026）豫1121执356号" in record.encumbrances
    assert "执88号" not in record.encumbrances
    assert "执9号" not in record.encumbrances


def test_registrations_are_listed_only_when_asked() -> None:
    asked = query_result(PERSON, [QueryCategory.BUSINESS_REGISTRATION], [HOLDING], [COMPANY], TODAY)
    (record,) = asked.records
    assert record.category is QueryCategory.BUSINESS_REGISTRATION
    assert "担任法定代表人的企业" in record.description
    not_asked = query_result(PERSON, [QueryCategory.REAL_ESTATE], [HOLDING], [COMPANY], TODAY)
    assert (not_asked.found, not_asked.records) == (False, ())


def test_an_enterprise_subject_sees_its_own_registration() -> None:
    subject = Subject(name=COMPANY.name, id_type=IdType.USCC, id_no=COMPANY.uscc)
    result = query_result(subject, [QueryCategory.BUSINESS_REGISTRATION], [], [COMPANY], TODAY)
    assert result.records[0].description.startswith("本企业：")


# --- control -------------------------------------------------------------------------------------


def test_a_freeze_runs_from_its_publication_to_the_end_the_court_set() -> None:
    request = control()  # start 2026-03-03, end 2029-03-02
    decision = decide_control(request, COMPANY, HOLDING, TODAY)
    answer = answered(request, decision)

    assert answer.result is ControlResult.CONTROLLED
    assert (answer.start, answer.end) == (TODAY, dt.date(2029, 3, 2))
    assert answer.amount == HOLDING.amount
    assert answer.registration_no == "GQDJ2026000009"
    assert f"已于{TODAY.isoformat()}在国家企业信用信息公示系统公示" in answer.note
    assert "轮候" not in answer.note


def test_a_freeze_starting_later_keeps_the_courts_start() -> None:
    request = control(start="2026-04-01", end="2029-03-31")
    decision = decide_control(request, COMPANY, HOLDING, TODAY)
    assert (decision.start, decision.end) == (dt.date(2026, 4, 1), dt.date(2029, 3, 31))


def test_a_second_freeze_from_another_case_waits_its_turn() -> None:
    earlier = freeze(case_no="（2025）豫1121执1194号", request_no="KZ1")
    holding = replace(HOLDING, freezes=(earlier,))
    decision = decide_control(control(), COMPANY, holding, TODAY)
    assert decision.controlled
    assert decision.ranks_behind == (earlier,)
    assert decision.note is not None
    assert "轮候冻结" in decision.note


def test_the_same_request_again_is_answered_from_its_registration() -> None:
    registered = freeze(request_no=control().request_no)
    holding = replace(HOLDING, freezes=(registered,))
    decision = decide_control(control(), COMPANY, holding, TODAY)
    assert (decision.repeated, decision.target) == (True, registered)
    assert (decision.start, decision.end) == (registered.start, registered.end)


@pytest.mark.parametrize(
    ("registration", "holding", "because"),
    [
        (None, None, "无统一社会信用代码为91411121MA45R8Q2XR的市场主体"),
        (replace(COMPANY, status="deregistered"), HOLDING, "已注销登记"),
        (COMPANY, None, "王建军未持有舞阳县兴达建材有限公司的股权"),
    ],
)
def test_equity_that_does_not_exist_is_not_controlled_and_the_answer_says_why(
    registration: Registration | None, holding: Holding | None, because: str
) -> None:
    request = control()
    answer = answered(request, decide_control(request, registration, holding, TODAY))
    assert answer.result is ControlResult.NOT_CONTROLLED
    assert because in answer.reason
    assert (answer.start, answer.end, answer.registration_no) == (None, None, None)


def test_the_office_registers_no_asset_but_equity() -> None:
    data = corpus_event("enforcement.control.requested.v1", "valid-seal-3-years")["data"]
    request = CATALOGUE["enforcement.control.requested.v1"].validate_payload(data)
    assert isinstance(request, EnforcementControlRequested)
    decision = decide_control(request, None, None, TODAY)
    assert decision.result is ControlResult.NOT_CONTROLLED
    assert decision.reason is not None
    assert "仅办理股权冻结" in decision.reason


def test_a_freeze_of_the_case_is_continued_to_the_new_end() -> None:
    imposed = freeze()
    holding = replace(HOLDING, freezes=(imposed,))
    request = control(
        action="continue_freeze",
        request_no="KZ2",
        previous_request_no=imposed.request_no,
        start="2029-03-03",
        end="2032-03-02",
    )
    decision = decide_control(request, COMPANY, holding, dt.date(2029, 2, 20))
    assert decision.controlled
    assert decision.target == imposed
    assert (decision.start, decision.end) == (dt.date(2029, 3, 3), dt.date(2032, 3, 2))


def test_a_continuation_without_a_freeze_of_the_case_in_force_is_refused() -> None:
    other_case = freeze(case_no="（2025）豫1121执1194号")
    holding = replace(HOLDING, freezes=(other_case,))
    request = control(
        action="continue_freeze", request_no="KZ2", start="2029-03-03", end="2032-03-02"
    )
    decision = decide_control(request, COMPANY, holding, TODAY)
    assert decision.result is ControlResult.NOT_CONTROLLED


def test_an_unfreeze_releases_the_cases_freeze_and_nothing_else() -> None:
    mine, theirs = freeze(freeze_id=1), freeze(case_no="（2025）豫1121执1194号", freeze_id=2)
    holding = replace(HOLDING, freezes=(theirs, mine))
    request = control(action="unfreeze", request_no="KZ3", start=None, end=None)
    decision = decide_control(request, COMPANY, holding, TODAY)
    answer = answered(request, decision)
    assert decision.target == mine
    assert answer.result is ControlResult.CONTROLLED
    assert (answer.start, answer.end) == (None, None)
    assert "解除冻结" in answer.note


def test_an_unfreeze_of_equity_not_frozen_by_the_case_is_refused() -> None:
    request = control(action="unfreeze", request_no="KZ3", start=None, end=None)
    decision = decide_control(request, COMPANY, HOLDING, TODAY)
    assert decision.result is ControlResult.NOT_CONTROLLED


def test_a_transfer_without_the_transferee_is_refused_with_what_is_missing() -> None:
    request = control(action="transfer_notice", request_no="KZ4", start=None, end=None)
    decision = decide_control(request, COMPANY, HOLDING, TODAY)
    assert decision.reason is not None
    assert "受让人" in decision.reason


# --- joint punishment and deregistration -------------------------------------------------------


def test_a_listed_person_is_barred_from_serving_and_told_where_they_serve() -> None:
    debtor = Debtor("natural", PERSON.name, "resident_id", PERSON.id_no)
    (serving,) = sanctions(debtor, None, [COMPANY])
    (idle,) = sanctions(debtor, None, [])
    assert serving.memo_article == idle.memo_article == OFFICER_BAN_ARTICLE
    assert "法定代表人" in serving.measure
    assert "现任1家企业法定代表人（舞阳县兴达建材有限公司）" in serving.result
    assert "现未担任" in idle.result


def test_a_listed_enterprise_is_publicised_and_supervised_more_closely() -> None:
    debtor = Debtor("legal", COMPANY.name, "uscc", COMPANY.uscc)
    registered = sanctions(debtor, COMPANY, [])
    assert isinstance(registered, tuple)
    assert [s.memo_article for s in registered] == [15, 12]
    assert "国家企业信用信息公示系统" in registered[0].result


def test_an_enterprise_the_office_has_not_registered_gets_no_measure_with_the_reason() -> None:
    debtor = Debtor("legal", COMPANY.name, "uscc", COMPANY.uscc)
    unknown = sanctions(debtor, None, [])
    assert isinstance(unknown, NoMeasure)
    assert unknown.reason is NoMeasureReason.NOT_IN_REGISTERS
    assert "无该市场主体" in unknown.detail


def test_the_deregistration_report_names_the_ruling_date_and_the_authority() -> None:
    data = corpus_event("bankruptcy.terminated.v1")["data"]
    terminated = CATALOGUE["bankruptcy.terminated.v1"].validate_payload(data)
    bankrupt = replace(COMPANY, uscc="91411121MA9F3K7L4C", name="舞阳县恒昌机械制造有限公司")
    report = deregistration_report(
        terminated, bankrupt, "舞阳县市场监督管理局", dt.date(2026, 10, 20)
    )
    assert (report.debtor.uscc, report.terminated_on, report.deregistered_on) == (
        "91411121MA9F3K7L4C",
        dt.date(2026, 10, 12),
        dt.date(2026, 10, 20),
    )
    early = deregistration_report(
        terminated, bankrupt, "舞阳县市场监督管理局", dt.date(2026, 10, 1)
    )
    assert early.deregistered_on == early.terminated_on  # never before the ruling
