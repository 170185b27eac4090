"""What the market-supervision office answers, decided from its registration records. Pure:
records and dates in, decisions and payloads out.

- Inquiry (categories `equity`, `business_registration`): the equity a subject holds, with the
  freezes on it, and the enterprises it is, or represents.
- Equity control (《最高人民法院关于人民法院强制执行股权若干问题的规定》): a freeze takes effect
  when publicised in 国家企业信用信息公示系统, so the registered period starts on the day of
  publication (or the ruling's later start); several freezes may stand on one holding, ranked in
  the order of publication (art. 6: a later one waits, 轮候冻结). A freeze in force is continued
  or released only by the case that imposed it; one past its end has lapsed (查封扣押冻结规定
  art. 27). The office registers nothing but equity.
- Joint punishment (发改财金〔2016〕141号): a listed person may not serve as legal representative,
  director, supervisor or manager; a listed enterprise is publicised and supervised more closely.
- Deregistration after bankruptcy (企业破产法 art. 121).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from connectors.department.punishment import Debtor, Sanction
from connectors.samr.store import BANKRUPTCY_STAGES, ENTERPRISE_STATUSES
from schemas.bankruptcy import BankruptcyDeregistrationReported, BankruptcyTerminated, Enterprise
from schemas.control import (
    AssetKind,
    ControlAction,
    ControlResult,
    EnforcementControlAnswered,
    EnforcementControlRequested,
)
from schemas.debtor import NoMeasure, NoMeasureReason
from schemas.enforcement import AssetRecord, QueryCategory, QueryResult
from schemas.identifiers import IdType

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from schemas.common import Subject

PUBLICITY_SYSTEM: Final = "国家企业信用信息公示系统"
OFFICER_BAN_ARTICLE: Final = 3
"""[not verified] The memorandum article of the bar on serving as legal representative or
executive. The reference data (domain.md §2.4) puts the financial sector's 任职 bar under art. 3;
the general bar rests on 公司法 (2023) art. 178 and 市场主体登记管理条例 art. 12. Confirm against
the memorandum's full text."""
PERSON_MEASURES: Final = (
    (OFFICER_BAN_ARTICLE, "限制担任企业法定代表人、董事、监事、高级管理人员"),
)
ENTERPRISE_MEASURES: Final = (
    (15, f"通过{PUBLICITY_SYSTEM}公示失信被执行人信息"),
    (12, "列为重点监管对象，提高双随机抽查比例和频次"),
)
"""The memorandum articles the office implements (reference/domain.md §2.4)."""


@dataclass(frozen=True, slots=True)
class Registration:
    """An enterprise as registered."""

    uscc: str
    name: str
    kind: str
    legal_rep_name: str
    legal_rep_id_no: str
    status: str
    registered_capital: int
    established_on: dt.date
    authority: str
    bankruptcy_case_no: str | None = None
    bankruptcy_stage: str | None = None

    @property
    def deregistered(self) -> bool:
        return self.status == "deregistered"


@dataclass(frozen=True, slots=True)
class Freeze:
    freeze_id: int
    registration_no: str
    request_no: str
    case_no: str
    court: str
    start: dt.date
    end: dt.date
    publicized_on: dt.date
    released_on: dt.date | None = None

    def in_force(self, today: dt.date) -> bool:
        return self.released_on is None and self.end >= today


@dataclass(frozen=True, slots=True)
class Holding:
    holding_id: int
    enterprise: Registration
    holder_name: str
    holder_id_no: str
    share_bp: int
    amount: int
    freezes: tuple[Freeze, ...] = ()

    def in_force(self, today: dt.date) -> tuple[Freeze, ...]:
        return tuple(freeze for freeze in self.freezes if freeze.in_force(today))


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}元"


def percent(share_bp: int) -> str:
    """6000 → 60%, 3333 → 33.33%."""
    whole, rest = divmod(share_bp, 100)
    return f"{whole}.{rest:02d}%" if rest else f"{whole}%"


# --- inquiry -------------------------------------------------------------------------------------


def query_result(
    subject: Subject,
    categories: Sequence[QueryCategory],
    holdings: Sequence[Holding],
    registrations: Sequence[Registration],
    today: dt.date,
) -> QueryResult:
    """The answer on one subject: its equity (if asked) and its registrations (if asked)."""
    records = []
    if QueryCategory.EQUITY in categories:
        records += [equity_record(holding, today) for holding in holdings]
    if QueryCategory.BUSINESS_REGISTRATION in categories:
        records += [registration_record(registration, subject) for registration in registrations]
    return QueryResult(subject=subject, found=bool(records), records=tuple(records))


def equity_record(holding: Holding, today: dt.date) -> AssetRecord:
    enterprise = holding.enterprise
    freezes = holding.in_force(today)
    burdens = "；".join(
        f"{f.court}（{f.case_no}）冻结，期限{f.start.isoformat()}至{f.end.isoformat()}，"
        f"{f.publicized_on.isoformat()}公示"
        for f in freezes
    )
    status = ENTERPRISE_STATUSES.get(enterprise.status, enterprise.status)
    return AssetRecord(
        category=QueryCategory.EQUITY,
        description=(
            f"持有{enterprise.name}{percent(holding.share_bp)}股权"
            f"（认缴出资{yuan(holding.amount)}），企业状态：{status}"
        ),
        identifier=enterprise.uscc,
        value=holding.amount,
        encumbrances=burdens or None,
    )


def registration_record(registration: Registration, subject: Subject) -> AssetRecord:
    role = "本企业" if registration.uscc == subject.id_no else "担任法定代表人的企业"
    status = ENTERPRISE_STATUSES.get(registration.status, registration.status)
    bankruptcy = (
        f"；{BANKRUPTCY_STAGES.get(registration.bankruptcy_stage, '')}"
        f"（{registration.bankruptcy_case_no}）"
        if registration.bankruptcy_stage
        else ""
    )
    return AssetRecord(
        category=QueryCategory.BUSINESS_REGISTRATION,
        description=(
            f"{role}：{registration.name}，{registration.kind}，法定代表人"
            f"{registration.legal_rep_name}，注册资本{yuan(registration.registered_capital)}，"
            f"成立日期{registration.established_on.isoformat()}，登记状态：{status}，"
            f"登记机关{registration.authority}{bankruptcy}"
        ),
        identifier=registration.uscc,
        value=registration.registered_capital,
    )


# --- equity control ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ControlDecision:
    """What to do about a control request, and what to answer."""

    result: ControlResult
    reason: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    amount: int | None = None
    note: str | None = None
    target: Freeze | None = None
    """The freeze continued or released, or the same request's freeze already registered."""
    ranks_behind: tuple[Freeze, ...] = field(default=())
    """Freezes in force before this one (轮候冻结)."""
    repeated: bool = False
    """The same request was registered before (`target`): nothing more to register."""

    @property
    def controlled(self) -> bool:
        return self.result is ControlResult.CONTROLLED


def refuse(reason: str) -> ControlDecision:
    return ControlDecision(ControlResult.NOT_CONTROLLED, reason=reason)


def decide_control(
    request: EnforcementControlRequested,
    registration: Registration | None,
    holding: Holding | None,
    today: dt.date,
) -> ControlDecision:
    """Whether the office can take the measure, on which freeze, and for which period."""
    problem = _registry_problem(request, registration, holding)
    if problem is not None:
        return refuse(problem)
    assert holding is not None  # no problem means a holding was found
    act = _ACTIONS.get(request.action)
    if act is None:
        return refuse(
            "协助执行通知书未载明受让人身份信息，无法办理股东变更登记；请补充后重新提出"
            if request.action is ControlAction.TRANSFER_NOTICE
            else f"本局不办理该类措施（{request.action}）"
        )
    return act(request, holding, today)


def _registry_problem(
    request: EnforcementControlRequested,
    registration: Registration | None,
    holding: Holding | None,
) -> str | None:
    asset = request.asset
    if asset.kind is not AssetKind.EQUITY:
        return f"本局仅办理股权冻结登记，{asset.description}不属本局登记的财产"
    if registration is None:
        return f"经核查，本局登记系统中无统一社会信用代码为{asset.identifier}的市场主体"
    if registration.deregistered:
        return f"{registration.name}已注销登记，其股权已不存在"
    if holding is None:
        return f"经核查，{asset.owner.name}未持有{registration.name}的股权"
    return None


def _freeze(
    request: EnforcementControlRequested, holding: Holding, today: dt.date
) -> ControlDecision:
    in_force = holding.in_force(today)
    same = next((f for f in in_force if f.request_no == request.request_no), None)
    if same is not None:
        return _already_registered(same, holding)
    start, end = max(request.start or today, today), request.end
    if end is None or end < start:
        return refuse(f"冻结期限已于{end}届满，未予公示")
    queue = (
        f"；该股权已有{len(in_force)}项冻结在先，本次冻结为轮候冻结，按公示先后确定顺位"
        if in_force
        else ""
    )
    return ControlDecision(
        ControlResult.CONTROLLED,
        start=start,
        end=end,
        amount=holding.amount,
        note=f"已于{today.isoformat()}在{PUBLICITY_SYSTEM}公示冻结{holding.enterprise.name}股权{queue}",
        ranks_behind=in_force,
    )


def _continue(
    request: EnforcementControlRequested, holding: Holding, today: dt.date
) -> ControlDecision:
    target = _imposed_by_case(request, holding, today)
    if target is None:
        return refuse("未查询到本案对该股权在期限内的冻结登记，无法续行冻结")
    start, end = max(request.start or today, today), request.end
    if end is None or end <= target.end:
        return refuse(f"续行冻结期限须晚于原冻结期限（{target.end.isoformat()}）")
    note = (
        f"已于{today.isoformat()}在{PUBLICITY_SYSTEM}公示续行冻结，"
        f"原冻结登记{target.registration_no}"
    )
    return ControlDecision(
        ControlResult.CONTROLLED,
        start=start,
        end=end,
        amount=holding.amount,
        note=note,
        target=target,
    )


def _unfreeze(
    request: EnforcementControlRequested, holding: Holding, today: dt.date
) -> ControlDecision:
    target = _imposed_by_case(request, holding, today)
    if target is None:
        return refuse("该股权未被本案冻结或冻结已失效，无需解除")
    note = (
        f"已于{today.isoformat()}解除冻结（原冻结登记{target.registration_no}）"
        f"并在{PUBLICITY_SYSTEM}公示"
    )
    return ControlDecision(
        ControlResult.CONTROLLED, amount=holding.amount, note=note, target=target
    )


def _imposed_by_case(
    request: EnforcementControlRequested, holding: Holding, today: dt.date
) -> Freeze | None:
    """The freeze in force that the request's case imposed: by the request named, else the
    case's latest."""
    mine = [f for f in holding.in_force(today) if f.case_no == request.case_no]
    if request.previous_request_no is not None:
        mine = [f for f in mine if f.request_no == request.previous_request_no]
    return mine[-1] if mine else None


def _already_registered(freeze: Freeze, holding: Holding) -> ControlDecision:
    return ControlDecision(
        ControlResult.CONTROLLED,
        start=freeze.start,
        end=freeze.end,
        amount=holding.amount,
        note=(
            f"本请求已办理冻结登记（{freeze.registration_no}），"
            f"{freeze.publicized_on.isoformat()}在{PUBLICITY_SYSTEM}公示"
        ),
        target=freeze,
        repeated=True,
    )


def control_answer(
    request: EnforcementControlRequested,
    decision: ControlDecision,
    today: dt.date,
    registration_no: str | None,
) -> EnforcementControlAnswered:
    return EnforcementControlAnswered(
        request_no=request.request_no,
        case_no=request.case_no,
        answered_on=today,
        result=decision.result,
        reason=decision.reason,
        registration_no=registration_no if decision.controlled else None,
        amount=decision.amount if decision.controlled else None,
        start=decision.start,
        end=decision.end,
        note=decision.note,
    )


def registration_no(year: int, freeze_id: int) -> str:
    """The office's business number of a freeze registration (业务号)."""
    return f"GQDJ{year}{freeze_id:06d}"


# --- joint punishment ----------------------------------------------------------------------------


def sanctions(
    debtor: Debtor, registration: Registration | None, represented: Sequence[Registration]
) -> tuple[Sanction, ...] | NoMeasure:
    """The office's measures against a listed debtor, and what was done in its systems; or, for
    an enterprise it has not registered, that no measure applies. A listed person is barred from
    office whether or not it holds one now: the bar stops its next registration.

    `registration`: the debtor's own registration (an enterprise); `represented`: the
    enterprises a listed person represents now."""
    if debtor.kind == "legal" or debtor.id_type == IdType.USCC:
        if registration is None:
            return NoMeasure(
                reason=NoMeasureReason.NOT_IN_REGISTERS,
                detail="经核查，本局登记系统无该市场主体，其不在本局登记管辖范围，无可实施的惩戒措施",
            )
        done = (
            f"已在{PUBLICITY_SYSTEM}{registration.name}名下标注失信被执行人信息，纳入重点监管名单"
        )
        return tuple(Sanction(article, measure, done) for article, measure in ENTERPRISE_MEASURES)
    names = "、".join(r.name for r in represented[:5])
    serving = (
        f"；现任{len(represented)}家企业法定代表人（{names}），已书面提示企业依法办理变更登记"
        if represented
        else "；经核查，现未担任本局登记企业的法定代表人"
    )
    done = f"已在登记系统设置任职限制，办理设立、变更登记时予以拦截{serving}"
    return tuple(Sanction(article, measure, done) for article, measure in PERSON_MEASURES)


# --- deregistration ------------------------------------------------------------------------------


def deregistration_report(
    terminated: BankruptcyTerminated,
    registration: Registration,
    authority: str,
    deregistered_on: dt.date,
) -> BankruptcyDeregistrationReported:
    return BankruptcyDeregistrationReported(
        case_no=terminated.case_no,
        debtor=Enterprise(name=registration.name, uscc=registration.uscc),
        authority=authority,
        terminated_on=terminated.date,
        deregistered_on=max(deregistered_on, terminated.date),
    )


_ACTIONS: Final = {
    ControlAction.FREEZE: _freeze,
    ControlAction.CONTINUE_FREEZE: _continue,
    ControlAction.UNFREEZE: _unfreeze,
}
