"""Key enterprises (重点企业) and the court's care with measures against them (涉企审慎执行).

The joint-meeting office keeps the county's list of key enterprises (key projects, backbone and
leading private enterprises) and gives it to the court; before the court seals, freezes or seizes
an asset a listed enterprise runs its business on, it tells the office, which may advise a
lighter measure (活封: the enterprise keeps using the sealed plant) or coordinate a settlement.

Notice rules: 舞政文〔2022〕56号 二(一)2 ("慎用查封、扣押、冻结等保全措施，防止因违法违规适用
干扰企业正常生产经营活动"); 最高人民法院《关于在执行工作中进一步强化善意文明执行理念的意见》
(法发〔2019〕35号) arts 2–4 (活封, choosing the measure that least affects operations). The office
answers within 2 working days: the notice asks for a prior notice, not a veto, and a longer wait
would let assets be moved away (民诉法 art 103's urgency).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import ValidationInfo, field_validator

from schemas.common import Fen, LongText, Name, Payload, Record, Text
from schemas.control import AssetKind, ControlAction
from schemas.dates import IsoDate, not_before
from schemas.enforcement import EnforcementCaseNo
from schemas.identifiers import Uscc

if TYPE_CHECKING:
    import datetime as dt


class KeyReason(StrEnum):
    """Why the office lists an enterprise."""

    KEY_PROJECT = "key_project"
    """重点项目 (a provincial or county key construction project)."""
    BACKBONE = "backbone"
    """骨干企业 (a main employer or taxpayer of the county)."""
    LEADING_PRIVATE = "leading_private"
    """重点民营企业."""
    HIGH_TECH = "high_tech"
    """高新技术企业 / 专精特新."""
    OTHER = "other"


class KeyEnterprise(Record):
    """An enterprise on the office's list: a legal person, so its USCC is not personal data."""

    uscc: Uscc
    name: Name
    reason: KeyReason
    operating_assets: LongText | None = None
    """What its production depends on (plant, lines, the basic account …), as the office knows."""


class LinkageKeyEnterpriseListed(Payload):
    """The office puts an enterprise on the key-enterprise list (or renews its entry)."""

    event_type = "linkage.key_enterprise.listed.v1"
    list_no: Text
    """The office's list document, e.g. 舞府院办〔2026〕3号."""
    enterprise: KeyEnterprise
    listed_on: IsoDate
    until: IsoDate | None = None
    """End of the listing, when the list is for a period (a project's construction)."""

    @field_validator("until")
    @classmethod
    def _until_after_listing(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return not_before(value, info, "listed_on", rule="the listing's period")


class LinkageKeyEnterpriseDelisted(Payload):
    """The office takes an enterprise off the list."""

    event_type = "linkage.key_enterprise.delisted.v1"
    list_no: Text
    uscc: Uscc
    name: Name
    delisted_on: IsoDate
    reason: LongText


class EnforcementKeyEnterpriseNotified(Payload):
    """Before a measure on a listed enterprise's operating asset, the court tells the office."""

    event_type = "enforcement.key_enterprise.notified.v1"
    notice_no: Text
    """The court's notice number; the control request that follows names it."""
    case_no: EnforcementCaseNo
    court: Name
    enterprise: KeyEnterprise
    action: ControlAction
    asset_kind: AssetKind
    asset: Text
    """The asset as the registry knows it (不动产单元号, the production line, the account)."""
    ruling_no: Text
    amount: Fen | None = None
    """Amount to freeze, in fen, for a deposit."""
    notified_on: IsoDate
    planned_on: IsoDate
    """When the court intends to send the control request."""

    @field_validator("planned_on")
    @classmethod
    def _planned_after_notice(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        not_before(value, info, "notified_on", rule="the planned day")
        return value


class Advice(StrEnum):
    """The office's advice on a measure against a key enterprise."""

    NO_OBJECTION = "no_objection"
    LIVE_SEAL = "live_seal"
    """活封: seal, but let the enterprise keep using the asset."""
    SUBSTITUTE_ASSET = "substitute_asset"
    """Take another asset of equal value that production does not need."""
    COORDINATE_SETTLEMENT = "coordinate_settlement"
    """The office brings the parties together for a settlement (执行和解)."""


class EnforcementKeyEnterpriseAdvised(Payload):
    """The office's answer to a key-enterprise notice; the court decides, the office advises."""

    event_type = "enforcement.key_enterprise.advised.v1"
    notice_no: Text
    case_no: EnforcementCaseNo
    advice: Advice
    note: LongText | None = None
    advised_on: IsoDate
