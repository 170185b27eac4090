"""The tax office's answer to a control request on a refund it owes the debtor (应退税款). Pure.

A refund approved and not yet paid is the debtor's claim against the tax office; the court freezes
it, or lifts or continues the freeze, by ruling and assistance notice (民诉法解释 art 499), naming
the refund by its number. Anything else is not the tax office's to register.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from schemas.control import (
    AssetKind,
    ControlAction,
    ControlResult,
    EnforcementControlAnswered,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from connectors.tax.answers import Refund
    from schemas.control import EnforcementControlRequested

_ACTIONS: Final = frozenset(
    {ControlAction.FREEZE, ControlAction.CONTINUE_FREEZE, ControlAction.UNFREEZE}
)
_NOT_OURS: Final = "本局只协助冻结、续冻、解冻应退税款（其他财产权利，载明退税编号）"


def refund_control(
    request: EnforcementControlRequested, refunds: Sequence[Refund], today: dt.date
) -> EnforcementControlAnswered:
    """Whether the refund `request` names is among `refunds` (the owner's refunds still due)."""
    if request.asset.kind is not AssetKind.OTHER_RIGHT or request.action not in _ACTIONS:
        return _refused(request, _NOT_OURS, today)
    refund = next((r for r in refunds if r.refund_no == request.asset.identifier), None)
    if refund is None:
        reason = f"被执行人名下无尚未退付的应退税款{request.asset.identifier}"
        return _refused(request, reason, today)
    lifting = request.action is ControlAction.UNFREEZE
    amount = None if lifting else min(request.amount or refund.amount, refund.amount)
    return EnforcementControlAnswered(
        request_no=request.request_no,
        case_no=request.case_no,
        answered_on=today,
        result=ControlResult.CONTROLLED,
        registration_no=f"TSDJ-{refund.refund_no}",
        amount=amount,
        start=None if lifting else request.start,
        end=None if lifting else request.end,
        note=("已解除冻结" if lifting else "冻结期间暂停退付")
        + f"：{refund.tax_type}（{refund.period}）",
    )


def _refused(
    request: EnforcementControlRequested, reason: str, today: dt.date
) -> EnforcementControlAnswered:
    return EnforcementControlAnswered(
        request_no=request.request_no,
        case_no=request.case_no,
        answered_on=today,
        result=ControlResult.NOT_CONTROLLED,
        reason=reason,
    )
