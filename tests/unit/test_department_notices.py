"""What a department answers to the notices (通报): each answer is a valid catalogue payload and
follows the rule its docstring names."""

from __future__ import annotations

import datetime as dt
from typing import Any

from connectors.department import notices
from connectors.department.agency import AgencyOfficials
from schemas.catalogue import CATALOGUE
from schemas.common import Official
from schemas.notice import (
    DebtorStatus,
    PetitionOutcome,
    ReferralDirection,
    RiskLevel,
)
from tests.fixtures.corpus.loader import sample_data

TODAY = dt.date(2026, 12, 28)
OFFICIALS = AgencyOfficials(
    name="舞阳县自然资源局",
    principal=Official(name="陈立新", post="局长"),
    deputy=Official(name="周海涛", post="分管法制工作副局长"),
    staff=(Official(name="孙洁", post="法规股股长"),),
)


def _sample(event_type: str, sample: str = "basic", **changes: Any) -> Any:
    data = sample_data(event_type, sample)
    data.update(changes)
    return CATALOGUE[event_type].validate_payload(data)


def _round_trip(reply: Any) -> None:
    # What the desk sends must pass the hub's own strict validation.
    CATALOGUE[reply.event_type].validate_payload(reply.model_dump(mode="json", exclude_none=True))


def test_a_major_notice_gets_a_lead_and_a_task_force_an_ordinary_one_only_the_lead() -> None:
    major = _sample("notice.major_case.issued.v1")
    reply = notices.risk_response(major, TODAY, OFFICIALS)
    assert (reply.notice_no, reply.responded_on, len(reply.measures)) == (
        "舞法通〔2026〕5号",
        TODAY,
        2,
    )
    assert "136人" in reply.measures[1].measure
    _round_trip(reply)
    ordinary = _sample("notice.major_case.issued.v1", risk_level=RiskLevel.ORDINARY.value)
    assert len(notices.risk_response(ordinary, TODAY, OFFICIALS).measures) == 1


def test_the_prejudgment_acknowledgement_says_whether_the_reserve_covers_the_amount() -> None:
    notice = _sample("notice.prejudgment.issued.v1")  # 486 000 yuan
    covered = notices.prejudgment_acknowledgement(notice, TODAY, reserve_fen=notice.amount)
    short = notices.prejudgment_acknowledgement(notice, TODAY, reserve_fen=notice.amount - 1)
    assert (covered.funds_arranged, short.funds_arranged) == (True, False)
    assert "财政" in (short.position or "")
    assert covered.case_no == notice.case_no
    _round_trip(short)


def test_an_employer_and_a_superior_report_different_measures() -> None:
    servant = _sample("notice.public_debtor.notified.v1")
    reply = notices.public_debtor_measures(servant, TODAY)
    assert reply.case_no == servant.case_no
    assert "约谈王建军" in reply.measures[0]
    assert not reply.performed
    _round_trip(reply)
    organ = _sample(
        "notice.public_debtor.notified.v1",
        status=DebtorStatus.STATE_ORGAN.value,
        debtor=sample_data("nonlitigation.enforcement.applied.v1")["party"],
    )
    assert "责令" in notices.public_debtor_measures(organ, TODAY).measures[0]


def test_the_bureau_accepts_a_non_litigation_petition_and_turns_back_one_about_a_case() -> None:
    referral = _sample("notice.petition.referred.v1")
    accepted = notices.petition_handling(referral, TODAY)
    assert accepted.outcome is PetitionOutcome.ACCEPTED
    assert CATALOGUE["notice.petition.handled.v1"].is_interim(accepted.model_dump(mode="json"))
    about_a_case = _sample("notice.petition.referred.v1", case_no="（2026）豫1121民初88号")
    refused = notices.petition_handling(about_a_case, TODAY)
    assert refused.outcome is PetitionOutcome.NOT_ACCEPTED
    assert "（2026）豫1121民初88号" in (refused.reason or "")
    _round_trip(refused)
    to_court = _sample(
        "notice.petition.referred.v1",
        direction=ReferralDirection.TO_COURT.value,
        case_no="（2026）豫1121民初88号",
    )
    assert notices.petition_handling(to_court, TODAY).outcome is PetitionOutcome.ACCEPTED
