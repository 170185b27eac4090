"""What a county unit answers to the notices (通报) it receives. Pure: payloads in, payloads out.

Rules followed: a risk notice gets the unit's handling measures (舞政文〔2022〕56号 二(一)5); the
agency that will owe money under a judgment acknowledges the pre-judgment notice and says whether
the payment is provided for (长春新区 2020 二(一)4); an employer or superior reports what it did
about its dishonest public servant or subordinate body (法释〔2017〕7号 art 8); the petition bureau
accepts a non-litigation petition and turns away one that belongs in court (诉访分离,
《信访工作条例》 art 24).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from schemas.notice import (
    DebtorStatus,
    NoticePetitionHandled,
    NoticePetitionReferred,
    NoticePrejudgmentAcknowledged,
    NoticePrejudgmentIssued,
    NoticePublicDebtorMeasureReported,
    NoticePublicDebtorNotified,
    NoticeRiskResponded,
    PetitionOutcome,
    ReferralDirection,
    RiskLevel,
    RiskMeasure,
)

if TYPE_CHECKING:
    import datetime as dt

    from connectors.department.agency import AgencyOfficials
    from schemas.notice import (
        NoticeFinancialRiskIssued,
        NoticeHousingProjectIssued,
        NoticeMajorCaseIssued,
    )

    RiskNotice = NoticeMajorCaseIssued | NoticeFinancialRiskIssued | NoticeHousingProjectIssued


def risk_response(
    notice: RiskNotice, today: dt.date, officials: AgencyOfficials
) -> NoticeRiskResponded:
    """The unit's measures: a lead for every notice, a standing task force when it is major or
    urgent (the issuer expects joint handling, not a reading receipt)."""
    measures = [
        RiskMeasure(
            measure=f"由{officials.deputy.post}{officials.deputy.name}牵头，按职责核查“{notice.title}”"
            "所涉事项并与通报单位会商",
            responsible=officials.name,
        )
    ]
    if notice.risk_level is not RiskLevel.ORDINARY:
        measures.append(
            RiskMeasure(
                measure=f"成立工作专班，对涉及的{notice.people_concerned}人逐一稳控化解，每周报送进展",
                responsible=officials.name,
            )
        )
    return NoticeRiskResponded(
        notice_no=notice.notice_no, responded_on=today, measures=tuple(measures)
    )


def prejudgment_acknowledgement(
    notice: NoticePrejudgmentIssued, today: dt.date, *, reserve_fen: int
) -> NoticePrejudgmentAcknowledged:
    """Acknowledge; the payment is provided for when the unit's reserve for litigation covers it,
    otherwise the unit says it will apply to the finance bureau for the funds."""
    covered = notice.amount <= reserve_fen
    position = (
        "已在本年度预算中安排相应资金，判决生效后依法履行"
        if covered
        else "现有预算不足以支付，已向县财政局申请追加预算，判决生效后依法履行"
    )
    return NoticePrejudgmentAcknowledged(
        case_no=notice.case_no, acknowledged_on=today, position=position, funds_arranged=covered
    )


def public_debtor_measures(
    notice: NoticePublicDebtorNotified, today: dt.date
) -> NoticePublicDebtorMeasureReported:
    """An employer talks to its servant and suspends honours; a superior orders its subordinate
    body to perform within a term and counts it in the yearly assessment."""
    if notice.status is DebtorStatus.PUBLIC_SERVANT:
        measures = (
            f"约谈{notice.debtor.name}，督促其自觉履行{notice.case_no}生效法律文书确定的义务",
            "履行完毕前暂停其评优评先资格，并将情况通报纪检监察机构",
        )
    else:
        measures = (
            f"责令{notice.debtor.name}限期履行{notice.case_no}生效法律文书确定的义务",
            "将履行情况纳入年度目标考核",
        )
    return NoticePublicDebtorMeasureReported(
        case_no=notice.case_no, reported_on=today, measures=measures, performed=False
    )


def petition_handling(referral: NoticePetitionReferred, today: dt.date) -> NoticePetitionHandled:
    """The petition bureau accepts a non-litigation petition (an interim answer: the referral
    stays open until it is concluded); one about a case is turned back to the court's procedure.
    The court, receiving a petition about a case, accepts it into its 涉诉信访 handling."""
    if referral.direction is ReferralDirection.TO_PETITION_BUREAU and referral.case_no is not None:
        return NoticePetitionHandled(
            referral_no=referral.referral_no,
            outcome=PetitionOutcome.NOT_ACCEPTED,
            handled_on=today,
            reason=f"所涉事项属于{referral.case_no}案件的诉讼程序，应依法通过诉讼途径解决",
        )
    return NoticePetitionHandled(
        referral_no=referral.referral_no, outcome=PetitionOutcome.ACCEPTED, handled_on=today
    )
