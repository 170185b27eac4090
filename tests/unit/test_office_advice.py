"""The demo office's advice on the court's key-enterprise notices."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.office.advice import advice_for
from schemas.catalogue import CATALOGUE
from schemas.key_enterprise import Advice, EnforcementKeyEnterpriseNotified
from tests.hubkit import corpus_event

TODAY = dt.date(2026, 12, 31)


def notice(**changes: object) -> EnforcementKeyEnterpriseNotified:
    data = corpus_event("enforcement.key_enterprise.notified.v1", "valid-basic")["data"]
    payload = CATALOGUE["enforcement.key_enterprise.notified.v1"].validate_payload(data | changes)
    assert isinstance(payload, EnforcementKeyEnterpriseNotified)
    return payload


@pytest.mark.parametrize(
    ("action", "asset_kind", "advice"),
    [
        ("seal", "real_estate", Advice.LIVE_SEAL),
        ("seal", "movable", Advice.LIVE_SEAL),
        ("seal", "vehicle", Advice.LIVE_SEAL),
        ("freeze", "deposit", Advice.COORDINATE_SETTLEMENT),
        ("deduct", "deposit", Advice.COORDINATE_SETTLEMENT),
        ("freeze", "equity", Advice.NO_OBJECTION),
    ],
)
def test_plant_is_sealed_live_accounts_invite_a_settlement(
    action: str, asset_kind: str, advice: Advice
) -> None:
    answer = advice_for(notice(action=action, asset_kind=asset_kind), TODAY)
    assert answer.advice is advice
    assert (answer.advised_on, answer.notice_no) == (TODAY, "舞法执通〔2026〕12号")
    assert answer.case_no == "（2026）豫1121执356号"
    assert answer.note


def test_the_note_names_the_enterprise_and_the_asset() -> None:
    answer = advice_for(notice(), TODAY)
    assert answer.note is not None
    assert "舞阳县恒昌机械制造有限公司" in answer.note
    assert "厂房" in answer.note
