"""Deliveries planned with the shipped table: each recipient's payload and deadlines."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from hub.routing.deadlines import CHINA_TZ
from hub.routing.loader import Contracts, load_contracts_from
from hub.routing.plan import payload_for, plan_deliveries
from hub.routing.resolve import resolve_recipients
from tests.calendars import shipped_calendar

ROOT = Path(__file__).resolve().parents[2]
ROUTED = datetime(2024, 9, 30, 10, tzinfo=CHINA_TZ)  # Monday before the National Day holiday

LISTING: dict[str, Any] = {
    "listing_id": "L-2024-1",
    "case_no": "（2024）豫1121执123号",
    "court": "舞阳县人民法院",
    "case_filed_on": "2024-03-01",
    "debtor": {
        "kind": "natural",
        "name": "张三",
        "id_type": "resident_id",
        "id_no": "11010519491231002X",
    },
    "basis": {"issuer": "舞阳县人民法院", "doc_no": "（2023）豫1121民初456号"},
    "duty": "支付货款 100000 元",
    "performance": "not_performed",
    "conduct": ["refuses_despite_ability"],
    "listed_on": "2024-09-30",
}
FILED: dict[str, Any] = {
    "case_no": "（2024）豫1121行初7号",
    "court": "舞阳县人民法院",
    "filed_on": "2024-09-27",
    "cause": "行政处罚",
    "defendant": {"unit": "samr.411121", "name": "舞阳县市场监督管理局"},
    "plaintiff": {
        "kind": "natural",
        "name": "李四",
        "id_type": "resident_id",
        "id_no": "440524188001010014",
    },
}


@pytest.fixture(scope="module")
def contracts() -> Contracts:
    return load_contracts_from(
        ROOT / "deploy/units/wuyang-411121.yaml", ROOT / "deploy/routing.yaml"
    )


def test_a_listing_reaches_tax_with_the_id_number_and_miit_without(contracts: Contracts) -> None:
    route = contracts.routing.types["debtor.listed.v1"]
    recipients = resolve_recipients(
        contracts.routing, contracts.registry, source="court.411121", event_type="debtor.listed.v1"
    )
    assert isinstance(recipients, tuple)
    deliveries = {
        d.recipient: d
        for d in plan_deliveries(
            route, recipients, payload=LISTING, routed_at=ROUTED, calendar=shipped_calendar()
        )
    }
    assert deliveries["tax.411121"].data["debtor"]["id_no"] == "11010519491231002X"
    assert "duty" not in deliveries["tax.411121"].data
    assert deliveries["pboc.411121"].data["duty"] == "支付货款 100000 元"
    assert deliveries["miit.411121"].data["debtor"] == {"kind": "natural", "name": "张三"}
    assert all("basis" not in d.data for d in deliveries.values())
    # 15 working days from Mon 9-30 across National Day (10-1…10-7 off, Sat 10-12 worked): 10-25.
    assert deliveries["tax.411121"].reply_by == datetime(2024, 10, 25, 23, 59, 59, tzinfo=CHINA_TZ)
    assert deliveries["tax.411121"].receipt_by == datetime(2024, 10, 8, 23, 59, 59, tzinfo=CHINA_TZ)


def test_the_defendant_gets_the_plaintiff_and_owes_the_defence(contracts: Contracts) -> None:
    route = contracts.routing.types["admincase.filed.v1"]
    plans = plan_deliveries(
        route,
        ["justice.411121", "samr.411121"],
        payload=FILED,
        routed_at=ROUTED,
        calendar=shipped_calendar(),
        to="samr.411121",
    )
    office, defendant = plans
    assert defendant.data["plaintiff"]["id_no"] == "440524188001010014"
    assert defendant.reply_by == datetime(2024, 10, 15, 23, 59, 59, tzinfo=CHINA_TZ)
    assert office.data["plaintiff"] == {"kind": "natural"}
    assert office.reply_by is None
    assert office.receipt_by is not None


def test_the_office_as_defendant_gets_the_defendant_copy(contracts: Contracts) -> None:
    route = contracts.routing.types["admincase.filed.v1"]
    [only] = plan_deliveries(
        route,
        ["justice.411121"],
        payload=FILED,
        routed_at=ROUTED,
        calendar=shipped_calendar(),
        to="justice.411121",
    )
    assert only.data["plaintiff"]["id_no"] == "440524188001010014"
    assert only.reply_by is not None


def test_an_answer_goes_back_whole(contracts: Contracts) -> None:
    route = contracts.routing.types["enforcement.query.answered.v1"]
    answer = {"request_no": "Q-1", "case_no": "（2024）豫1121执123号", "results": []}
    assert payload_for(route, "court", answer) == answer


def test_a_dept_without_a_projection_is_refused_loudly(contracts: Contracts) -> None:
    route = contracts.routing.types["debtor.listed.v1"]
    with pytest.raises(LookupError, match="no projection"):
        payload_for(route, "water", LISTING)
