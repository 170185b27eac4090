"""What the tax office answers, computed from its records. Pure: records and dates in, payloads
out.

- Inquiry (执行查询, category `tax`): the subject's tax registration, refunds still due to it
  (which the court may freeze or take) and its arrears with the late fees accrued to the day.
- Claims in bankruptcy (国家税务总局公告2019年第48号): taxes of the periods ended by the
  acceptance date are filed as tax claims (企业破产法 art. 113 (2)); the late fees on them,
  computed up to the acceptance date, as ordinary claims. Taxes of later periods are not claims:
  the administrator pays them in the procedure.
- Joint punishment (发改财金〔2016〕141号): the tax measures of the memorandum.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from connectors.department.punishment import Sanction
from connectors.tax.store import REGISTRATION_STATUSES, TAXPAYER_KINDS
from schemas.bankruptcy import BankruptcyClaimDeclared, ClaimItem, ClaimKind
from schemas.debtor import NoMeasure, NoMeasureReason
from schemas.enforcement import AssetRecord, QueryCategory, QueryResult

if TYPE_CHECKING:
    from collections.abc import Sequence

    from schemas.common import Subject

LATE_FEE_PER_DAY: Final = (5, 10_000)
"""万分之五 of the unpaid tax per day overdue (税收征收管理法 art. 32)."""

TAX_MEASURES: Final = (
    (11, "限制享受税收等优惠政策（办理税收优惠备案、审批时作为审慎性参考）"),
    (12, "列为重点监管对象，提高税务检查抽查比例和频次"),
)
"""The memorandum articles the tax office implements (reference/domain.md §2.4)."""


@dataclass(frozen=True, slots=True)
class Taxpayer:
    taxpayer_no: str
    id_type: str
    name: str
    kind: str
    status: str
    tax_office: str
    registered_on: dt.date
    legal_rep: str | None = None
    credit_level: str | None = None


@dataclass(frozen=True, slots=True)
class Refund:
    refund_no: str
    tax_type: str
    period: str
    amount: int
    approved_on: dt.date


@dataclass(frozen=True, slots=True)
class Arrear:
    arrear_no: str
    tax_type: str
    period_start: dt.date
    period_end: dt.date
    due_on: dt.date
    amount: int

    @property
    def period(self) -> str:
        return f"所属期{self.period_start.isoformat()}至{self.period_end.isoformat()}"


@dataclass(frozen=True, slots=True)
class TaxFile:
    """What the tax office holds on one taxpayer."""

    taxpayer: Taxpayer
    refunds: tuple[Refund, ...] = ()
    arrears: tuple[Arrear, ...] = ()


def yuan(fen: int) -> str:
    """18600 → 186.00元."""
    return f"{fen // 100}.{fen % 100:02d}元"


def late_fee(amount: int, due_on: dt.date, until: dt.date) -> int:
    """Late fees in fen on `amount` unpaid since `due_on`, for each day after it up to and
    including `until`, rounded to the fen (half up)."""
    days = (until - due_on).days
    if days <= 0:
        return 0
    numerator, denominator = LATE_FEE_PER_DAY
    whole, rest = divmod(amount * days * numerator, denominator)
    return whole + (1 if 2 * rest >= denominator else 0)


# --- inquiry -------------------------------------------------------------------------------------


def query_result(subject: Subject, file: TaxFile | None, today: dt.date) -> QueryResult:
    """The answer on one subject: its registration, refunds due and arrears, or not found."""
    if file is None:
        return QueryResult(subject=subject, found=False)
    return QueryResult(subject=subject, found=True, records=file_records(file, today))


def file_records(file: TaxFile, today: dt.date) -> tuple[AssetRecord, ...]:
    return (
        registration_record(file.taxpayer),
        *(refund_record(refund) for refund in file.refunds),
        *(arrear_record(arrear, today) for arrear in file.arrears),
    )


def registration_record(taxpayer: Taxpayer) -> AssetRecord:
    kind = TAXPAYER_KINDS.get(taxpayer.kind, taxpayer.kind)
    status = REGISTRATION_STATUSES.get(taxpayer.status, taxpayer.status)
    credit = f"；纳税信用级别{taxpayer.credit_level}" if taxpayer.credit_level else ""
    return AssetRecord(
        category=QueryCategory.TAX,
        description=(
            f"税务登记：{kind}，状态{status}，主管税务机关{taxpayer.tax_office}，"
            f"登记日期{taxpayer.registered_on.isoformat()}{credit}"
        ),
        identifier=taxpayer.taxpayer_no,
    )


def refund_record(refund: Refund) -> AssetRecord:
    return AssetRecord(
        category=QueryCategory.TAX,
        description=(
            f"应退税款：{refund.tax_type}（{refund.period}），"
            f"{refund.approved_on.isoformat()}审批，尚未退付"
        ),
        identifier=refund.refund_no,
        value=refund.amount,
    )


def arrear_record(arrear: Arrear, today: dt.date) -> AssetRecord:
    fee = late_fee(arrear.amount, arrear.due_on, today)
    return AssetRecord(
        category=QueryCategory.TAX,
        description=(
            f"欠缴税款：{arrear.tax_type}（{arrear.period}），缴款期限{arrear.due_on.isoformat()}，"
            f"滞纳金计至{today.isoformat()}为{yuan(fee)}"
        ),
        identifier=arrear.arrear_no,
        value=arrear.amount,
    )


# --- bankruptcy claims ---------------------------------------------------------------------------


def claim_items(arrears: Sequence[Arrear], accepted_on: dt.date) -> tuple[ClaimItem, ...]:
    """Tax claims for the periods ended by `accepted_on`, then the late fees on them to that day
    as ordinary claims; one item saying there is nothing owed when there is none."""
    claimable = [arrear for arrear in arrears if arrear.period_end <= accepted_on]
    taxes = [
        ClaimItem(kind=ClaimKind.TAX, description=f"{a.tax_type} {a.period}", amount=a.amount)
        for a in claimable
    ]
    fees = [
        ClaimItem(
            kind=ClaimKind.LATE_FEE,
            description=(
                f"{a.tax_type}滞纳金（{a.period}，自{(a.due_on + dt.timedelta(days=1)).isoformat()}"
                f"起按日万分之五计至{accepted_on.isoformat()}）"
            ),
            amount=fee,
        )
        for a in claimable
        if (fee := late_fee(a.amount, a.due_on, accepted_on)) > 0
    ]
    if not taxes:
        nothing = f"经核查，截至{accepted_on.isoformat()}无欠缴税款及滞纳金"
        return (ClaimItem(kind=ClaimKind.TAX, description=nothing, amount=0),)
    return (*taxes, *fees)


def claim_declaration(
    case_no: str,
    creditor: str,
    accepted_on: dt.date,
    declared_on: dt.date,
    arrears: Sequence[Arrear],
) -> BankruptcyClaimDeclared:
    items = claim_items(arrears, accepted_on)
    return BankruptcyClaimDeclared(
        case_no=case_no,
        creditor=creditor,
        computed_to=accepted_on,
        declared_on=declared_on,
        items=items,
        total=sum(item.amount for item in items),
    )


# --- joint punishment ----------------------------------------------------------------------------


def sanctions(taxpayer: Taxpayer | None) -> tuple[Sanction, ...] | NoMeasure:
    """The tax measures against a listed debtor, and what was done in the collection system; or,
    for a debtor the office has no taxpayer record of, that no measure applies."""
    if taxpayer is None:
        return NoMeasure(
            reason=NoMeasureReason.NOT_IN_REGISTERS,
            detail="经核查，本局税收征管系统无该纳税人登记信息，无可实施的税收惩戒措施",
        )
    done = f"已在税收征管系统对该纳税人设置失信被执行人标记（主管税务机关{taxpayer.tax_office}）"
    return tuple(Sanction(article, measure, done) for article, measure in TAX_MEASURES)
