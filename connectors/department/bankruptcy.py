"""What a county unit answers in the bankruptcy follow-up. Pure: payloads in, payloads out.

Rules followed: a registry releases every measure it holds on the bankrupt debtor's property and
says of each listed measure it does not hold why (企业破产法 art 19; 规定（二） art 7); a creditor
unit declares what the enterprise owes it, computed to the acceptance date, employees' items
counting the employees and naming none (arts 48, 113); pboc, tax and samr each report the one
credit record they keep (信用修复 after an approved reorganisation, art 86).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from schemas.bankruptcy import BankruptcyClaimDeclared
from schemas.bankruptcy_followup import (
    BankruptcyCreditRepairReported,
    CreditRepairMeasure,
    CreditRepairOutcome,
    MeasureRelease,
    ReleaseOutcome,
)
from schemas.bankruptcy_followup import BankruptcyMeasuresReleased as Released

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence

    from schemas.bankruptcy import BankruptcyAccepted, ClaimItem
    from schemas.bankruptcy_followup import (
        BankruptcyCreditRepairRequested,
        BankruptcyMeasuresReleaseRequested,
    )

NOT_HELD_REASON: Final = "本单位未登记该项措施，或该措施已解除、已失效"

REPAIR_BY_DEPT: Final = MappingProxyType(
    {
        "pboc": CreditRepairMeasure.CREDIT_REFERENCE,
        "tax": CreditRepairMeasure.TAX_CREDIT,
        "samr": CreditRepairMeasure.ABNORMAL_OPERATIONS_LIST,
    }
)
"""The credit record each unit keeps, and so repairs."""

_REPAIRED: Final = MappingProxyType(
    {
        CreditRepairMeasure.CREDIT_REFERENCE: "已在企业征信报告中添加重整计划获批信息",
        CreditRepairMeasure.TAX_CREDIT: "已依重整计划对该企业的纳税信用级别进行修复评价",
        CreditRepairMeasure.ABNORMAL_OPERATIONS_LIST: "已将该企业移出经营异常名录并公示",
    }
)


def release_results(
    request: BankruptcyMeasuresReleaseRequested,
    released: Mapping[str, str | None],
    today: dt.date,
) -> Released:
    """The answer to `request`: each measure in `released` (request number → the unit's number
    of the release, if it keeps one) released today, every other listed measure not held."""
    results = tuple(
        MeasureRelease(
            request_no=measure.request_no,
            outcome=ReleaseOutcome.RELEASED,
            released_on=today,
            registration_no=released[measure.request_no],
        )
        if measure.request_no in released
        else MeasureRelease(
            request_no=measure.request_no,
            outcome=ReleaseOutcome.NOT_HELD,
            reason=NOT_HELD_REASON,
        )
        for measure in request.measures
    )
    return Released(
        request_no=request.request_no,
        case_no=request.case_no,
        answered_on=today,
        results=results,
    )


def claim_declaration(
    accepted: BankruptcyAccepted, creditor: str, items: Sequence[ClaimItem], today: dt.date
) -> BankruptcyClaimDeclared | None:
    """The unit's claims against the debtor, computed to the acceptance date; None when the
    enterprise owes it nothing."""
    if not items:
        return None
    return BankruptcyClaimDeclared(
        case_no=accepted.case_no,
        creditor=creditor,
        computed_to=accepted.accepted_on,
        declared_on=today,
        items=tuple(items),
        total=sum(item.amount for item in items),
    )


def credit_repair_report(
    request: BankruptcyCreditRepairRequested, dept: str, *, known: bool, today: dt.date
) -> BankruptcyCreditRepairReported | None:
    """The unit's report on the credit record it keeps: repaired when the court asks for it and
    the enterprise is in the unit's records, not applicable otherwise. None for a unit that keeps
    none of the three records."""
    measure = REPAIR_BY_DEPT.get(dept)
    if measure is None:
        return None
    asked = measure in request.measures
    outcome = (
        CreditRepairOutcome.REPAIRED if asked and known else CreditRepairOutcome.NOT_APPLICABLE
    )
    note = _REPAIRED[measure] if outcome is CreditRepairOutcome.REPAIRED else None
    if not known:
        note = "本单位记录中无该企业，无需修复"
    return BankruptcyCreditRepairReported(
        request_no=request.request_no,
        case_no=request.case_no,
        measure=measure,
        outcome=outcome,
        reported_on=today,
        note=note,
    )
