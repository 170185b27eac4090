"""A copy the hub delivered to this unit: checked, typed, and able to answer itself.

`read_delivered` turns inbox bytes into a `DeliveredEvent`, or into an `Unreadable` naming why
not, in this order: JSON object → the hub's signature (the copy's leaf folded along its
`hubproof` to a root that one of the hub's keys signed, `schemas.hub_proof`) →
CloudEvents envelope → catalogue type → payload (`connectors.sdk.views`). Reasons name field
paths, never values, so they can be logged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import ValidationError

from connectors.sdk.views import read_payload
from schemas.catalogue import lookup
from schemas.common import Payload
from schemas.envelope import Envelope
from schemas.errors import field_errors
from schemas.hub_proof import check_hub_signature
from schemas.signing import SignatureError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from connectors.sdk.outgoing import Composer, OutboxRecord
    from schemas.common import Purpose

P = TypeVar("P", bound=Payload)


class DeliveredEvent(Generic[P]):
    """One delivered copy, as a handler sees it.

    `payload` is the catalogue model (or its view, when the hub withheld fields from this unit:
    `connectors.sdk.views`); `envelope` holds every attribute of the copy. Replies made with
    `reply` are recorded by the SDK together with the receipt once the handler returns.
    """

    def __init__(
        self, envelope: Envelope, payload: P, raw: Mapping[str, Any], composer: Composer
    ) -> None:
        self.envelope = envelope
        self.payload = payload
        self.raw = raw
        """The copy as delivered (signed by the hub)."""
        self._composer = composer
        self._replies: list[OutboxRecord] = []

    @property
    def id(self) -> str:
        return self.envelope.id

    @property
    def type(self) -> str:
        return self.envelope.type

    @property
    def subject(self) -> str:
        """The case number (or the subject's identifier): the Kafka key of the case."""
        return self.envelope.subject

    @property
    def sender(self) -> str | None:
        """The unit that published the event; None for the hub's own notices."""
        return self.envelope.source_unit

    @property
    def correlationid(self) -> str | None:
        """On a delivered reply or receipt: the id of the event it answers."""
        return self.envelope.correlationid

    @property
    def receipt_by(self) -> datetime | None:
        """When the receipt is due; None when the routing table asks for none."""
        return self.envelope.hubreceiptby

    @property
    def reply_by(self) -> datetime | None:
        """When this unit's reply is due; None when it owes none."""
        return self.envelope.hubreplyby

    @property
    def owes_receipt(self) -> bool:
        return self.envelope.hubreceiptby is not None and self.envelope.hubdelivery is not None

    @property
    def replies(self) -> tuple[OutboxRecord, ...]:
        """The replies made so far, in order."""
        return tuple(self._replies)

    async def reply(
        self, payload: Payload, *, purpose: Purpose | None = None, event_id: str | None = None
    ) -> str:
        """Answer this event with `payload`, a catalogue type that answers it; its id.

        The reply carries this event's subject, `correlationid` and `hubdelivery`; its purpose
        defaults to this event's when the reply type allows it. Raises `ReplyNotAllowed` or
        `EventRefused` at once; the reply is queued only when the handler returns.
        """
        record = self._composer.reply(self.envelope, payload, purpose=purpose, event_id=event_id)
        self._replies.append(record)
        return record.event_id

    def __repr__(self) -> str:
        return f"DeliveredEvent({self.type} id={self.id} source={self.envelope.source})"


@dataclass(frozen=True, slots=True)
class Unreadable:
    """Why a record in the inbox is not a delivered copy the SDK may process."""

    reason: str
    signed_by_hub: bool
    event_id: str | None = None


def read_delivered(
    value: bytes, hub_keys: Mapping[str, Ed25519PublicKey], composer: Composer
) -> DeliveredEvent[Payload] | Unreadable:
    """Check and type one inbox record."""
    raw = _signed_by_hub(value, hub_keys)
    if isinstance(raw, Unreadable):
        return raw
    event_id = raw["id"] if isinstance(raw.get("id"), str) else None
    try:
        envelope = Envelope.model_validate(raw)
    except ValidationError as error:
        return Unreadable(_paths("envelope", error), signed_by_hub=True, event_id=event_id)
    event_type = lookup(envelope.type)
    if event_type is None:
        return Unreadable(f"unknown type {envelope.type}", signed_by_hub=True, event_id=event_id)
    try:
        payload = read_payload(event_type, envelope.data)
    except ValidationError as error:
        return Unreadable(_paths("payload", error), signed_by_hub=True, event_id=event_id)
    return DeliveredEvent(envelope, payload, raw, composer)


def _signed_by_hub(
    value: bytes, hub_keys: Mapping[str, Ed25519PublicKey]
) -> dict[str, Any] | Unreadable:
    try:
        raw = json.loads(value)
    except (UnicodeDecodeError, ValueError):
        return Unreadable("not JSON", signed_by_hub=False)
    if not isinstance(raw, dict):
        return Unreadable("not a JSON object", signed_by_hub=False)
    try:
        check_hub_signature(raw, hub_keys)
    except SignatureError as error:
        event_id = raw["id"] if isinstance(raw.get("id"), str) else None
        return Unreadable(f"not signed by the hub: {error}", signed_by_hub=False, event_id=event_id)
    return raw


def _paths(what: str, error: ValidationError) -> str:
    paths = sorted({problem.path for problem in field_errors(error)})
    return f"invalid {what}: {', '.join(paths)}"
