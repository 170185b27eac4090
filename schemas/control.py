"""Enforcement control (执行控制): the court has a unit seal, freeze, release, deduct or transfer
an asset, and the unit reports whether the measure took effect.

Legal rules: 民诉法解释 (2022) art. 485 (maximum terms: deposits 1 year, movables 2 years, real
estate and other property rights 3 years), 民法典 arts 201–203 (counting the term).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from schemas.common import Fen, LongText, Name, Payload, Record, Subject, Text
from schemas.dates import IsoDate, add_years, not_before
from schemas.documents import AttachmentKind, Attachments, has_kind, required_documents
from schemas.enforcement import EnforcementCaseNo, Officer
from schemas.rules import json_rules, when


class ControlAction(StrEnum):
    """Measures of a control request (控制措施; registry codes 11/12/14/15 map to the seal ones)."""

    SEAL = "seal"
    CONTINUE_SEAL = "continue_seal"
    RELEASE = "release"
    FREEZE = "freeze"
    CONTINUE_FREEZE = "continue_freeze"
    UNFREEZE = "unfreeze"
    DEDUCT = "deduct"
    TRANSFER_NOTICE = "transfer_notice"
    """Service of the ruling transferring ownership (产权过户文书送达)."""


class AssetKind(StrEnum):
    """The kind of asset, which decides the legal maximum term of a measure."""

    DEPOSIT = "deposit"
    MOVABLE = "movable"
    VEHICLE = "vehicle"
    REAL_ESTATE = "real_estate"
    EQUITY = "equity"
    SECURITIES = "securities"
    OTHER_RIGHT = "other_right"


_TERM_RULE: Final = "民诉法解释 art. 485"
MAX_TERM: Final = MappingProxyType(
    {
        AssetKind.DEPOSIT: (1, "a freeze of bank deposits may last at most 1 year"),
        AssetKind.MOVABLE: (2, "a seal of movables may last at most 2 years"),
        AssetKind.VEHICLE: (2, "a seal of movables (vehicles) may last at most 2 years"),
        AssetKind.REAL_ESTATE: (3, "a seal of real estate may last at most 3 years"),
        AssetKind.EQUITY: (
            3,
            "a freeze of other property rights (equity) may last at most 3 years",
        ),
        AssetKind.SECURITIES: (3, "a freeze of other property rights may last at most 3 years"),
        AssetKind.OTHER_RIGHT: (3, "a freeze of other property rights may last at most 3 years"),
    }
)
"""Asset kind → (maximum term in years, the rule's wording)."""

_SEALABLE: Final = frozenset({AssetKind.REAL_ESTATE, AssetKind.MOVABLE, AssetKind.VEHICLE})
_FREEZABLE: Final = frozenset(AssetKind) - _SEALABLE
ACTION_ASSETS: Final = MappingProxyType(
    {
        ControlAction.SEAL: _SEALABLE,
        ControlAction.CONTINUE_SEAL: _SEALABLE,
        ControlAction.RELEASE: _SEALABLE,
        ControlAction.FREEZE: _FREEZABLE,
        ControlAction.CONTINUE_FREEZE: _FREEZABLE,
        ControlAction.UNFREEZE: _FREEZABLE,
        ControlAction.DEDUCT: frozenset({AssetKind.DEPOSIT}),
        ControlAction.TRANSFER_NOTICE: frozenset(AssetKind) - {AssetKind.DEPOSIT},
    }
)
"""Which asset kinds each action applies to."""
TERM_ACTIONS: Final = frozenset(
    {ControlAction.SEAL, ControlAction.CONTINUE_SEAL, ControlAction.FREEZE}
    | {ControlAction.CONTINUE_FREEZE}
)
"""Actions that impose a measure for a term (start and end required)."""


class Asset(Record):
    """The asset to control, identified as the unit registers it."""

    kind: AssetKind
    description: Text
    identifier: Text
    """不动产单元号 / 权证号, account number, plate number, the company's USCC for equity …"""
    owner: Subject
    """The debtor holding the asset."""


_TERMLESS: Final = [action for action in ControlAction if action not in TERM_ACTIONS]
_DOCUMENTS_RULE: Final = "民诉法 art. 253, 民诉法解释: the registry acts on the ruling and notice"
_DOCUMENTS_REQUIRED: Final = {
    "if": {
        "properties": {"action": {"enum": sorted(TERM_ACTIONS)}},
        "required": ["action"],
    },
    "then": {
        "required": ["attachments"],
        "properties": {
            "attachments": {
                "type": "array",
                "allOf": [
                    has_kind(AttachmentKind.RULING),
                    has_kind(AttachmentKind.ASSISTANCE_NOTICE),
                ],
            }
        },
    },
}


class EnforcementControlRequested(Payload):
    """The court asks one unit to seal, freeze, release, deduct or transfer an asset."""

    model_config = ConfigDict(
        json_schema_extra=json_rules(
            when("action", sorted(TERM_ACTIONS), require=["start", "end"]),
            when("action", _TERMLESS, forbid=["end"]),
            when("action", [ControlAction.DEDUCT], require=["amount"]),
            _DOCUMENTS_REQUIRED,
        )
    )
    event_type = "enforcement.control.requested.v1"
    request_no: Text
    """The court's control request number (控制请求单号)."""
    case_no: EnforcementCaseNo
    court: Name
    officer: Officer
    action: ControlAction
    asset: Asset
    ruling_no: Text
    """Number of the ruling ordering the measure (裁定书文号)."""
    previous_request_no: Text | None = None
    """For continue / release / unfreeze: the request that imposed the measure."""
    amount: Fen | None = Field(default=None, validate_default=True)
    """Amount to freeze or deduct, in fen."""
    start: IsoDate | None = Field(default=None, validate_default=True)
    end: IsoDate | None = Field(default=None, validate_default=True)
    reply_by: IsoDate | None = None
    """Overrides the default reply deadline (3 working days)."""
    office_notice_no: Text | None = None
    """The court's prior notice to the joint-meeting office (enforcement.key_enterprise.notified)
    when the asset is one a key enterprise runs its business on (舞政文〔2022〕56号 二(一)2)."""
    attachments: Attachments | None = Field(default=None, validate_default=True)
    """The documents served with the request (hub.documents holds their bytes); a measure
    imposed for a term needs its ruling (裁定书, numbered `ruling_no`) and 协助执行通知书."""

    @field_validator("attachments")
    @classmethod
    def _measure_has_documents(
        cls, value: Attachments | None, info: ValidationInfo
    ) -> Attachments | None:
        action, ruling_no = info.data.get("action"), info.data.get("ruling_no")
        if action in TERM_ACTIONS and isinstance(ruling_no, str):
            required_documents(value, ruling_no, rule=_DOCUMENTS_RULE)
        return value

    @field_validator("asset")
    @classmethod
    def _asset_fits_action(cls, value: Asset, info: ValidationInfo) -> Asset:
        action = info.data.get("action")
        if action is not None and value.kind not in ACTION_ASSETS[action]:
            kinds = ", ".join(sorted(ACTION_ASSETS[action]))
            raise ValueError(f"{action} applies to {kinds}, not to {value.kind}")
        return value

    @field_validator("amount")
    @classmethod
    def _deduction_has_amount(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is None and info.data.get("action") is ControlAction.DEDUCT:
            raise ValueError("a deduction (扣划) must state the amount in fen")
        return value

    @field_validator("start")
    @classmethod
    def _term_has_start(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        action = info.data.get("action")
        if value is None and action in TERM_ACTIONS:
            raise ValueError(f"{_TERM_RULE}: a {action} runs for a term; give its start date")
        return value

    @field_validator("end")
    @classmethod
    def _term_within_limit(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        action, asset, start = (info.data.get(k) for k in ("action", "asset", "start"))
        if action is not None and action not in TERM_ACTIONS:
            if value is not None:
                raise ValueError(f"a {action} has no term; leave end out")
            return value
        if value is None:
            if action is not None:
                raise ValueError(f"{_TERM_RULE}: a {action} runs for a term; give its end date")
            return value
        not_before(value, info, "start", rule="the term")
        if isinstance(asset, Asset) and isinstance(start, dt.date):
            years, wording = MAX_TERM[asset.kind]
            latest = add_years(start, years)
            if value > latest:
                raise ValueError(f"{_TERM_RULE}: {wording} (from {start}: until {latest})")
        return value


class ControlResult(StrEnum):
    """Outcome of a control request (registry code KZZT 1 / 2)."""

    CONTROLLED = "controlled"
    NOT_CONTROLLED = "not_controlled"


class EnforcementControlAnswered(Payload):
    """The unit's answer to a control request: done (with the effective period) or why not."""

    model_config = ConfigDict(
        json_schema_extra=json_rules(
            when(
                "result",
                [ControlResult.NOT_CONTROLLED],
                require=["reason"],
                forbid=["start", "end"],
            ),
            when("result", [ControlResult.CONTROLLED], forbid=["reason"]),
        )
    )
    event_type = "enforcement.control.answered.v1"
    request_no: Text
    case_no: EnforcementCaseNo
    answered_on: IsoDate
    result: ControlResult
    reason: Text | None = Field(default=None, validate_default=True)
    """Why the measure could not be taken (未能控制原因); only when not controlled."""
    registration_no: Text | None = None
    """The unit's registration or business number of the measure (业务号)."""
    amount: Fen | None = None
    """Amount actually frozen or deducted, in fen."""
    start: IsoDate | None = Field(default=None, validate_default=True)
    """Effective period of the measure as registered (措施始期 / 终期)."""
    end: IsoDate | None = Field(default=None, validate_default=True)
    note: LongText | None = None

    @field_validator("reason")
    @classmethod
    def _reason_iff_not_controlled(cls, value: str | None, info: ValidationInfo) -> str | None:
        result = info.data.get("result")
        if result is ControlResult.NOT_CONTROLLED and value is None:
            raise ValueError("not_controlled: give the reason (未能控制原因)")
        if result is ControlResult.CONTROLLED and value is not None:
            raise ValueError("controlled: reason is only for not_controlled; use note")
        return value

    @field_validator("start", "end")
    @classmethod
    def _period_only_when_controlled(
        cls, value: dt.date | None, info: ValidationInfo
    ) -> dt.date | None:
        if value is not None and info.data.get("result") is ControlResult.NOT_CONTROLLED:
            raise ValueError("not_controlled: no measure took effect, so no period")
        if info.field_name == "end":
            not_before(value, info, "start", rule="the effective period")
        return value
