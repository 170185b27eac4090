"""What the police answers, from its records. Pure: records and dates in, payloads out.

- 查人找物: a trace inside the watch period finds the debtor or the vehicle. In the county the
  police acts on it (`located`, or `seized` when the court asked for the vehicle to be held); a
  trace elsewhere is reported as a `sighting` (interim: the watch goes on and the court may ask
  the police of that place). No trace yet: no answer, the watch goes on (`watch_answer` reports
  each newer trace, and `not_found` on the watch's last day). Someone or something the registers
  do not know cannot be watched: `not_found` at once, saying why.
- 限制出境: a restriction on a person the household register knows (or a passport holder, whom it
  cannot know) is entered from the day it is answered; a lift ends the restriction it names.
- Inquiry (执行查询, category `vehicle`): the motor vehicles registered to each subject (车管所),
  with a seal or seizure already registered on them.
- 拒执 referrals: filed as a criminal case when the referral lists the judgment and at least one
  piece of evidence of the conduct; otherwise not filed, with the reason (the applicant may then
  prosecute privately, 法释〔2015〕16号 art 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from schemas.dates import china_date
from schemas.enforcement import AssetRecord, QueryCategory, QueryResult
from schemas.identifiers import IdType
from schemas.police import (
    ExitAction,
    ExitOutcome,
    LocateOutcome,
    LocateTarget,
    PoliceExitControlAnswered,
    PoliceLocateAnswered,
    PoliceRefusalHandled,
    RefusalOutcome,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from schemas.common import Subject
    from schemas.police import (
        PoliceExitControlRequested,
        PoliceLocateRequested,
        PoliceRefusalReferred,
    )

COUNTY: Final = "舞阳县"
"""Places in the county are the bureau's own: it acts on a trace there."""
MIN_EVIDENCE: Final = 2
"""The judgment (with proof it is effective) and at least one item on the conduct itself."""


@dataclass(frozen=True, slots=True)
class Trace:
    place: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Person:
    id_no: str
    name: str
    household: str
    trace: Trace | None = None


@dataclass(frozen=True, slots=True)
class VehicleRecord:
    plate_no: str
    vin: str
    owner_id_no: str
    owner_name: str
    model: str
    state: str
    trace: Trace | None = None


@dataclass(frozen=True, slots=True)
class Control:
    request_no: str
    id_no: str
    state: str


VEHICLE_BURDENS: Final = {"sealed": "已登记查封", "seized": "已扣押"}


# --- 执行查询: vehicles ---------------------------------------------------------------------


def vehicle_record(vehicle: VehicleRecord) -> AssetRecord:
    return AssetRecord(
        category=QueryCategory.VEHICLE,
        description=f"机动车：{vehicle.model}，车辆识别代号{vehicle.vin}",
        identifier=vehicle.plate_no,
        encumbrances=VEHICLE_BURDENS.get(vehicle.state),
    )


def vehicle_query_result(subject: Subject, owned: Sequence[VehicleRecord]) -> QueryResult:
    """The vehicles registered to `subject`, or not found."""
    records = tuple(vehicle_record(vehicle) for vehicle in owned)
    return QueryResult(subject=subject, found=bool(records), records=records)


# --- 查人找物 ---------------------------------------------------------------------------------


def _in_watch(trace: Trace | None, request: PoliceLocateRequested, today: dt.date) -> bool:
    if trace is None:
        return False
    day = china_date(trace.at)
    return request.start <= day <= min(request.end, today)


def _seen(
    request: PoliceLocateRequested, trace: Trace, outcome: LocateOutcome, today: dt.date
) -> PoliceLocateAnswered:
    return PoliceLocateAnswered(
        request_no=request.request_no,
        outcome=outcome,
        answered_on=today,
        place=trace.place,
        seen_at=trace.at,
    )


def _unknown(request: PoliceLocateRequested, why: str, today: dt.date) -> PoliceLocateAnswered:
    return PoliceLocateAnswered(
        request_no=request.request_no,
        outcome=LocateOutcome.NOT_FOUND,
        answered_on=today,
        remarks=why,
    )


def locate_answer(
    request: PoliceLocateRequested,
    person: Person | None,
    vehicle: VehicleRecord | None,
    today: dt.date,
) -> PoliceLocateAnswered | None:
    """The answer to a watch from what the registers hold; None while the watch goes on."""
    if request.target is LocateTarget.PERSON:
        if person is None:
            return _unknown(request, "户籍系统无该身份证号码登记，无法布控，请核实身份信息", today)
        trace, found = person.trace, LocateOutcome.LOCATED
    else:
        wanted = request.vehicle
        if vehicle is None or wanted is None:
            return _unknown(request, "机动车登记系统无该号牌登记，无法布控", today)
        if vehicle.owner_id_no != wanted.owner.id_no:
            return _unknown(request, "该号牌登记车主与请求所列车主不符，请核实", today)
        trace = vehicle.trace
        found = LocateOutcome.SEIZED if request.seize else LocateOutcome.LOCATED
    if trace is None or not _in_watch(trace, request, today):
        return None
    outcome = found if COUNTY in trace.place else LocateOutcome.SIGHTED
    return _seen(request, trace, outcome, today)


def watch_answer(
    request: PoliceLocateRequested,
    person: Person | None,
    vehicle: VehicleRecord | None,
    today: dt.date,
    reported_until: dt.datetime | None = None,
) -> PoliceLocateAnswered | None:
    """What a running watch has to report today: a trace newer than `reported_until` (the latest
    one already reported), else, on the watch's last day, that nothing was found; else None."""
    answer = locate_answer(request, person, vehicle, today)
    seen = None if answer is None else answer.seen_at
    if seen is not None and reported_until is not None and seen <= reported_until:
        answer = None
    if answer is None and today >= request.end:
        span = f"{request.start.isoformat()}至{request.end.isoformat()}"
        return _unknown(request, f"布控期间（{span}）未发现", today)
    return answer


# --- 限制出境 ---------------------------------------------------------------------------------


def exit_answer(
    request: PoliceExitControlRequested,
    person: Person | None,
    control: Control | None,
    today: dt.date,
) -> PoliceExitControlAnswered:
    """Enter or lift the restriction; `control` is the active restriction a lift names."""

    def refused(reason: str) -> PoliceExitControlAnswered:
        return PoliceExitControlAnswered(
            request_no=request.request_no,
            outcome=ExitOutcome.REFUSED,
            answered_on=today,
            reason=reason,
        )

    if request.action is ExitAction.LIFT:
        if control is None or control.state != "active":
            return refused(f"边控系统无请求{request.previous_request_no}对应的在控记录")
        outcome = ExitOutcome.LIFTED
    else:
        if request.person.id_type is IdType.RESIDENT_ID and person is None:
            return refused("户籍系统无该身份证号码登记，请核实身份信息后重新提交")
        if request.until is not None and request.until < today:
            return refused(f"限制出境期限已于{request.until.isoformat()}届满")
        outcome = ExitOutcome.ENTERED
    return PoliceExitControlAnswered(
        request_no=request.request_no, outcome=outcome, answered_on=today, effective_on=today
    )


# --- 拒执罪线索 -------------------------------------------------------------------------------


def police_case_no(year: int, serial: int) -> str:
    """The filing decision's number: 舞公（刑）立字〔2026〕1号."""
    return f"舞公（刑）立字〔{year}〕{serial}号"


def refusal_answer(
    referral: PoliceRefusalReferred, serial: int, today: dt.date
) -> PoliceRefusalHandled:
    """File the case (as number `serial` of the year) or say why not."""
    if len(referral.evidence) < MIN_EVIDENCE:
        return PoliceRefusalHandled(
            referral_no=referral.referral_no,
            outcome=RefusalOutcome.NOT_FILED,
            handled_on=today,
            reason=(
                f"移送材料仅列证据{len(referral.evidence)}项，不足以证明被执行人有能力执行而拒不执行；"
                "请补充后重新移送，申请执行人亦可依法向人民法院提起自诉"
            ),
        )
    return PoliceRefusalHandled(
        referral_no=referral.referral_no,
        outcome=RefusalOutcome.FILED,
        handled_on=today,
        police_case_no=police_case_no(today.year, serial),
    )
