"""The tax office freezes, continues or lifts a freeze of a refund it owes the debtor, and
refuses what it does not hold or does not register."""

from __future__ import annotations

import datetime as dt
from typing import Any

from connectors.tax.answers import Refund
from connectors.tax.refund_control import refund_control
from schemas.control import ControlResult, EnforcementControlRequested
from tests.hubkit import corpus_event

TODAY = dt.date(2026, 12, 31)
REFUND = Refund(
    "TS41112120260214001", "个人所得税", "2025年度汇算清缴", 900_000, dt.date(2026, 2, 14)
)


def request(sample: str = "valid-refund-freeze", **changes: Any) -> EnforcementControlRequested:
    data = corpus_event("enforcement.control.requested.v1", sample)["data"]
    return EnforcementControlRequested.model_validate(data | changes)


def test_a_refund_due_is_frozen_up_to_what_is_due_for_the_term_asked() -> None:
    asked = request()
    answer = refund_control(asked, [REFUND], TODAY)
    assert answer.result is ControlResult.CONTROLLED
    assert answer.amount == 900_000  # 12 800 yuan asked, 9 000 due
    assert (answer.start, answer.end) == (asked.start, asked.end)
    assert answer.registration_no == "TSDJ-TS41112120260214001"
    assert (answer.request_no, answer.answered_on) == (asked.request_no, TODAY)


def test_a_refund_not_due_to_the_owner_is_not_controlled() -> None:
    answer = refund_control(request(), [], TODAY)
    assert answer.result is ControlResult.NOT_CONTROLLED
    assert answer.reason is not None
    assert "TS41112120260214001" in answer.reason


def test_a_seal_or_an_equity_freeze_is_not_the_tax_offices_to_register() -> None:
    for sample in ("valid-seal-3-years", "valid-equity-freeze"):
        answer = refund_control(request(sample), [REFUND], TODAY)
        assert answer.result is ControlResult.NOT_CONTROLLED, sample
