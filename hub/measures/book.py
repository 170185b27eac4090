"""The measures a court's control requests impose, continue and release. Pure.

A seal or freeze (`seal`, `freeze`) answered `controlled` is a measure in force until its end:
the end the unit registered (the answer's `end`), else the one the court asked for. A
continuation (`continue_seal`, `continue_freeze`) names the measure it continues by
`previous_request_no`, the court's number of the request that imposed it (or of an earlier
continuation of it); answered `controlled`, it moves that measure's end. A release (`release`,
`unfreeze`) answered `controlled` ends it. A measure is kept per request event, with nothing of
the asset but its kind: the court has the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError

from schemas.catalogue import CATALOGUE
from schemas.control import ControlAction, ControlResult, EnforcementControlAnswered
from schemas.control import EnforcementControlRequested as Requested

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

CONTROL_REQUESTED: Final = Requested.event_type
CONTROL_ANSWERED: Final = EnforcementControlAnswered.event_type
IMPOSING: Final = frozenset({ControlAction.SEAL, ControlAction.FREEZE})
CONTINUING: Final = frozenset({ControlAction.CONTINUE_SEAL, ControlAction.CONTINUE_FREEZE})
RELEASING: Final = frozenset({ControlAction.RELEASE, ControlAction.UNFREEZE})
KEPT: Final = IMPOSING | CONTINUING | RELEASING
"""The actions the measures table keeps a row for (deductions and transfers are no measure)."""


class MeasureState(StrEnum):
    REQUESTED = "requested"
    """Asked for, not answered yet (or answered in a way that left it as it was)."""
    IN_FORCE = "in_force"
    """A seal or freeze the unit took: it lapses at `end` unless continued."""
    NOT_CONTROLLED = "not_controlled"
    """The unit could not take it."""
    RELEASED = "released"
    """Released or unfrozen: never reminded of again."""
    APPLIED = "applied"
    """A continuation or release the unit carried out (its effect is on the measure it names)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Measure:
    """One `measures` row: a control request that imposes, continues or releases a measure."""

    event_source: str
    event_id: str
    """The request's event id (the measure's identity)."""
    court: str
    """The unit that asked (the measure's owner, told before it lapses)."""
    unit: str
    """The unit holding the measure."""
    case_no: str
    request_no: str
    action: ControlAction
    asset_kind: str
    end: date | None
    previous_request_no: str | None
    state: MeasureState = MeasureState.REQUESTED
    reminded_for_end: date | None = None
    """The end the court was last reminded of; a continuation's new end is reminded again."""

    @property
    def imposes(self) -> bool:
        return self.action in IMPOSING

    def values(self) -> dict[str, Any]:
        return {
            "event_source": self.event_source,
            "event_id": self.event_id,
            "court": self.court,
            "unit": self.unit,
            "case_no": self.case_no,
            "request_no": self.request_no,
            "action": self.action.value,
            "asset_kind": self.asset_kind,
            "ends_on": self.end,
            "previous_request_no": self.previous_request_no,
            "state": self.state.value,
            "reminded_for_end": self.reminded_for_end,
        }


def measure_from_row(row: Mapping[Any, Any]) -> Measure:
    return Measure(
        event_source=row["event_source"],
        event_id=row["event_id"],
        court=row["court"],
        unit=row["unit"],
        case_no=row["case_no"],
        request_no=row["request_no"],
        action=ControlAction(row["action"]),
        asset_kind=row["asset_kind"],
        end=row["ends_on"],
        previous_request_no=row["previous_request_no"],
        state=MeasureState(row["state"]),
        reminded_for_end=row["reminded_for_end"],
    )


def requested_measure(envelope: Mapping[str, Any], *, court: str, unit: str) -> Measure | None:
    """The row a routed control request opens; None for another type or action, or a payload
    that does not validate (the router checked it; a journal of another version might not)."""
    if envelope.get("type") != CONTROL_REQUESTED:
        return None
    try:
        payload = CATALOGUE[CONTROL_REQUESTED].validate_payload(envelope.get("data") or {})
    except ValidationError:
        return None
    assert isinstance(payload, Requested)
    if payload.action not in KEPT:
        return None
    return Measure(
        event_source=str(envelope["source"]),
        event_id=str(envelope["id"]),
        court=court,
        unit=unit,
        case_no=payload.case_no,
        request_no=payload.request_no,
        action=payload.action,
        asset_kind=payload.asset.kind.value,
        end=payload.end,
        previous_request_no=payload.previous_request_no,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ControlAnswer:
    controlled: bool
    end: date | None
    """The end the unit registered, if it said."""


def control_answer(envelope: Mapping[str, Any]) -> ControlAnswer | None:
    """What a routed control answer says; None for another type or an invalid payload."""
    if envelope.get("type") != CONTROL_ANSWERED:
        return None
    try:
        payload = CATALOGUE[CONTROL_ANSWERED].validate_payload(envelope.get("data") or {})
    except ValidationError:
        return None
    assert isinstance(payload, EnforcementControlAnswered)
    return ControlAnswer(controlled=payload.result is ControlResult.CONTROLLED, end=payload.end)


def answered(request: Measure, answer: ControlAnswer, target: Measure | None) -> list[Measure]:
    """The rows an answer to `request` changes: the request's own, and for a continuation or a
    release carried out, the measure it names (`target`, found by `previous_request_no`). An
    answer to a request already answered changes nothing (the first answer stands)."""
    if request.state is not MeasureState.REQUESTED:
        return []
    if not answer.controlled:
        return [replace(request, state=MeasureState.NOT_CONTROLLED)]
    end = answer.end or request.end
    if request.imposes:
        return [replace(request, state=MeasureState.IN_FORCE, end=end)]
    done = replace(request, state=MeasureState.APPLIED, end=end)
    if target is None or target.state is not MeasureState.IN_FORCE:
        return [done]
    if request.action in RELEASING:
        return [done, replace(target, state=MeasureState.RELEASED)]
    return [done, replace(target, end=end)]


def continued_measure(request_no: str, court: str, measures: Mapping[str, Measure]) -> str | None:
    """The event id of the seal or freeze that `request_no` (of `court`) imposed or continued:
    a chain of continuations leads back to the measure first imposed."""
    by_number = {(m.court, m.request_no): m for m in measures.values()}
    seen: set[str] = set()
    found = by_number.get((court, request_no))
    while found is not None and not found.imposes and found.event_id not in seen:
        seen.add(found.event_id)
        previous = found.previous_request_no
        found = None if previous is None else by_number.get((court, previous))
    return found.event_id if found is not None and found.imposes else None
