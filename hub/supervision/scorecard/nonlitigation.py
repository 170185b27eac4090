"""The year's non-litigation enforcement figures (行政非诉执行), per applying unit, from the
nonlitigation.* events the hub carried. Pure: envelopes and the working-day calendar in.

Definitions, stated because each is a choice:

- received: `nonlitigation.enforcement.applied.v1` whose `applied_on` falls in the year, one per
  event; the unit is its sender.
- accepted / not accepted, granted / refused: the court's first `accepted.v1` and `ruled.v1`
  answering that application (by `correlationid`).
- each limit of `schemas.nonlitigation_limits`, counted on the hub's calendar from the dates the
  events state, on time when the act's date is on or before its due date:
  application (`applied_on` against 3 months after `suit_period_ended_on`), acceptance
  (`accepted_on` against 5 working days after `received_on`), ruling (`ruled_on` against 7
  working days, or 30 days with a hearing, after `accepted_on`), service (refusals only:
  `served_on` against 5 working days after `ruled_on`), reconsideration application (the
  agency's `applied_on` against 15 days after `received_on`) and decision (the higher court's
  `ruled_on` against `decide_by`, or 15 days after the request's `applied_on`). An act not yet
  done is not counted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from hub.supervision.scorecard.monthly import TOTAL
from schemas.nonlitigation_limits import (
    Limit,
    Reconsidered,
    acceptance_due,
    application_due,
    on_time,
    reconsideration_application_due,
    reconsideration_decision_due,
    ruling_due,
    service_due,
)
from schemas.units import unit_from_source

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from schemas.nonlitigation_limits import WorkingDays

APPLIED: Final = "nonlitigation.enforcement.applied.v1"
ACCEPTED: Final = "nonlitigation.enforcement.accepted.v1"
RULED: Final = "nonlitigation.enforcement.ruled.v1"
SERVED: Final = "nonlitigation.enforcement.served.v1"
RECONSIDERATION: Final = "nonlitigation.reconsideration.applied.v1"
RECONSIDERED: Final = "nonlitigation.reconsideration.ruled.v1"
TYPES: Final = (APPLIED, ACCEPTED, RULED, SERVED, RECONSIDERATION, RECONSIDERED)
COUNTS: Final = ("received", "accepted", "not_accepted", "granted", "refused")


@dataclass(frozen=True, slots=True)
class UnitNonlitigation:
    """One applying unit's year, or the total (`unit == TOTAL`)."""

    unit: str
    received: int = 0
    accepted: int = 0
    not_accepted: int = 0
    granted: int = 0
    refused: int = 0
    on_time: Mapping[Limit, int] = field(default_factory=dict)
    late: Mapping[Limit, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NonlitigationFigures:
    year: int
    units: tuple[UnitNonlitigation, ...]
    total: UnitNonlitigation
    unreadable: int = 0
    """Stored events whose payload lacked what the figures need (not counted)."""


def nonlitigation_figures(
    year: int, envelopes: Iterable[Mapping[str, Any]], calendar: WorkingDays
) -> NonlitigationFigures:
    """The figures of `year` from the stored envelopes of the `TYPES` (any order)."""
    by_type: dict[str, list[Mapping[str, Any]]] = {name: [] for name in TYPES}
    for envelope in envelopes:
        if isinstance(envelope.get("data"), dict) and envelope.get("type") in by_type:
            by_type[str(envelope["type"])].append(envelope)
    answers = {name: _first_by_correlation(by_type[name]) for name in TYPES[1:]}
    requests = {(_unit(e), e["data"].get("application_no")): e for e in by_type[RECONSIDERATION]}
    tally = _Tally()
    unreadable = 0
    for applied in by_type[APPLIED]:
        try:
            unit, counted = _count(applied, answers, requests, calendar, year)
        except (KeyError, TypeError, ValueError):
            unreadable += 1
            continue
        if counted is not None:
            tally.add(unit, counted)
    units = tally.figures()
    return NonlitigationFigures(year, units, _total(units), unreadable)


_Counted = tuple[Counter[str], Counter[Limit], Counter[Limit]]


def _count(
    applied: Mapping[str, Any],
    answers: Mapping[str, Mapping[str, Mapping[str, Any]]],
    requests: Mapping[tuple[str, Any], Mapping[str, Any]],
    calendar: WorkingDays,
    year: int,
) -> tuple[str, _Counted | None]:
    unit, data = _unit(applied), applied["data"]
    applied_on = _date(data["applied_on"])
    if applied_on.year != year:
        return unit, None
    counts: Counter[str] = Counter(received=1)
    limits = _Limits(calendar)
    limits.judge(Limit.APPLICATION, applied_on, application_due, data["suit_period_ended_on"])
    event_id = str(applied.get("id"))
    accepted = answers[ACCEPTED].get(event_id)
    if accepted is not None:
        a = accepted["data"]
        counts["accepted" if a["outcome"] == "accepted" else "not_accepted"] += 1
        limits.judge(Limit.ACCEPTANCE, _date(a["accepted_on"]), acceptance_due, a["received_on"])
        ruled = answers[RULED].get(event_id)
        if ruled is not None:
            r = ruled["data"]
            counts[str(r["ruling"])] += 1
            due = ruling_due(_date(a["accepted_on"]), calendar, hearing=a.get("hearing") is True)
            limits.record(Limit.RULING, on_time(_date(r["ruled_on"]), due))
        served = answers[SERVED].get(event_id)
        if served is not None and served["data"]["ruling"] == "refused":
            s = served["data"]
            limits.judge(Limit.SERVICE, _date(s["served_on"]), service_due, s["ruled_on"])
    request = requests.get((unit, data["application_no"]))
    if request is not None:
        q = request["data"]
        received = q["received_on"]
        limits.judge(
            Limit.RECONSIDERATION_APPLICATION,
            _date(q["applied_on"]),
            reconsideration_application_due,
            received,
        )
        decided = answers[RECONSIDERED].get(str(request.get("id")))
        if decided is not None:
            given = q.get("decide_by")
            due = (
                _date(given)
                if given
                else reconsideration_decision_due(
                    _date(q["applied_on"]), calendar, against=Reconsidered.NON_ACCEPTANCE
                )
            )
            limits.record(
                Limit.RECONSIDERATION_DECISION, on_time(_date(decided["data"]["ruled_on"]), due)
            )
    return unit, (counts, limits.on_time, limits.late)


class _Limits:
    def __init__(self, calendar: WorkingDays) -> None:
        self.calendar = calendar
        self.on_time: Counter[Limit] = Counter()
        self.late: Counter[Limit] = Counter()

    def judge(self, limit: Limit, done_on: dt.date, due: Any, start: str) -> None:
        self.record(limit, on_time(done_on, due(_date(start), self.calendar)))

    def record(self, limit: Limit, in_time: bool) -> None:
        (self.on_time if in_time else self.late)[limit] += 1


class _Tally:
    def __init__(self) -> None:
        self._rows: dict[str, _Counted] = {}

    def add(self, unit: str, counted: _Counted) -> None:
        counts, in_time, late = self._rows.setdefault(unit, (Counter(), Counter(), Counter()))
        counts.update(counted[0])
        in_time.update(counted[1])
        late.update(counted[2])

    def figures(self) -> tuple[UnitNonlitigation, ...]:
        return tuple(_figures(unit, *self._rows[unit]) for unit in sorted(self._rows))


def _figures(
    unit: str, counts: Counter[str], in_time: Counter[Limit], late: Counter[Limit]
) -> UnitNonlitigation:
    return UnitNonlitigation(
        unit, **{name: counts[name] for name in COUNTS}, on_time=dict(in_time), late=dict(late)
    )


def _total(units: tuple[UnitNonlitigation, ...]) -> UnitNonlitigation:
    counts: Counter[str] = Counter()
    in_time: Counter[Limit] = Counter()
    late: Counter[Limit] = Counter()
    for row in units:
        counts.update({name: getattr(row, name) for name in COUNTS})
        in_time.update(row.on_time)
        late.update(row.late)
    return _figures(TOTAL, counts, in_time, late)


def _first_by_correlation(envelopes: list[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    first: dict[str, Mapping[str, Any]] = {}
    for envelope in envelopes:
        correlation = envelope.get("correlationid")
        if isinstance(correlation, str):
            first.setdefault(correlation, envelope)
    return first


def _unit(envelope: Mapping[str, Any]) -> str:
    return unit_from_source(str(envelope.get("source"))) or "?"


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(str(value))
