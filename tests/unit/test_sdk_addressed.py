"""The SDK reads the recipient from the hub's delivery token as the hub writes it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.sdk.addressed import misaddressal, token_recipient, uncorrelation
from hub.router.token import DeliveryToken, issue_token
from schemas.envelope import HUB_SOURCE, Envelope
from tests.hubkit import TOKEN_SECRET, corpus_event

TAX, POLICE = "tax.411121", "police.411121"


def token_for(recipient: str) -> str:
    due = datetime(2026, 3, 20, tzinfo=UTC)
    delivered = DeliveryToken("e1", "court.411121", recipient, "debtor.listed.v1", due, None)
    return issue_token(delivered, TOKEN_SECRET)


def test_the_recipient_is_read_from_a_token_the_hub_issued() -> None:
    assert token_recipient(token_for(TAX)) == TAX


@pytest.mark.parametrize(
    "text",
    [None, "", "no-dot", "a.b.c", "令牌.令牌", "!!!.AAAA", "WzFd.AAAA", "eyJyY3B0IjogMX0.AAAA"],
    ids=["none", "empty", "no-dot", "two-dots", "non-ascii", "not-base64", "a-list", "rcpt-int"],
)
def test_anything_else_names_no_recipient(text: str | None) -> None:
    assert token_recipient(text) is None


def envelope(**changes: Any) -> Envelope:
    event = corpus_event("debtor.listed.v1") | changes
    return Envelope.model_validate(event)


def test_a_copy_is_misaddressed_unless_its_token_names_this_unit() -> None:
    assert misaddressal(envelope(hubdelivery=token_for(TAX)), TAX) is None
    reason = misaddressal(envelope(hubdelivery=token_for(TAX)), POLICE)
    assert reason == f"it was delivered to {TAX}, not to {POLICE}"
    assert misaddressal(envelope(), TAX) == "it carries no delivery token naming its recipient"


def test_the_hubs_own_notices_carry_no_token_and_are_not_checked() -> None:
    assert misaddressal(envelope(source=HUB_SOURCE), TAX) is None


def test_an_answer_is_uncorrelated_unless_it_answers_an_own_event() -> None:
    answer = envelope(correlationid="01HQ0000000000000000000001")
    assert uncorrelation(answer, published=True) is None
    assert uncorrelation(answer, published=False) == (
        "it answers 01HQ0000000000000000000001, which this connector did not publish"
    )
