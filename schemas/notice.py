"""Notices (通报) between the court and the government: major and mass cases, financial risks,
problem housing projects, petition referrals, the court's notice before a judgment that makes an
agency pay, and the notice to a dishonest public servant's employer.

Legal and notice rules: 舞政文〔2022〕56号 二(一)5 (重大风险处置协调: 金融风险化解、问题楼盘处置);
长春新区 2020 二(三)4 (重大敏感、群体性案件 通报), 二(三)5 (涉诉信访, 诉访分离), 二(一)4
("负有金钱给付义务的，要在判决前通报行政机关"), 二(三)3 (强化对公职人员的信用监督);
《信访工作条例》 (2022) arts 24 (受理 within 15 days), 32 (办结 within 60 days of acceptance);
法释〔2017〕7号 art 8 (a dishonest 国家工作人员 is notified to the unit that employs them, a state
organ or state-owned enterprise to its superior or the body exercising the owner's rights).

Mass and risk notices carry counts, not people: the recipients coordinate the response, and a list
of the hundreds of buyers or depositors concerned is not needed for that (PIPL art 6, minimum
necessary); where a person must be named (a petitioner, a dishonest public servant) the type says
so and the routing table limits who receives the name and ID number.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Final

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from schemas.common import Fen, LongText, Name, Party, Payload, Record, Text, UnitRef
from schemas.dates import IsoDate, after
from schemas.identifiers import CaseNo
from schemas.rules import json_rules, when

if TYPE_CHECKING:
    import datetime as dt

_CHANGCHUN: Final = "长春新区 2020"


class RiskLevel(StrEnum):
    """How urgently the recipients must act (the issuing unit's assessment)."""

    ORDINARY = "ordinary"
    """一般: watch and report."""
    MAJOR = "major"
    """重大: coordinated handling needed."""
    URGENT = "urgent"
    """紧急: a mass incident or a run may be imminent."""


class MajorCaseKind(StrEnum):
    """Kinds of major sensitive or mass case (长春 二(三)4)."""

    COLLECTIVE_LAND_EXPROPRIATION = "collective_land_expropriation"
    """集体土地征收."""
    HOUSING_EXPROPRIATION = "housing_expropriation"
    """房屋征收."""
    MAJOR_GROUP_INTEREST = "major_group_interest"
    """涉及重大群体利益 (wage arrears, pensions, school or hospital closures …)."""


class _RiskNotice(Payload):
    """What every major-case and risk notice says: who issues it, about what, how many people are
    concerned, and by when the issuer expects a response."""

    notice_no: Text
    """The issuer's number of the notice, e.g. 舞法通〔2026〕5号."""
    issuer: UnitRef
    """The court or the agency that gives notice (the notice runs both ways, 舞阳 二(一)5)."""
    title: Text
    summary: LongText
    """What happened and what the issuer asks of the recipients (no list of the people
    concerned)."""
    risk_level: RiskLevel
    people_concerned: int = Field(ge=0, strict=True)
    """How many people are concerned (purchasers, depositors, villagers …), a count only."""
    case_nos: tuple[CaseNo, ...] = ()
    """Court cases the notice is about, if any."""
    issued_on: IsoDate
    respond_by: IsoDate | None = None
    """When the issuer needs the recipients' response; without it the routing table's default."""

    @field_validator("respond_by")
    @classmethod
    def _respond_after_issue(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return after(value, info, "issued_on", rule="respond_by")


class NoticeMajorCaseIssued(_RiskNotice):
    """A major sensitive or mass case (重大敏感、群体性案件) is notified between the court and the
    government before it escalates (长春 二(三)4)."""

    event_type = "notice.major_case.issued.v1"
    kind: MajorCaseKind
    location: Text | None = None
    """Village, street or project concerned."""


class NoticeFinancialRiskIssued(_RiskNotice):
    """A financial risk (金融风险: illegal fund-raising, a lender in distress, mass loan defaults)
    is notified for joint handling (舞阳 二(一)5 金融风险化解)."""

    event_type = "notice.financial_risk.issued.v1"
    institution: Name
    """The institution or enterprise the risk arises from."""
    amount_at_risk: Fen | None = None
    """Amount concerned, in fen, when known."""


class NoticeHousingProjectIssued(_RiskNotice):
    """A problem housing project (问题楼盘: stalled, undelivered, certificates withheld) is
    notified for joint handling (舞阳 二(一)5 问题楼盘处置)."""

    event_type = "notice.housing_project.issued.v1"
    project: Name
    """The project's name, e.g. 舞阳县某某花园二期."""
    developer: Name
    units_affected: int = Field(ge=0, strict=True)
    """Dwellings sold and not delivered or without certificates."""


class RiskMeasure(Record):
    measure: LongText
    responsible: Name | None = None
    """The unit or office that carries the measure out."""


class NoticeRiskResponded(Payload):
    """A recipient's response to a major-case, financial-risk or housing-project notice: what it
    has done or will do (处置措施)."""

    event_type = "notice.risk.responded.v1"
    notice_no: Text
    responded_on: IsoDate
    measures: tuple[RiskMeasure, ...] = Field(min_length=1)
    summary: LongText | None = None


# --- 涉诉信访 ----------------------------------------------------------------------------------


class ReferralDirection(StrEnum):
    """诉访分离 (长春 二(三)5): each side passes on what belongs to the other."""

    TO_PETITION_BUREAU = "to_petition_bureau"
    """The court passes on a petition that no court procedure can settle (non-litigation matter)."""
    TO_COURT = "to_court"
    """The petition bureau passes on a petition about a case (涉诉信访, 依法导入诉讼程序)."""


class NoticePetitionReferred(Payload):
    """A petition is referred between the court and the petition bureau (涉诉信访 / 诉访分离)."""

    event_type = "notice.petition.referred.v1"
    referral_no: Text
    direction: ReferralDirection
    petitioner: Party
    """The petitioner; the receiving side registers and contacts them (信访工作条例 art 24)."""
    petitioners_count: int = Field(default=1, ge=1, strict=True)
    """People petitioning together (集体访); only the representative is named."""
    matter: LongText
    """What the petition asks."""
    case_no: CaseNo | None = None
    """The case the petition concerns, if any."""
    received_on: IsoDate
    """When the referring side received the petition."""
    referred_on: IsoDate

    @field_validator("referred_on")
    @classmethod
    def _referred_after_receipt(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        received = info.data.get("received_on")
        if received is not None and value < received:
            raise ValueError(f"referred_on must not be before received_on ({received})")
        return value


class PetitionOutcome(StrEnum):
    ACCEPTED = "accepted"
    """受理, handling under way (interim: the referral stays open until it is concluded)."""
    CONCLUDED = "concluded"
    """办结 (信访工作条例 art 32)."""
    NOT_ACCEPTED = "not_accepted"
    """不予受理, with the reason and where the petitioner was directed."""


class NoticePetitionHandled(Payload):
    """The receiving side reports how it handled a referred petition."""

    model_config = ConfigDict(
        json_schema_extra=json_rules(
            when("outcome", [PetitionOutcome.NOT_ACCEPTED], require=["reason"]),
        )
    )
    event_type = "notice.petition.handled.v1"
    referral_no: Text
    outcome: PetitionOutcome
    handled_on: IsoDate
    result: LongText | None = None
    """The handling opinion (处理意见) when concluded."""
    reason: LongText | None = Field(default=None, validate_default=True)
    """Why not accepted, and where the petitioner was directed (信访工作条例 art 24)."""

    @field_validator("reason")
    @classmethod
    def _refusal_reasoned(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("outcome") is PetitionOutcome.NOT_ACCEPTED and value is None:
            raise ValueError("信访工作条例 art 24: a petition not accepted states why")
        return value


# --- 判决前通报 --------------------------------------------------------------------------------


class NoticePrejudgmentIssued(Payload):
    """Before a judgment that makes an agency pay (负有金钱给付义务), the court tells the agency,
    so that it can state its position and provide for the payment (长春 二(一)4)."""

    event_type = "notice.prejudgment.issued.v1"
    case_no: CaseNo
    court: Name
    agency: UnitRef
    """The agency that will owe the payment."""
    liability: LongText
    """What the agency is expected to owe and on what ground (no party's identity is needed)."""
    amount: Fen
    """Expected amount, in fen."""
    issued_on: IsoDate
    judgment_expected_on: IsoDate | None = None
    """When the court intends to pronounce; the agency's position is due before it."""

    @field_validator("judgment_expected_on")
    @classmethod
    def _judgment_after_notice(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return after(value, info, "issued_on", rule=f"{_CHANGCHUN} 二(一)4: judgment_expected_on")


class NoticePrejudgmentAcknowledged(Payload):
    """The agency acknowledges the pre-judgment notice and may state its position (意见)."""

    event_type = "notice.prejudgment.acknowledged.v1"
    case_no: CaseNo
    acknowledged_on: IsoDate
    position: LongText | None = None
    """The agency's position on the liability, if it states one."""
    funds_arranged: bool
    """Whether the agency has provided for the payment in its budget (预算安排)."""


# --- 公职人员失信通报 --------------------------------------------------------------------------


class DebtorStatus(StrEnum):
    PUBLIC_SERVANT = "public_servant"
    """国家工作人员: notified to their employer and the related bodies (法释〔2017〕7号 art 8)."""
    STATE_ORGAN = "state_organ"
    """国家机关、事业单位、国有企业: notified to its superior or owner (法释〔2017〕7号 art 8)."""


class NoticePublicDebtorNotified(Payload):
    """The court tells a dishonest debtor's employer or superior that the debtor is listed
    (长春 二(三)3 强化对公职人员的信用监督)."""

    model_config = ConfigDict(
        json_schema_extra=json_rules(
            when("status", [DebtorStatus.PUBLIC_SERVANT], require=["post"]),
        )
    )
    event_type = "notice.public_debtor.notified.v1"
    case_no: CaseNo
    court: Name
    debtor: Party
    """The listed debtor; the employer identifies its employee by name and ID number."""
    status: DebtorStatus
    employer: UnitRef
    """The employing unit, superior or owner body notified."""
    post: Text | None = Field(default=None, validate_default=True)
    """The public servant's post, as the court knows it."""
    listed_on: IsoDate
    """Date of the listing decision (失信决定书)."""
    obligation: LongText
    """What the judgment requires and is not performed."""
    amount_unperformed: Fen | None = None
    notified_on: IsoDate

    @field_validator("post")
    @classmethod
    def _post_of_servant(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("status") is DebtorStatus.PUBLIC_SERVANT and value is None:
            raise ValueError("法释〔2017〕7号 art 8: name the public servant's post")
        return value

    @field_validator("notified_on")
    @classmethod
    def _notified_after_listing(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        listed = info.data.get("listed_on")
        if listed is not None and value < listed:
            raise ValueError(f"notified_on must not be before listed_on ({listed})")
        return value


class NoticePublicDebtorMeasureReported(Payload):
    """The employer or superior reports the measure taken (督促履行, 组织处理, 纪律处分 …)."""

    event_type = "notice.public_debtor.measure.reported.v1"
    case_no: CaseNo
    reported_on: IsoDate
    measures: tuple[LongText, ...] = Field(min_length=1)
    performed: bool
    """Whether the debtor has since performed (the court then considers delisting)."""
