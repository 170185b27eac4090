"""Dates, timestamps and durations of the published language, and calendar arithmetic for legal
periods (民法典 arts 201–203).

A period counted in years or months starts the day after the starting event and ends on the
corresponding day of the last year or month; when that month has no such day, on its last day.
So a one-year freeze from 2024-03-01 may run to 2025-03-01, and one from 2024-02-29 to 2025-02-28.

On the wire: dates are ISO dates (``2026-03-02``), timestamps RFC 3339 with an offset
(``2026-03-02T09:30:00+08:00``, upper-case T and Z), durations ISO 8601 in days and time
(``P1DT9H``). Each type parses its own text so the message names the format, and carries a JSON
Schema with the same pattern.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import TYPE_CHECKING, Annotated, Final, TypeVar

from pydantic import AwareDatetime, BeforeValidator, WithJsonSchema

if TYPE_CHECKING:
    from pydantic import ValidationInfo

_When = TypeVar("_When", dt.date, dt.datetime)

CHINA_TIME: Final = dt.timezone(dt.timedelta(hours=8))
"""Deadlines and hearing days are dates in China, which keeps UTC+8 all year."""


def china_date(at: dt.datetime) -> dt.date:
    """The date in China at the instant `at` (aware)."""
    return at.astimezone(CHINA_TIME).date()


_DATE_RE: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_TIMESTAMP_RE: Final = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$"
)


def _iso_date(value: object) -> object:
    if not isinstance(value, str):
        return value
    if not re.fullmatch(_DATE_RE, value):
        raise ValueError(f"{value!r} must be an ISO date YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a calendar date") from None


def _rfc3339(value: object) -> object:
    if not isinstance(value, str):
        return value
    if not re.fullmatch(_TIMESTAMP_RE, value):
        raise ValueError(
            f"{value!r} must be an RFC 3339 timestamp with a UTC offset, "
            "e.g. 2024-05-06T09:30:00+08:00"
        )
    # Python keeps microseconds; RFC 3339 allows more digits, which carry no meaning here.
    whole, dot, rest = value.partition(".")
    text = value
    if dot:
        fraction = re.match(r"[0-9]*", rest)[0]  # type: ignore[index]
        text = f"{whole}.{fraction[:6].ljust(6, '0')}{rest[len(fraction) :]}"
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value} is not a calendar date and time") from None


IsoDate = Annotated[
    dt.date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _DATE_RE}),
]
Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_rfc3339),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": _TIMESTAMP_RE}),
]


_DURATION_RE: Final = r"^P(?!$)([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?$"


def _iso_duration(value: object) -> object:
    if not isinstance(value, str):
        return value
    match = re.fullmatch(_DURATION_RE, value)
    if match is None:
        raise ValueError(f"{value!r} must be an ISO 8601 duration in days and time, e.g. P2DT3H")
    days, hours, minutes, seconds = (
        float(part[:-1]) if part else 0.0 for part in match.group(1, 3, 4, 5)
    )
    return dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


Duration = Annotated[
    dt.timedelta,
    BeforeValidator(_iso_duration),
    WithJsonSchema({"type": "string", "format": "duration", "pattern": _DURATION_RE}),
]


def add_months(day: dt.date, months: int) -> dt.date:
    """The corresponding day `months` later, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def not_before(
    value: _When | None, info: ValidationInfo, earlier: str, *, rule: str
) -> _When | None:
    """`value` unless it precedes the already-validated field `earlier`; raises ValueError."""
    other = info.data.get(earlier)
    if value is not None and other is not None and _day(value) < _day(other):
        raise ValueError(f"{rule}: must not be before {earlier} ({_day(other)})")
    return value


def after(value: _When | None, info: ValidationInfo, earlier: str, *, rule: str) -> _When | None:
    """`value` unless it is not later than the already-validated field `earlier`; raises
    ValueError."""
    other = info.data.get(earlier)
    if value is not None and other is not None and _day(value) <= _day(other):
        raise ValueError(f"{rule}: must be after {earlier} ({_day(other)})")
    return value


def _day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
