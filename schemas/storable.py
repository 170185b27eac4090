"""What a record must be, beyond its schema, for the hub to store it and compute with it. Pure.

Two rules, both reported as `schema_invalid` with the field path (docs/design.md §6):

- **Text the store can hold.** Every string of the record, keys included, must be encodable as
  UTF-8 and free of NUL: PostgreSQL's `text` holds neither a NUL character nor a lone UTF-16
  surrogate (which JSON lets a producer write as a `\\ud800` escape).
- **Times in a sane window around now.** An event's `time` says when it happened: no earlier
  than `EVENT_TIME_PAST` before now, no later than `EVENT_TIME_AHEAD` after it (clock skew). The
  dates and times inside a payload and the hub's own time attributes may lie ahead (deadlines,
  the end of a listing or a freeze), but within `PAYLOAD_TIME_SPAN` of now either way: beyond it
  the deadline arithmetic and the store's conversions to UTC and China time overflow, and no
  legal period of the catalogue comes near it.

`now` is the caller's (the router's clock); nothing here reads the wall clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Final

from pydantic import BaseModel

from schemas.errors import FieldError, unstorable_text_problem

EVENT_TIME_PAST: Final = dt.timedelta(days=36_525)
"""100 years: older than any case the hub can be asked about."""
EVENT_TIME_AHEAD: Final = dt.timedelta(days=1)
"""A day of clock skew; an event cannot have happened later than that."""
PAYLOAD_TIME_SPAN: Final = dt.timedelta(days=36_525)
"""100 years either way for dates and times inside a payload."""
_ENVELOPE_TIMES: Final = ("hubrouted", "hubreceiptby", "hubreplyby")


def unstorable_text(value: object, path: str = "") -> list[FieldError]:
    """One problem per string (key or value) of the decoded JSON `value` the store cannot hold."""
    problems: list[FieldError] = []
    if isinstance(value, str):
        if problem := unstorable_text_problem(value):
            problems.append(FieldError(path or "(record)", problem))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            name = str(key)
            if problem := unstorable_text_problem(name):
                problems.append(FieldError(_join(path, repr(name)), f"field name {problem}"))
                continue
            problems.extend(unstorable_text(item, _join(path, name)))
    elif isinstance(value, Sequence):
        for index, item in enumerate(value):
            problems.extend(unstorable_text(item, f"{path}[{index}]"))
    return problems


def implausible_times(
    envelope: BaseModel, payload: BaseModel, now: dt.datetime
) -> list[FieldError]:
    """The envelope's and the payload's dates and times outside their window around `now`."""
    problems: list[FieldError] = []
    event_time = getattr(envelope, "time", None)
    if isinstance(event_time, dt.datetime):
        earliest, latest = now - EVENT_TIME_PAST, now + EVENT_TIME_AHEAD
        if not earliest <= event_time <= latest:
            problems.append(
                FieldError("time", _outside("an event's time", earliest, latest, "a day after"))
            )
    for name in _ENVELOPE_TIMES:
        _payload_times(getattr(envelope, name, None), name, now, problems)
    _payload_times(payload, "data", now, problems)
    return problems


_NO_TIME: Final = (str, int, float)
"""Values that hold no date (bools are ints, enums here are strs): skipped before their path is
even spelt, since most of a payload is made of them."""


def _payload_times(value: object, path: str, now: dt.datetime, problems: list[FieldError]) -> None:
    if isinstance(value, dt.datetime | dt.date):
        if not _within_span(value, now):
            problems.append(FieldError(path, _span_message(now)))
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            item = getattr(value, name)
            if item is not None and not isinstance(item, _NO_TIME):
                _payload_times(item, _join(path, name), now, problems)
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            if item is not None and not isinstance(item, _NO_TIME):
                _payload_times(item, f"{path}[{index}]", now, problems)


def _within_span(value: dt.date, now: dt.datetime) -> bool:
    if isinstance(value, dt.datetime):
        if value.utcoffset() is None:  # only aware times pass the schema; keep naive ones out
            return False
        return now - PAYLOAD_TIME_SPAN <= value <= now + PAYLOAD_TIME_SPAN
    today = now.date()
    return today - PAYLOAD_TIME_SPAN <= value <= today + PAYLOAD_TIME_SPAN


def _span_message(now: dt.datetime) -> str:
    earliest, latest = now - PAYLOAD_TIME_SPAN, now + PAYLOAD_TIME_SPAN
    return f"must lie within 100 years of now ({earliest.date()} to {latest.date()})"


def _outside(what: str, earliest: dt.datetime, latest: dt.datetime, ahead: str) -> str:
    return (
        f"{what} must lie between 100 years before now and {ahead} it "
        f"({earliest.isoformat(timespec='seconds')} to {latest.isoformat(timespec='seconds')})"
    )


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
