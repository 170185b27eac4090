"""The router's decision about one outbox record. Pure: bytes and context in, records out.

The order of the checks, each refusing with its own code (docs/design.md §6):

1. parse: size, JSON and CloudEvents, catalogue type, schema and legal rules (`schemas.parsing`)
2. `source` names the unit owning the outbox topic                        → source_mismatch
3. the unit's signature verifies with a key registered for it             → bad_signature
4. `time` lies within the freshness window around `now` (`hub.router.freshness`) → stale
5. (source, id) was not routed before from another outbox position (`seen`,
   `hub.router.seen`; the same position read again is a redelivery, routed again) → duplicate
6. the routing table lets this unit publish the type, and what it says is
   its own to say (`hub.router.permissions`)                              → not_permitted
7. receipts and replies: the echoed `hubdelivery` token is the hub's, was
   issued to this unit, for the event in `correlationid`, of a type this
   reply answers                                                          → unknown_correlation
8. `to` names registered units entitled to receive it                     → unknown_recipient,
                                                                            recipient_not_entitled
Accepted events yield one copy per recipient (unsigned: the caller signs every copy of a batch at
once with `hub.router.proof.seal_batch`) and an `event.routed` or `answer.routed` journal
entry, and a `Sighting` of the event for the caller to remember; refused ones yield the records
of `hub.router.rejections`. `decision` says so in a `Decision`: the records, and what was decided
(the unit, the type, the recipients, the refusal's code, the event routed), which is what the
router's metrics count and its memory of routed events keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from hub.journal.entries import AnswerRouted, EventRouted, Position
from hub.journal.seal import unsealed_journal_record
from hub.kafka.records import case_key
from hub.router.copies import delivered_copies
from hub.router.freshness import staleness
from hub.router.permissions import permission_refusal
from hub.router.rejections import rejection_records
from hub.router.seen import Sighting
from hub.router.token import DeliveryToken, InvalidDeliveryToken, read_token
from hub.routing.resolve import resolve_recipients
from hub.security.keyring import KeyOutOfTimeError
from schemas.errors import ErrorCode, Rejection
from schemas.parsing import ParsedEvent, parse_record
from schemas.signing import SIGKEY, SignatureError, check_signature
from schemas.units import unit_from_outbox

if TYPE_CHECKING:
    from datetime import datetime

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from hub.kafka.records import InboundRecord, Outbound
    from hub.router.context import RouterContext
    from hub.router.seen import SeenEvents


@dataclass(frozen=True, slots=True)
class Decision:
    """What the router decided about one outbox record, and every record it writes for it."""

    records: list[Outbound]
    """To be acknowledged by the broker before the record's offset is committed."""
    source: str | None
    """The unit owning the outbox the record came in on (whatever its `source` claimed)."""
    event_type: str | None
    """The type the record named, once it was read far enough to tell; None before."""
    recipients: tuple[str, ...] = ()
    """One per copy written to an inbox, in the order written."""
    refused: ErrorCode | None = None
    """The refusal's code; a refused record is dead-lettered once (`rejection_records`)."""
    routed: Sighting | None = None
    """The event routed, for `hub.router.seen`; None when refused."""


def decide(
    record: InboundRecord, ctx: RouterContext, now: datetime, seen: SeenEvents | None = None
) -> list[Outbound]:
    """Every record the router must write, acknowledged, before committing this record's offset;
    `seen` holds the events routed before (none when not given)."""
    return decision(record, ctx, now, seen).records


def decision(
    record: InboundRecord, ctx: RouterContext, now: datetime, seen: SeenEvents | None = None
) -> Decision:
    """`decide`, and what was decided: routed to its recipients (the caller remembers the event
    in `seen`), or refused."""
    sender = unit_from_outbox(record.topic)
    parsed = parse_record(record.value, max_bytes=ctx.max_record_bytes, now=now)
    if isinstance(parsed, Rejection):
        return refusal(record, parsed, ctx, now)
    sighting = _sighting(record, parsed)
    outcome = _route(record, parsed, sender, ctx, now, sighting, seen)
    if isinstance(outcome, Rejection):
        return refusal(record, _identified(outcome, parsed), ctx, now)
    return replace(outcome, routed=sighting)


def refusal(
    record: InboundRecord, rejection: Rejection, ctx: RouterContext, now: datetime
) -> Decision:
    """The decision to refuse `record` for `rejection`, with the records that say so."""
    sender = unit_from_outbox(record.topic)
    records = rejection_records(record, rejection, sender, ctx, now)
    return Decision(records, sender, rejection.type, refused=rejection.code)


def _route(
    record: InboundRecord,
    parsed: ParsedEvent,
    sender: str | None,
    ctx: RouterContext,
    now: datetime,
    sighting: Sighting,
    seen: SeenEvents | None,
) -> Decision | Rejection:
    envelope = parsed.envelope
    if sender is None or envelope.source_unit != sender:
        owner = sender or "nobody"
        detail = f"source {envelope.source} does not own outbox {record.topic} ({owner} does)"
        return Rejection(ErrorCode.SOURCE_MISMATCH, detail)
    refusal = (
        _signature_refusal(parsed, sender, ctx, now)
        or staleness(envelope.time, ctx.freshness, now)
        or _duplicate_refusal(sighting, seen)
        or permission_refusal(
            ctx.table, ctx.registry, source=sender, event_type=envelope.type, payload=parsed.payload
        )
    )
    if refusal is not None:
        return refusal
    if parsed.event_type.needs_correlation:
        return _route_answer(record, parsed, sender, ctx, now)
    return _route_event(record, parsed, sender, ctx, now)


def _duplicate_refusal(sighting: Sighting, seen: SeenEvents | None) -> Rejection | None:
    earlier = None if seen is None else seen.routed_elsewhere(sighting)
    if earlier is None:
        return None
    topic, partition, offset = earlier
    return Rejection(
        ErrorCode.DUPLICATE,
        f"event {sighting.event_id} of {sighting.source} was routed already, from "
        f"{topic}:{partition}:{offset}; nothing is delivered again",
    )


def _sighting(record: InboundRecord, parsed: ParsedEvent) -> Sighting:
    envelope = parsed.envelope
    return Sighting(
        envelope.source, envelope.id, envelope.time, record.topic, record.partition, record.offset
    )


def _signature_refusal(
    parsed: ParsedEvent, sender: str, ctx: RouterContext, now: datetime
) -> Rejection | None:
    if not ctx.require_signatures and "sig" not in parsed.raw:
        return None
    key_id = parsed.raw.get(SIGKEY)
    keyring = ctx.unit_keys.get(sender)
    valid: dict[str, Ed25519PublicKey] = {}
    try:
        # The key the signature names, if it may sign now: a retired key signs nothing new.
        if keyring is not None and isinstance(key_id, str):
            known = keyring.verifier(key_id, now)
            valid = {key_id: known} if known is not None else {}
        check_signature(parsed.raw, valid)
    except KeyOutOfTimeError as error:
        return Rejection(ErrorCode.BAD_SIGNATURE, f"signing {error}")
    except SignatureError as error:
        return Rejection(ErrorCode.BAD_SIGNATURE, str(error))
    return None


def _route_event(
    record: InboundRecord,
    parsed: ParsedEvent,
    sender: str,
    ctx: RouterContext,
    now: datetime,
) -> Decision | Rejection:
    envelope = parsed.envelope
    recipients = resolve_recipients(
        ctx.table, ctx.registry, source=sender, event_type=envelope.type, to=envelope.to
    )
    if isinstance(recipients, Rejection):
        return recipients
    route = ctx.table.route(envelope.type)
    if route is None:  # resolve_recipients refuses unknown types; kept for the type checker
        return Rejection(
            ErrorCode.UNKNOWN_TYPE, f"the routing table has no rule for {envelope.type}"
        )
    copies, deliveries = delivered_copies(parsed.raw, sender, recipients, route, ctx, now)
    entry = EventRouted(
        at=now, position=_position(record), event=dict(parsed.raw), deliveries=deliveries
    )
    journal = unsealed_journal_record(entry, case_key(envelope.subject, envelope.id))
    copied_to = tuple(d.recipient for d in deliveries)
    return Decision([*copies, journal], sender, envelope.type, copied_to)


def _route_answer(
    record: InboundRecord,
    parsed: ParsedEvent,
    sender: str,
    ctx: RouterContext,
    now: datetime,
) -> Decision | Rejection:
    envelope = parsed.envelope
    token = _answered_delivery(parsed, sender, ctx)
    if isinstance(token, Rejection):
        return token
    recipients = resolve_recipients(
        ctx.table,
        ctx.registry,
        source=sender,
        event_type=envelope.type,
        to=envelope.to,
        original_sender=token.source,
    )
    if isinstance(recipients, Rejection):
        return recipients
    route = ctx.table.route(envelope.type)
    if route is None:
        return Rejection(
            ErrorCode.UNKNOWN_TYPE, f"the routing table has no rule for {envelope.type}"
        )
    copies, deliveries = delivered_copies(parsed.raw, sender, recipients, route, ctx, now)
    entry = AnswerRouted(
        at=now,
        position=_position(record),
        event=dict(parsed.raw),
        answers=token.event_id,
        answered_by=sender,
        original_sender=token.source,
        receipt=parsed.event_type.is_receipt,
        deliveries=deliveries,
    )
    journal = unsealed_journal_record(entry, case_key(envelope.subject, envelope.id))
    copied_to = tuple(d.recipient for d in deliveries)
    return Decision([*copies, journal], sender, envelope.type, copied_to)


def _answered_delivery(
    parsed: ParsedEvent, sender: str, ctx: RouterContext
) -> DeliveryToken | Rejection:
    envelope = parsed.envelope
    if envelope.hubdelivery is None:
        return _uncorrelated("no `hubdelivery` token echoed")
    try:
        token = read_token(envelope.hubdelivery, ctx.token_secret)
    except InvalidDeliveryToken as error:
        return _uncorrelated(f"the `hubdelivery` token is not the hub's: {error}")
    if token.recipient != sender:
        return _uncorrelated(f"the event was delivered to {token.recipient}, not to {sender}")
    if token.event_id != envelope.correlationid:
        return _uncorrelated(
            f"`correlationid` {envelope.correlationid} is not the delivered event {token.event_id}"
        )
    answers = parsed.event_type.answers
    if not parsed.event_type.is_receipt and token.event_type not in answers:
        return _uncorrelated(f"{envelope.type} does not answer {token.event_type}")
    return token


def _uncorrelated(detail: str) -> Rejection:
    return Rejection(ErrorCode.UNKNOWN_CORRELATION, detail)


def _identified(rejection: Rejection, parsed: ParsedEvent) -> Rejection:
    envelope = parsed.envelope
    return Rejection(
        rejection.code,
        rejection.detail,
        rejection.fields,
        event_id=envelope.id,
        source=envelope.source,
        type=envelope.type,
        subject=envelope.subject,
        correlationid=envelope.correlationid,
    )


def _position(record: InboundRecord) -> Position:
    return Position(topic=record.topic, partition=record.partition, offset=record.offset)
