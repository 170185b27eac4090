"""Building what a unit publishes: events, replies and receipts, signed and checked. Pure.

Every record leaves here as an `OutboxRecord`: the exact bytes that will go to the unit's outbox
topic, already signed with the unit's key and already run through the hub's own parser
(`schemas.parsing.parse_record`), so an event the hub would refuse for its schema, its purpose,
its subject or a missing `correlationid` is refused here, at the call site, instead of coming back
later as a `hub.rejected.v1`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from connectors.sdk.errors import ConnectorError, EventRefused, ReplyNotAllowed
from schemas.catalogue import EventType, lookup
from schemas.dates import CHINA_TIME
from schemas.envelope import SPECVERSION
from schemas.errors import Rejection
from schemas.hubevents import HubReceipt
from schemas.parsing import parse_record
from schemas.signing import sign_event
from schemas.units import source_uri

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from schemas.common import Payload, Purpose
    from schemas.envelope import Envelope

Clock = Callable[[], datetime]
Recipients = str | Iterable[str] | None
"""`to`: unit codes, as one space-separated string or as an iterable of codes."""

_JSON_CONTENT: Final = "application/json"


def china_now() -> datetime:
    """Now, with the +08:00 offset every fyhub timestamp a unit writes carries."""
    return datetime.now(CHINA_TIME)


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """One signed event, ready for the outbox: its id, Kafka key (`subject`), type and bytes."""

    event_id: str
    subject: str
    type: str
    value: bytes

    def __repr__(self) -> str:
        # The bytes carry names and ID numbers; a logged record must not reveal them.
        return f"OutboxRecord({self.type} id={self.event_id})"


@dataclass(frozen=True)
class Composer:
    """Builds the records one unit publishes, signed with its key `key_id`."""

    unit: str
    private_key: Ed25519PrivateKey
    key_id: str
    clock: Clock = china_now

    def event(
        self,
        payload: Payload,
        *,
        subject: str | None = None,
        to: Recipients = None,
        purpose: Purpose | None = None,
        event_id: str | None = None,
    ) -> OutboxRecord:
        """A new event; see `Connector.publish` for the defaults."""
        entry = _publishable(payload)
        if entry.needs_correlation:
            raise ConnectorError(f"{entry.name} answers a delivered event: use event.reply()")
        attributes = {"to": _recipients(to), "purpose": purpose or entry.default_purpose}
        return self._record(payload, _subject(payload, subject), event_id, attributes)

    def reply(
        self,
        delivered: Envelope,
        payload: Payload,
        *,
        purpose: Purpose | None = None,
        event_id: str | None = None,
    ) -> OutboxRecord:
        """The answer to a delivered copy: same subject, `correlationid` and echoed token."""
        entry = _publishable(payload)
        if delivered.type not in entry.answers:
            answers = ", ".join(entry.answers) or "nothing"
            raise ReplyNotAllowed(
                f"{entry.name} answers {answers}, not the delivered {delivered.type}"
            )
        purpose = purpose or _inherited_purpose(delivered, entry)
        attributes = {**_correlation(delivered), "purpose": purpose}
        return self._record(payload, _reply_subject(payload, delivered), event_id, attributes)

    def receipt(self, delivered: Envelope, received_at: datetime) -> OutboxRecord:
        """The `hub.receipt.v1` (签收) for a delivered copy."""
        payload = HubReceipt(received_at=received_at)
        return self._record(payload, delivered.subject, None, _correlation(delivered))

    def _record(
        self,
        payload: Payload,
        subject: str,
        event_id: str | None,
        attributes: dict[str, Any],
    ) -> OutboxRecord:
        now = self.clock()
        event = {
            "specversion": SPECVERSION,
            "id": event_id or str(uuid.uuid4()),
            "source": source_uri(self.unit),
            "type": payload.event_type,
            "subject": subject,
            "time": now.isoformat(timespec="milliseconds"),
            "datacontenttype": _JSON_CONTENT,
            "data": payload.model_dump(mode="json", exclude_none=True),
        }
        event |= {name: value for name, value in attributes.items() if value is not None}
        value = encode(sign_event(event, self.private_key, self.key_id))
        # Checked as the router will check it, at the time it carries.
        checked = parse_record(value, now=now)
        if isinstance(checked, Rejection):
            raise EventRefused(checked)
        return OutboxRecord(checked.envelope.id, subject, payload.event_type, value)


def encode(event: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON with Chinese text kept readable, as the hub writes it."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def _publishable(payload: Payload) -> EventType:
    entry = lookup(payload.event_type)
    if entry is None:
        raise ConnectorError(f"{payload.event_type} is not in the fyhub v1 catalogue")
    if entry.hub_published:
        raise ConnectorError(f"{entry.name} is published by the hub, not by units")
    return entry


def _subject(payload: Payload, subject: str | None) -> str:
    if subject is not None:
        return subject
    case_no = getattr(payload, "case_no", None)
    if not isinstance(case_no, str):
        raise ConnectorError(
            f"{payload.event_type} has no case number: give subject= (the subject's identifier)"
        )
    return case_no


def _reply_subject(payload: Payload, delivered: Envelope) -> str:
    """The answered event's subject, unless the answer is keyed by a case number of its own
    (the hub requires the subject to equal a required `case_no`): a court's review case
    (行审) answering an agency's application filed under the decision's number."""
    field = type(payload).model_fields.get("case_no")
    case_no = getattr(payload, "case_no", None)
    if field is not None and field.is_required() and isinstance(case_no, str):
        return case_no
    return delivered.subject


def _recipients(to: Recipients) -> str | None:
    if to is None or isinstance(to, str):
        return to
    return " ".join(to)


def _correlation(delivered: Envelope) -> dict[str, Any]:
    if delivered.hubdelivery is None:
        raise ReplyNotAllowed(f"event {delivered.id} carries no hubdelivery token to echo")
    return {"correlationid": delivered.id, "hubdelivery": delivered.hubdelivery}


def _inherited_purpose(delivered: Envelope, entry: EventType) -> Purpose | None:
    """The request's legal basis carries over to its answer when the answer may cite it."""
    if delivered.purpose is not None and delivered.purpose in entry.purposes:
        return delivered.purpose
    return entry.default_purpose
