"""Police linkage (公安协作): locating a debtor or a vehicle (查人找物), exit control (限制出境) and
the referral of a refusal to perform (拒执) or an asset transfer to the police, each with the
police's answer.

Legal and notice rules: 舞政文〔2022〕56号 二(一)4 ("加大对被执行人逃避执行、转移财产等行为的
打击力度"); 长春新区 2020 二(三)3 (健全查找被执行人协作联动机制); 民事诉讼法 (2023) art 266 and
出境入境管理法 art 12 (3) (a citizen with an unfinished civil case whom the court has decided may
not leave the country is refused exit); 刑法 arts 313 (拒不执行判决、裁定罪), 314 (非法处置查封、
扣押、冻结的财产罪); 法释〔2015〕16号 art 3 (when the police does not file a refusal case, the
applicant may bring a private prosecution, 自诉).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Final

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from schemas.common import Fen, LongText, Name, Party, Payload, Phone, Record, Subject, Text
from schemas.dates import IsoDate, Timestamp, not_before
from schemas.enforcement import EnforcementCaseNo, Officer
from schemas.identifiers import IdType
from schemas.rules import json_rules, when

if TYPE_CHECKING:
    import datetime as dt

_PLATE_RE: Final = (
    r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z]"
    r"[A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警]$"
)
PlateNo = Annotated[str, Field(pattern=_PLATE_RE, description="motor-vehicle plate (号牌号码)")]


PERSON_ID_TYPES: Final = (IdType.RESIDENT_ID, IdType.PASSPORT, IdType.OTHER)
"""How a natural person is identified; a watch or an exit restriction is on a person, never on an
organisation (whose legal representative is named instead)."""
_PERSON_RULE: Final = {
    "properties": {
        "person": {"properties": {"id_type": {"enum": [str(t) for t in PERSON_ID_TYPES]}}}
    }
}


def _natural(value: Subject | None) -> Subject | None:
    if value is not None and value.id_type not in PERSON_ID_TYPES:
        raise ValueError(f"a person is identified by one of {', '.join(PERSON_ID_TYPES)}")
    return value


def _required_when(
    value: object, info: ValidationInfo, field: str, values: frozenset[str], rule: str
) -> object:
    if value is None and info.data.get(field) in values:
        raise ValueError(rule)
    return value


# --- 查人找物 ---------------------------------------------------------------------------------


class LocateTarget(StrEnum):
    PERSON = "person"
    """The debtor (or its legal representative) whose whereabouts are unknown."""
    VEHICLE = "vehicle"
    """A sealed or seizable motor vehicle of the debtor that cannot be found."""


class WatchMode(StrEnum):
    STANDING = "standing"
    """布控: a standing watch in the police systems (checkpoints, hotels, plate cameras)."""
    TEMPORARY = "temporary"
    """临控: a temporary watch for a short period (a known trip, an imminent sale)."""


class Vehicle(Record):
    plate_no: PlateNo
    vin: Annotated[str, Field(pattern=r"^[A-HJ-NPR-Z0-9]{17}$")] | None = None
    """Vehicle identification number (车辆识别代号, GB 16735), if known."""
    owner: Subject
    """The registered owner (the debtor)."""


class PoliceLocateRequested(Payload):
    """The court asks the police to find a debtor or a vehicle (查人找物, 长春 二(三)3)."""

    model_config = ConfigDict(
        json_schema_extra=json_rules(
            when("target", [LocateTarget.PERSON], require=["person"], forbid=["vehicle"]),
            when("target", [LocateTarget.VEHICLE], require=["vehicle"], forbid=["person"]),
            _PERSON_RULE,
        )
    )
    event_type = "police.locate.requested.v1"
    request_no: Text
    case_no: EnforcementCaseNo
    court: Name
    officer: Officer
    officer_phone: Phone
    """Whom the police calls on a sighting."""
    decision_no: Text
    """The court's ruling or decision (裁定书/决定书) the watch serves, e.g. a 拘留决定书 or the
    seal of the vehicle."""
    target: LocateTarget
    person: Subject | None = None
    vehicle: Vehicle | None = Field(default=None, validate_default=True)
    mode: WatchMode
    start: IsoDate
    end: IsoDate
    """Last day of the watch; the police's final answer is due by then."""
    seize: bool = False
    """Whether the police is to hold the vehicle (扣押) for the court when it finds it."""

    _person_is_natural = field_validator("person")(_natural)

    @field_validator("vehicle")
    @classmethod
    def _target_described(cls, value: Vehicle | None, info: ValidationInfo) -> Vehicle | None:
        if "person" not in info.data:  # an invalid person has its own error
            return value
        target, person = info.data.get("target"), info.data["person"]
        if target is LocateTarget.PERSON and (person is None or value is not None):
            raise ValueError("a person is located by `person` alone")
        if target is LocateTarget.VEHICLE and (value is None or person is not None):
            raise ValueError("a vehicle is located by `vehicle` alone")
        return value

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        not_before(value, info, "start", rule="the watch's end")
        return value


class LocateOutcome(StrEnum):
    SIGHTED = "sighted"
    """Seen at a place and time (interim: the watch goes on)."""
    LOCATED = "located"
    """Found; the court takes over (the watch ends)."""
    SEIZED = "seized"
    """The vehicle is held for the court (the watch ends)."""
    NOT_FOUND = "not_found"
    """The watch ended without a finding."""


_SEEN: Final = frozenset({LocateOutcome.SIGHTED, LocateOutcome.LOCATED, LocateOutcome.SEIZED})


class PoliceLocateAnswered(Payload):
    """The police reports a sighting, a finding, a seizure, or that the watch found nothing."""

    model_config = ConfigDict(
        json_schema_extra=json_rules(when("outcome", sorted(_SEEN), require=["place", "seen_at"]))
    )
    event_type = "police.locate.answered.v1"
    request_no: Text
    outcome: LocateOutcome
    answered_on: IsoDate
    place: Text | None = Field(default=None, validate_default=True)
    seen_at: Timestamp | None = Field(default=None, validate_default=True)
    remarks: LongText | None = None

    @field_validator("place", "seen_at")
    @classmethod
    def _where_and_when(cls, value: object, info: ValidationInfo) -> object:
        return _required_when(value, info, "outcome", _SEEN, "a sighting states place and time")


# --- 限制出境 ---------------------------------------------------------------------------------


class ExitAction(StrEnum):
    RESTRICT = "restrict"
    """限制出境 (民诉法 art 266; 出境入境管理法 art 12 (3))."""
    LIFT = "lift"
    """解除限制出境 once the debtor has performed or given security."""


class ExitCapacity(StrEnum):
    DEBTOR = "debtor"
    LEGAL_REP = "legal_rep"
    """The legal representative, person in charge or responsible person of a debtor unit."""


class PoliceExitControlRequested(Payload):
    """The court asks the exit-entry administration to refuse, or again allow, a person's exit."""

    model_config = ConfigDict(
        json_schema_extra=json_rules(
            when("action", [ExitAction.LIFT], require=["previous_request_no"]),
            when("capacity", [ExitCapacity.LEGAL_REP], require=["debtor_unit"]),
            _PERSON_RULE,
        )
    )
    event_type = "police.exit_control.requested.v1"
    request_no: Text
    case_no: EnforcementCaseNo
    court: Name
    officer: Officer
    decision_no: Text
    """The 限制出境决定书 (or the decision lifting it)."""
    action: ExitAction
    person: Subject
    capacity: ExitCapacity = ExitCapacity.DEBTOR
    debtor_unit: Name | None = Field(default=None, validate_default=True)
    """The debtor unit a legal representative is restricted for."""
    decided_on: IsoDate
    until: IsoDate | None = None
    """End of the restriction, if the decision fixes one (else until lifted)."""
    previous_request_no: Text | None = Field(default=None, validate_default=True)
    """The restriction a lift ends."""

    _person_is_natural = field_validator("person")(_natural)

    @field_validator("debtor_unit")
    @classmethod
    def _unit_named(cls, value: str | None, info: ValidationInfo) -> str | None:
        caps = frozenset({ExitCapacity.LEGAL_REP})
        _required_when(value, info, "capacity", caps, "name the debtor unit of a legal_rep")
        return value

    @field_validator("until")
    @classmethod
    def _until_after_decision(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return not_before(value, info, "decided_on", rule="the restriction's end")

    @field_validator("previous_request_no")
    @classmethod
    def _lift_names_restriction(cls, value: str | None, info: ValidationInfo) -> str | None:
        lift = frozenset({ExitAction.LIFT})
        _required_when(value, info, "action", lift, "a lift names the restriction it ends")
        return value


class ExitOutcome(StrEnum):
    ENTERED = "entered"
    """Entered into the border-control system (边控系统); in force from `effective_on`."""
    LIFTED = "lifted"
    REFUSED = "refused"
    """Not entered, with the reason (wrong identity, missing decision …)."""


class PoliceExitControlAnswered(Payload):
    model_config = ConfigDict(
        json_schema_extra=json_rules(
            when("outcome", [ExitOutcome.REFUSED], require=["reason"]),
            when("outcome", [ExitOutcome.ENTERED, ExitOutcome.LIFTED], require=["effective_on"]),
        )
    )
    event_type = "police.exit_control.answered.v1"
    request_no: Text
    outcome: ExitOutcome
    answered_on: IsoDate
    effective_on: IsoDate | None = Field(default=None, validate_default=True)
    reason: LongText | None = Field(default=None, validate_default=True)

    @field_validator("effective_on")
    @classmethod
    def _effective_stated(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        done = frozenset({ExitOutcome.ENTERED, ExitOutcome.LIFTED})
        _required_when(value, info, "outcome", done, "state when the control takes effect")
        return value

    @field_validator("reason")
    @classmethod
    def _refusal_reasoned(cls, value: str | None, info: ValidationInfo) -> str | None:
        refused = frozenset({ExitOutcome.REFUSED})
        _required_when(value, info, "outcome", refused, "a refusal states its reason")
        return value


# --- 拒执罪移送 -------------------------------------------------------------------------------


class Offence(StrEnum):
    REFUSAL = "refusal"
    """拒不执行判决、裁定罪 (刑法 art 313), incl. hiding or transferring assets (转移财产)."""
    DISPOSAL_OF_SEALED = "disposal_of_sealed"
    """非法处置查封、扣押、冻结的财产罪 (刑法 art 314)."""


class ReferralEvidence(Record):
    title: Text
    """What the item is, e.g. 财产报告令送达回证, 房屋买卖合同."""
    pages: int | None = Field(default=None, ge=1, strict=True)


class PoliceRefusalReferred(Payload):
    """The court refers a debtor's refusal to perform, or the transfer or disposal of its
    assets, to the police as a suspected crime (舞阳 二(一)4)."""

    event_type = "police.refusal.referred.v1"
    referral_no: Text
    case_no: EnforcementCaseNo
    court: Name
    offence: Offence
    suspect: Party
    """The debtor; a unit is prosecuted with its persons in charge (刑法 art 313 (2))."""
    facts: LongText
    assets_transferred: Fen | None = None
    """Value of the assets hidden, transferred or disposed of, in fen, when known."""
    evidence: tuple[ReferralEvidence, ...] = Field(min_length=1)
    judgment_effective_on: IsoDate
    """The judgment or ruling the debtor refuses became effective on this day."""
    referred_on: IsoDate

    @field_validator("referred_on")
    @classmethod
    def _after_judgment(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        not_before(value, info, "judgment_effective_on", rule="刑法 art 313: the referral")
        return value


class RefusalOutcome(StrEnum):
    FILED = "filed"
    """立案: a criminal case is opened (立案决定书)."""
    NOT_FILED = "not_filed"
    """不予立案, with the reason; the applicant may then prosecute privately (法释〔2015〕16号
    art 3) and the court may take the case as a 自诉."""
    TRANSFERRED = "transferred"
    """The investigated case is transferred to the procuratorate for prosecution (移送审查起诉)."""


class PoliceRefusalHandled(Payload):
    model_config = ConfigDict(
        json_schema_extra=json_rules(
            when("outcome", [RefusalOutcome.FILED], require=["police_case_no"]),
            when("outcome", [RefusalOutcome.NOT_FILED], require=["reason"]),
            when("outcome", [RefusalOutcome.TRANSFERRED], require=["procuratorate"]),
        )
    )
    event_type = "police.refusal.handled.v1"
    referral_no: Text
    outcome: RefusalOutcome
    handled_on: IsoDate
    police_case_no: Text | None = Field(default=None, validate_default=True)
    """Number of the 立案决定书."""
    reason: LongText | None = Field(default=None, validate_default=True)
    procuratorate: Name | None = Field(default=None, validate_default=True)

    @field_validator("police_case_no", "reason", "procuratorate")
    @classmethod
    def _outcome_detailed(cls, value: str | None, info: ValidationInfo) -> str | None:
        needs = {
            "police_case_no": RefusalOutcome.FILED,
            "reason": RefusalOutcome.NOT_FILED,
            "procuratorate": RefusalOutcome.TRANSFERRED,
        }[str(info.field_name)]
        _required_when(
            value, info, "outcome", frozenset({needs}), f"{needs} needs {info.field_name}"
        )
        return value
