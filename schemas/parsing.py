"""From raw Kafka record bytes to a typed event, or to the reason it is refused.

Checks run in this order, and the first failing stage decides the code:

1. size                                            → too_large
2. UTF-8, JSON (no duplicate keys, no NaN), object,
   CloudEvents required attributes                 → malformed
3. `type` in the catalogue                         → unknown_type
4. envelope and payload, legal rules, `purpose` on
   personal data, `correlationid` on replies,
   `subject` = the payload's case number, text the
   store can hold, times within their window
   around `now` (`schemas.storable`)               → schema_invalid, one message per field path

Source/outbox agreement, permissions, recipients, signatures and correlations need the topic, the
routing table, the keys and the delivery record: the router checks them afterwards.

`parse_record` returns a `Rejection` instead of raising: refusing a record is an ordinary outcome
the router must handle every time (dead-letter it, tell the sender, journal it), and a union
return makes the type checker insist on that branch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import orjson
from pydantic import ValidationError

from schemas.catalogue import CATALOGUE, EventType, lookup
from schemas.common import Payload, Purpose
from schemas.dates import china_date
from schemas.envelope import HUB_SOURCE, SPECVERSION, Envelope
from schemas.errors import ErrorCode, FieldError, Rejection, field_errors, storable_text
from schemas.identifiers import CaseNumber, validation_context
from schemas.storable import implausible_times, unstorable_text

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

MAX_RECORD_BYTES: Final = 1_048_576
"""1 MiB (docs/design.md §4)."""
MAX_FIELD_ERRORS: Final = 50
"""A rejection lists at most this many fields; the detail says how many more there were."""
_REQUIRED_ATTRIBUTES: Final = ("specversion", "id", "source", "type")
_PURPOSES: Final = frozenset(str(purpose) for purpose in Purpose)
_MAX_FAST_BRACKETS: Final = 400
"""More opening brackets than this, and the record may nest deeper than the strict decoder
can follow from where it runs; it decides (and refuses) such a record itself."""
_SHAPES: Final = bytes(
    ord("0") if ord("0") <= byte <= ord("9") else byte if byte == ord("-") else ord(" ")
    for byte in range(256)
)
"""Digits to 0, minus to -, everything else to a space: a run of 0s is a run of digits."""
_UNSIGNED_BEYOND_64_BITS: Final = b"0" * 20
_NEGATIVE_BEYOND_64_BITS: Final = b"-" + b"0" * 19


@dataclass(frozen=True, slots=True)
class ParsedEvent:
    """A record that passed every check the parser makes."""

    envelope: Envelope
    payload: Payload
    raw: Mapping[str, Any]
    """The decoded JSON object as received: signatures are verified over this."""
    event_type: EventType

    def __repr__(self) -> str:
        # Payloads carry names and ID numbers; a logged ParsedEvent must not reveal them.
        envelope = self.envelope
        return f"ParsedEvent({envelope.type} id={envelope.id} source={envelope.source})"


def parse_record(
    raw: bytes, *, max_bytes: int = MAX_RECORD_BYTES, now: datetime | None = None
) -> ParsedEvent | Rejection:
    """Decode and validate one structured-mode CloudEvents record; with `now`, its times must
    also lie in their window around it (`schemas.storable`)."""
    if len(raw) > max_bytes:
        detail = f"record is {len(raw)} bytes; the limit is {max_bytes}"
        return Rejection(ErrorCode.TOO_LARGE, detail)
    fast = _fast_decode(raw)
    decoded = _decode(raw) if fast is None else fast
    if isinstance(decoded, Rejection):
        return decoded
    if missing := _missing_attributes(decoded):
        detail = "not a CloudEvents 1.0 event: " + "; ".join(str(f) for f in missing)
        return _rejection(ErrorCode.MALFORMED, detail, decoded, missing)
    event_type = lookup(decoded["type"])
    if event_type is None:
        detail = _unknown_type_detail(decoded["type"])
        return _rejection(ErrorCode.UNKNOWN_TYPE, detail, decoded)
    # A NUL or a lone surrogate can only come from a `\u` escape: the strict decoder refuses raw
    # control characters and encoded surrogates, so records without one skip the walk.
    return _validate(
        decoded, event_type, now, escaped=b"\\u" in raw, text=None if fast is None else raw
    )


def _fast_decode(raw: bytes) -> dict[str, Any] | None:
    """The record's object, decoded by orjson where it decodes exactly as the strict decoder
    (`_decode`) would, else None: then `_decode` decides, and refuses as it always has.

    orjson refuses what the strict decoder refuses (invalid UTF-8, a BOM, NaN, control
    characters) and more (lone surrogates, numbers beyond a double, very deep nesting), which
    `_decode` then accepts or refuses in its own words. Where orjson accepts what `_decode` would
    not read alike, this goes to `_decode` too: integers beyond 64 bits (orjson makes them floats;
    seen as runs of 20 digits, or 19 after a minus, anywhere, strings included), nesting deeper
    than `_decode` may follow, and duplicate keys (orjson keeps the last).

    A duplicate is seen by counting colons. In a JSON text every colon outside a string ends a
    key; inside strings, colons are text. The text, with each key written once and its strings
    as decoded, has the same colons as the record unless keys were dropped as duplicates, or a
    string held an escaped colon (`\\u003a`, which goes to `_decode`).
    """
    if (
        raw.count(b"[") + raw.count(b"{") > _MAX_FAST_BRACKETS
        or b"\\u003a" in raw
        or b"\\u003A" in raw
    ):
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(value, dict):
        return None
    shapes = raw.translate(_SHAPES)
    if _UNSIGNED_BEYOND_64_BITS in shapes or _NEGATIVE_BEYOND_64_BITS in shapes:
        return None
    try:
        written = orjson.dumps(value)
    except TypeError:  # nested deeper than orjson writes (255): `_validate` must write it
        return None
    return value if written.count(b":") == raw.count(b":") else None


def _decode(raw: bytes) -> dict[str, Any] | Rejection:
    try:
        value = json.loads(
            raw.decode("utf-8"),
            object_pairs_hook=_object_without_duplicates,
            parse_constant=_reject_constant,
        )
    except UnicodeDecodeError as error:
        return Rejection(ErrorCode.MALFORMED, f"not UTF-8: {error.reason} at byte {error.start}")
    except (ValueError, RecursionError) as error:
        return Rejection(ErrorCode.MALFORMED, f"not JSON: {error}")
    if not isinstance(value, dict):
        return Rejection(ErrorCode.MALFORMED, "not a JSON object: structured-mode CloudEvents")
    return value


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A signature over JCS covers one value per key; duplicates would let two readers disagree.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _rejection(
    code: ErrorCode,
    detail: str,
    event: Mapping[str, Any],
    fields: tuple[FieldError, ...] = (),
) -> Rejection:
    """A rejection carrying whatever of id, source and type can be read."""
    return Rejection(
        code,
        detail,
        fields,
        event_id=_text_or_none(event.get("id")),
        source=_text_or_none(event.get("source")),
        type=_text_or_none(event.get("type")),
        subject=_text_or_none(event.get("subject")),
        correlationid=_text_or_none(event.get("correlationid")),
    )


def _text_or_none(value: object) -> str | None:
    # Told back to the sender and journalled, so cut short and made storable.
    return storable_text(value[:200]) if isinstance(value, str) else None


def _missing_attributes(event: Mapping[str, Any]) -> tuple[FieldError, ...]:
    problems = []
    for name in _REQUIRED_ATTRIBUTES:
        value = event.get(name)
        if value is None:
            problems.append(FieldError(name, "required CloudEvents attribute is missing"))
        elif not isinstance(value, str) or not value:
            problems.append(FieldError(name, "must be a non-empty string"))
    if not problems and event["specversion"] != SPECVERSION:
        problems.append(FieldError("specversion", f"must be {SPECVERSION!r}"))
    return tuple(problems)


def _unknown_type_detail(name: str) -> str:
    family = name.split(".", 1)[0]
    known = sorted(entry for entry in CATALOGUE if entry.split(".", 1)[0] == family)
    hint = f"; the {family} family has: {', '.join(known)}" if known else ""
    return f"type {name[:200]!r} is not in the fyhub v1 catalogue{hint}"


def _validate(
    event: Mapping[str, Any],
    event_type: EventType,
    now: datetime | None,
    *,
    escaped: bool,
    text: bytes | None,
) -> ParsedEvent | Rejection:
    """`text`, when given, is the JSON `event` was decoded from by `_fast_decode`: validated as
    it is, not encoded again."""
    errors: list[FieldError] = unstorable_text(event) if escaped else []
    if errors:  # the validators' messages would quote the very text that cannot be stored
        return _schema_rejection(errors, event_type, event)
    envelope = payload = None
    # Birth dates and case years are bounded by the date in China at `now`, never the clock's.
    context = None if now is None else validation_context(china_date(now))
    try:
        envelope = Envelope.model_validate_json(
            json.dumps(event, ensure_ascii=False) if text is None else text,
            strict=True,
            context=context,
        )
    except ValidationError as error:
        errors.extend(field_errors(error))
    data = event.get("data")
    if isinstance(data, dict):
        try:
            payload = (
                event_type.validate_payload(data, context=context)
                if text is None
                # orjson writes what it read (`_fast_decode`): no NaN, big integer or surrogate
                else event_type.validate_payload_json(orjson.dumps(data), context=context)
            )
        except ValidationError as error:
            errors.extend(field_errors(error, prefix="data"))
        except OverflowError:  # a rule's date arithmetic went past year 1 or 9999
            errors.append(FieldError("data", "a date or time is out of any computable range"))
    errors.extend(_catalogue_rules(event, event_type, payload))
    if now is not None and envelope is not None and payload is not None:
        errors.extend(implausible_times(envelope, payload, now))
    if errors or envelope is None or payload is None:
        return _schema_rejection(errors, event_type, event)
    return ParsedEvent(envelope=envelope, payload=payload, raw=event, event_type=event_type)


def _catalogue_rules(
    event: Mapping[str, Any], event_type: EventType, payload: Payload | None
) -> list[FieldError]:
    problems = []
    purpose = event.get("purpose")
    allowed = ", ".join(sorted(event_type.purposes))
    if purpose is None and event_type.personal_data:
        problems.append(
            FieldError(
                "purpose",
                f"{event_type.name} carries personal data: state its legal basis "
                f"(PIPL arts 13, 34), one of {allowed}",
            )
        )
    elif isinstance(purpose, str) and purpose in _PURPOSES and purpose not in event_type.purposes:
        problems.append(
            FieldError("purpose", f"{purpose} is no legal basis for {event_type.name}: {allowed}")
        )
    if event_type.needs_correlation and event.get("correlationid") is None:
        problems.append(
            FieldError("correlationid", f"{event_type.name} answers an event: give its id")
        )
    problems.extend(_subject_rule(event, payload))
    problems.extend(_source_rule(event, event_type))
    return problems


def _source_rule(event: Mapping[str, Any], event_type: EventType) -> list[FieldError]:
    from_hub = event.get("source") == HUB_SOURCE
    if event_type.hub_published and not from_hub:
        return [FieldError("source", f"{event_type.name} is published by the hub ({HUB_SOURCE})")]
    if from_hub and not event_type.hub_published:
        return [FieldError("source", f"{event_type.name} is published by units, not the hub")]
    return []


def _subject_rule(event: Mapping[str, Any], payload: Payload | None) -> list[FieldError]:
    # Only where the case number is the payload's own key; an optional case_no is a reference.
    field = type(payload).model_fields.get("case_no") if payload is not None else None
    case_no = getattr(payload, "case_no", None)
    subject = event.get("subject")
    if field is None or not field.is_required() or not isinstance(subject, str):
        return []
    try:
        same = CaseNumber.parse(subject).normalised == case_no
    except ValueError:
        same = False
    if same:
        return []
    return [FieldError("subject", f"must be the case number of data.case_no ({case_no})")]


def _schema_rejection(
    errors: list[FieldError], event_type: EventType, event: Mapping[str, Any]
) -> Rejection:
    first_per_path: dict[str, FieldError] = {}
    for error in errors:
        first_per_path.setdefault(error.path, error)
    unique = tuple(first_per_path.values())
    shown = unique[:MAX_FIELD_ERRORS]
    more = f" (and {len(unique) - len(shown)} more)" if len(unique) > len(shown) else ""
    first = f": {shown[0]}" if shown else ""
    detail = f"{len(unique)} invalid field(s) in {event_type.name}{first}{more}"
    return _rejection(ErrorCode.SCHEMA_INVALID, detail, event, shown)
