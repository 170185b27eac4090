"""Why the hub refuses a record (docs/design.md §6): the codes, and the rejection value that
carries one.

The parser (`schemas.parsing`) decides the first four codes from the record alone; the router adds
the others once it knows the topic, the routing table, the signing keys and what it delivered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from pydantic import ValidationError


class ErrorCode(StrEnum):
    """Rejection codes. Public interface: connectors in other languages switch on these strings."""

    MALFORMED = "malformed"
    """Not UTF-8, not JSON, not a JSON object, or missing the CloudEvents 1.0 required attributes
    (specversion "1.0", id, source, type)."""
    TOO_LARGE = "too_large"
    """The record is larger than the 1 MiB limit; nothing else was read."""
    UNKNOWN_TYPE = "unknown_type"
    """`type` names no event type of the catalogue (check the family, the name and the version)."""
    SCHEMA_INVALID = "schema_invalid"
    """The envelope or the payload breaks the schema or a legal rule: missing or unknown fields,
    wrong enum values, bad check digits, impossible dates, periods beyond legal limits, a missing
    `purpose` on personal data. Each offending field is listed with its path."""
    SOURCE_MISMATCH = "source_mismatch"
    """`source` names a unit other than the owner of the outbox topic the record came in on."""
    NOT_PERMITTED = "not_permitted"
    """The routing table does not allow the source unit to publish this type."""
    UNKNOWN_RECIPIENT = "unknown_recipient"
    """`to` names a unit that is not in the unit registry."""
    RECIPIENT_NOT_ENTITLED = "recipient_not_entitled"
    """`to` names a registered unit that the routing table does not allow to receive this type."""
    BAD_SIGNATURE = "bad_signature"
    """`sig`/`sigkey` missing, naming an unknown key, or not verifying over the JCS form."""
    UNKNOWN_CORRELATION = "unknown_correlation"
    """A reply or receipt whose `correlationid`/`hubdelivery` names nothing the hub delivered to
    that unit (forged, altered or foreign delivery token)."""
    STALE = "stale"
    """`time` lies further in the past than the hub accepts (7 days by default) or further ahead
    than clock skew explains (15 minutes): publish a new event (a new `id`) instead."""
    DUPLICATE = "duplicate"
    """An event with this `source` and `id` was already routed: nothing is delivered again (the
    first copy stands)."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One offending field: `path` like ``data.subjects[0].id_no``, and what is wrong with it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a record was refused, with whatever identifying attributes could still be read."""

    code: ErrorCode
    detail: str
    fields: tuple[FieldError, ...] = field(default=())
    event_id: str | None = None
    source: str | None = None
    type: str | None = None
    subject: str | None = None
    correlationid: str | None = None
    """Kept so that a refused reply or receipt can be traced to the case and event it answered."""

    def __str__(self) -> str:
        listed = "; ".join(str(error) for error in self.fields)
        return f"{self.code}: {self.detail}" + (f" ({listed})" if listed else "")


class FieldValueError(ValueError):
    """Raised by a validator that checks one named field from the level above it (an extension
    attribute, a cross-field rule); the parser appends `field` to the reported path."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def field_errors(error: ValidationError, *, prefix: str = "") -> tuple[FieldError, ...]:
    """One `FieldError` per pydantic error, with paths like ``data.subjects[0].id_no``."""
    details = error.errors(include_input=False)
    failed_items = {tuple(detail["loc"][:-1]) for detail in details if detail["loc"]}
    return tuple(
        _field_error(detail, prefix)
        for detail in details
        # A list whose item failed also fails its minimum length: the item's error says it all.
        if not (detail["type"] == "too_short" and tuple(detail["loc"]) in _parents(failed_items))
    )


def _parents(locations: set[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
    return {location[:i] for location in locations for i in range(len(location) + 1)}


def _field_error(detail: Any, prefix: str) -> FieldError:
    location = list(detail["loc"])
    cause = detail.get("ctx", {}).get("error")
    if isinstance(cause, FieldValueError):
        location.append(cause.field)
    return FieldError(_path(prefix, location), _message(detail, cause))


def _path(prefix: str, location: list[int | str]) -> str:
    path = prefix
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def _message(detail: Any, cause: object) -> str:
    kind = detail["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field: not in the v1 schema of this type"
    if isinstance(cause, ValueError):
        return str(cause)
    message: str = detail["msg"]
    return message.replace("Input should be", "must be", 1)


_UNSTORABLE_RE: Final = re.compile("[\x00\ud800-\udfff]")


def unstorable_text_problem(text: str) -> str | None:
    """Why the store (PostgreSQL `text`, UTF-8) cannot hold `text`, or None when it can: a NUL
    character, or a lone UTF-16 surrogate (a `\\ud800` escape in JSON), which no UTF-8 encodes."""
    if "\x00" in text:
        return "contains a NUL character (\\u0000), which the store cannot hold"
    if _UNSTORABLE_RE.search(text):
        return "contains a lone UTF-16 surrogate (a \\ud800-style escape), not encodable as UTF-8"
    return None


def storable_text(text: str) -> str:
    """`text` with every character the store cannot hold replaced by U+FFFD, so that what a
    refused record claimed can still be journalled, stored and shown."""
    return _UNSTORABLE_RE.sub("\ufffd", text)
