"""What a verified receipt or reply does to the delivery it answers. Pure.

The state machine (`hub.deliveries.state`) refuses answers that contradict the delivery; the
auditor must still record them, since the router already accepted and forwarded them. So each
answer gets an effect, kept in its audit row, and the delivery keeps what came first.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from hub.deliveries.state import (
    AlreadyRepliedError,
    NotOwedError,
    progress_reported,
    receipt_arrived,
    reply_arrived,
)
from hub.routing.deadlines import end_of_day
from schemas.catalogue import lookup

if TYPE_CHECKING:
    from hub.deliveries.state import Delivery
    from hub.journal.entries import AnswerRouted


class AnswerEffect(StrEnum):
    """What a receipt or a reply did to the delivery it answers (`detail.effect`)."""

    RECORDED = "recorded"
    ALREADY_RECEIVED = "already_received"
    ALREADY_REPLIED = "already_replied"
    """A second, different reply: the first one stays on the delivery."""
    PROGRESS = "progress"
    """An interim reply (a task's progress report): recorded, the reply still owed."""
    REPLY_NOT_OWED = "reply_not_owed"
    """A reply to a delivery that owed none: it counts as the receipt."""
    NO_DELIVERY = "no_delivery"
    """The store holds no such delivery (the journal before it is gone, or out of order)."""


def answer_effect(
    d: Delivery, entry: AnswerRouted, answer_id: str
) -> tuple[Delivery, AnswerEffect]:
    """The delivery after a verified receipt or reply, and what the answer did to it."""
    if entry.receipt:
        if d.receipt_at is not None:
            return d, AnswerEffect.ALREADY_RECEIVED
        return receipt_arrived(d, entry.at), AnswerEffect.RECORDED
    try:
        if is_interim(entry):
            moved = interim_reply_due(entry)
            return progress_reported(d, entry.at, reply_due=moved), AnswerEffect.PROGRESS
        return reply_arrived(d, answer_id, entry.at), AnswerEffect.RECORDED
    except NotOwedError:
        return receipt_arrived(d, entry.at), AnswerEffect.REPLY_NOT_OWED
    except AlreadyRepliedError:
        return d, AnswerEffect.ALREADY_REPLIED


def is_interim(entry: AnswerRouted) -> bool:
    """Whether the routed reply only reports progress (`schemas.catalogue.EventType.interim`)."""
    known = lookup(str(entry.event.get("type")))
    return known is not None and known.is_interim(entry.event.get("data"))


def interim_reply_due(entry: AnswerRouted) -> datetime | None:
    """The reply deadline an interim reply moves its request to: the end of the day it states
    (`schemas.catalogue.EventType.interim_due_field`), China Standard Time; None when none."""
    known = lookup(str(entry.event.get("type")))
    given = None if known is None else known.interim_due(entry.event.get("data"))
    if given is None:
        return None
    try:
        return end_of_day(date.fromisoformat(given))
    except ValueError:
        return None
