"""The year's administrative-case figures (行政审判白皮书 / 府院联动 annual report), per defendant
agency, from the admincase.* and judicial.* events the hub carried. Pure.

Definitions, stated because each is a choice:

- filed: `admincase.filed.v1` whose `filed_on` falls in the year; one per case number.
- judged: `admincase.judged.v1` whose `judged_on` falls in the year; one per case number, the
  latest judgment if the court sent several. Its agency is the defendant named when the case was
  filed, else the non-justice unit the judgment was addressed to (`to`).
- agency-lost rate (败诉率) = judgments with outcome `agency_lost` / judged.
- head-appearance rate (负责人出庭应诉率) = judged cases whose agency head appeared / judged
  cases that were heard (a hearing was scheduled through the hub, or the head appeared).
- judicial suggestions (司法建议): `judicial.suggestion.issued.v1` whose `issued_on` falls in the
  year, one per suggestion number, counted for the unit it was addressed to. Its reply is the
  first `judicial.suggestion.replied.v1` with that number from that unit; on time when
  `replied_on` ≤ `reply_by`. Unanswered suggestions are overdue once `reply_by` has passed at
  `as_of`, pending before. On-time reply rate = on time / (on time + late + overdue).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from hub.journal.reading import case_number
from hub.supervision.scorecard.monthly import TOTAL
from schemas.units import is_unit_code, unit_dept, unit_from_source

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

FILED = "admincase.filed.v1"
HEARING = "admincase.hearing.scheduled.v1"
JUDGED = "admincase.judged.v1"
SUGGESTION = "judicial.suggestion.issued.v1"
SUGGESTION_REPLY = "judicial.suggestion.replied.v1"
AGENCY_LOST = "agency_lost"
OUTCOMES = ("agency_won", AGENCY_LOST, "withdrawn", "mediated")
UNKNOWN_AGENCY = "?"
"""The agency of a judgment that names none (no filing, no `to`)."""
_OFFICE_DEPT = "justice"


@dataclass(frozen=True, slots=True)
class CaseFiled:
    case_no: str
    defendant: str
    filed_on: dt.date


@dataclass(frozen=True, slots=True)
class CaseJudged:
    case_no: str
    addressed_to: str | None
    """The defendant as the judgment's `to` names it (the office left out)."""
    outcome: str
    judged_on: dt.date
    head_appeared: bool


@dataclass(frozen=True, slots=True)
class SuggestionIssued:
    suggestion_no: str
    recipient: str
    issued_on: dt.date
    reply_by: dt.date


@dataclass(frozen=True, slots=True)
class SuggestionReplied:
    suggestion_no: str
    unit: str
    replied_on: dt.date


@dataclass(frozen=True, slots=True)
class AdminCaseEvents:
    """What the figures of one year are computed from, as read from the store."""

    filed: tuple[CaseFiled, ...] = ()
    """Filings of the year's cases and of the cases judged in the year."""
    heard: frozenset[str] = frozenset()
    """Case numbers for which a hearing was scheduled."""
    judged: tuple[CaseJudged, ...] = ()
    suggestions: tuple[SuggestionIssued, ...] = ()
    replies: tuple[SuggestionReplied, ...] = ()
    unreadable: int = 0
    """Stored events whose payload lacked what the figures need (not counted)."""


@dataclass(frozen=True, slots=True)
class AgencyFigures:
    """One defendant agency's year, or the total (`unit == TOTAL`)."""

    unit: str
    filed: int = 0
    judged: int = 0
    lost: int = 0
    heard: int = 0
    head_appeared: int = 0
    suggestions: int = 0
    replied_on_time: int = 0
    replied_late: int = 0
    reply_overdue: int = 0
    reply_pending: int = 0

    @property
    def lost_rate(self) -> float | None:
        return _rate(self.lost, self.judged)

    @property
    def head_appearance_rate(self) -> float | None:
        return _rate(self.head_appeared, self.heard)

    @property
    def on_time_reply_rate(self) -> float | None:
        decided = self.replied_on_time + self.replied_late + self.reply_overdue
        return _rate(self.replied_on_time, decided)

    @property
    def is_total(self) -> bool:
        return self.unit == TOTAL


@dataclass(frozen=True, slots=True)
class AnnualFigures:
    year: int
    as_of: dt.date
    agencies: tuple[AgencyFigures, ...]
    """One row per agency with any case or suggestion in the year, by unit code."""
    total: AgencyFigures
    outcomes: Mapping[str, int]
    """Judgments of the year by outcome."""


def annual_figures(year: int, events: AdminCaseEvents, *, as_of: dt.date) -> AnnualFigures:
    defendants = _defendants(events.filed)
    rows = _Rows()
    for case in defendants.values():
        if case.filed_on.year == year:
            rows.add(case.defendant, filed=1)
    outcomes = dict.fromkeys(OUTCOMES, 0)
    for judgment in _latest_judgments(j for j in events.judged if j.judged_on.year == year):
        filing = defendants.get(judgment.case_no)
        agency = filing.defendant if filing else judgment.addressed_to or UNKNOWN_AGENCY
        heard = judgment.case_no in events.heard or judgment.head_appeared
        rows.add(
            agency,
            judged=1,
            lost=int(judgment.outcome == AGENCY_LOST),
            heard=int(heard),
            head_appeared=int(heard and judgment.head_appeared),
        )
        outcomes[judgment.outcome] = outcomes.get(judgment.outcome, 0) + 1
    replies = _first_replies(events.replies)
    for issued in _latest_suggestions(s for s in events.suggestions if s.issued_on.year == year):
        replied_on = replies.get((issued.suggestion_no, issued.recipient))
        rows.add(issued.recipient, suggestions=1, **{_reply_state(issued, replied_on, as_of): 1})
    agencies = rows.figures()
    return AnnualFigures(year, as_of, agencies, _total(agencies), outcomes)


class _Rows:
    """Counts per agency, added up event by event."""

    def __init__(self) -> None:
        self._counts: dict[str, dict[str, int]] = {}

    def add(self, unit: str, **counts: int) -> None:
        row = self._counts.setdefault(unit, {})
        for name, n in counts.items():
            row[name] = row.get(name, 0) + n

    def figures(self) -> tuple[AgencyFigures, ...]:
        return tuple(AgencyFigures(unit, **self._counts[unit]) for unit in sorted(self._counts))


def read_filed(envelope: Mapping[str, Any]) -> CaseFiled | None:
    data = _data(envelope)
    try:
        return CaseFiled(
            case_no=_case_no(data),
            defendant=str(data["defendant"]["unit"]),
            filed_on=dt.date.fromisoformat(data["filed_on"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def read_judged(envelope: Mapping[str, Any]) -> CaseJudged | None:
    data = _data(envelope)
    try:
        return CaseJudged(
            case_no=_case_no(data),
            addressed_to=_addressed_agency(envelope.get("to")),
            outcome=str(data["outcome"]),
            judged_on=dt.date.fromisoformat(data["judged_on"]),
            head_appeared=data["head_appeared"] is True,
        )
    except (KeyError, TypeError, ValueError):
        return None


def read_suggestion(envelope: Mapping[str, Any]) -> SuggestionIssued | None:
    data = _data(envelope)
    try:
        return SuggestionIssued(
            suggestion_no=str(data["suggestion_no"]),
            recipient=str(data["recipient"]["unit"]),
            issued_on=dt.date.fromisoformat(data["issued_on"]),
            reply_by=dt.date.fromisoformat(data["reply_by"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def read_reply(envelope: Mapping[str, Any]) -> SuggestionReplied | None:
    data = _data(envelope)
    unit = unit_from_source(str(envelope.get("source", "")))
    try:
        if unit is None:
            return None
        return SuggestionReplied(
            suggestion_no=str(data["suggestion_no"]),
            unit=unit,
            replied_on=dt.date.fromisoformat(data["replied_on"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _data(envelope: Mapping[str, Any]) -> Mapping[str, Any]:
    data = envelope.get("data")
    return data if isinstance(data, dict) else {}


def _case_no(data: Mapping[str, Any]) -> str:
    # One spelling per case (ASCII brackets normalised), as the store's case_no column keeps it.
    written = str(data["case_no"])
    return case_number(written) or written


def _addressed_agency(to: object) -> str | None:
    units = [u for u in str(to or "").split() if is_unit_code(u)]
    agencies = [u for u in units if unit_dept(u) != _OFFICE_DEPT]
    found = agencies or units
    return found[0] if found else None


def _defendants(filed: Iterable[CaseFiled]) -> dict[str, CaseFiled]:
    first: dict[str, CaseFiled] = {}
    for case in sorted(filed, key=lambda f: f.filed_on):
        first.setdefault(case.case_no, case)
    return first


def _latest_judgments(judged: Iterable[CaseJudged]) -> list[CaseJudged]:
    latest: dict[str, CaseJudged] = {}
    for case in judged:  # in store order; a later judgment of the same day replaces
        if case.case_no not in latest or case.judged_on >= latest[case.case_no].judged_on:
            latest[case.case_no] = case
    return list(latest.values())


def _latest_suggestions(issued: Iterable[SuggestionIssued]) -> list[SuggestionIssued]:
    latest: dict[str, SuggestionIssued] = {}
    for suggestion in issued:
        latest[suggestion.suggestion_no] = suggestion
    return list(latest.values())


def _first_replies(replies: Iterable[SuggestionReplied]) -> dict[tuple[str, str], dt.date]:
    first: dict[tuple[str, str], dt.date] = {}
    for reply in replies:
        key = (reply.suggestion_no, reply.unit)
        if key not in first or reply.replied_on < first[key]:
            first[key] = reply.replied_on
    return first


def _reply_state(suggestion: SuggestionIssued, replied_on: dt.date | None, as_of: dt.date) -> str:
    if replied_on is not None:
        return "replied_on_time" if replied_on <= suggestion.reply_by else "replied_late"
    return "reply_overdue" if as_of > suggestion.reply_by else "reply_pending"


def _total(agencies: Iterable[AgencyFigures]) -> AgencyFigures:
    rows = list(agencies)
    names = [f.name for f in fields(AgencyFigures) if f.name != "unit"]
    return AgencyFigures(TOTAL, **{name: sum(getattr(r, name) for r in rows) for name in names})


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None
