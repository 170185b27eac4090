"""What the office advises on a key-enterprise notice (涉企审慎执行). Pure.

The demo office follows 法发〔2019〕35号's order of preference: plant, equipment and vehicles an
enterprise produces with are sealed "live" (活封: the enterprise keeps using them), a freeze or
deduction of its accounts is met with an offer to bring the parties to a settlement (the wages
and suppliers paid from them are the county's concern), and anything else draws no objection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from schemas.control import AssetKind
from schemas.key_enterprise import Advice, EnforcementKeyEnterpriseAdvised

if TYPE_CHECKING:
    import datetime as dt

    from schemas.key_enterprise import EnforcementKeyEnterpriseNotified

_LIVE_SEAL: Final = frozenset({AssetKind.REAL_ESTATE, AssetKind.MOVABLE, AssetKind.VEHICLE})
_NOTES: Final = {
    Advice.LIVE_SEAL: "{name}在产，建议活封，允许企业继续使用{asset}维持生产",
    Advice.COORDINATE_SETTLEMENT: "{name}账户用于发放工资和支付货款，办公室将组织双方协商执行和解",
    Advice.NO_OBJECTION: "无异议",
}


def advice_for(
    notice: EnforcementKeyEnterpriseNotified, today: dt.date
) -> EnforcementKeyEnterpriseAdvised:
    """The office's answer to `notice`, dated `today`."""
    if notice.asset_kind in _LIVE_SEAL:
        advice = Advice.LIVE_SEAL
    elif notice.asset_kind is AssetKind.DEPOSIT:
        advice = Advice.COORDINATE_SETTLEMENT
    else:
        advice = Advice.NO_OBJECTION
    return EnforcementKeyEnterpriseAdvised(
        notice_no=notice.notice_no,
        case_no=notice.case_no,
        advice=advice,
        note=_NOTES[advice].format(name=notice.enterprise.name, asset=notice.asset),
        advised_on=today,
    )
