"""What the demo court does next, given what it has done so far. Pure.

The scenario keeps a small memory of open matters (enforcement cases, active listings, open
bankruptcies, administrative cases waiting for a hearing or a judgment) and draws the next step
from the steps that make sense now, so a case's events come in a lawful order: a listing before
its correction and deletion, an acceptance before the termination, a filing before the hearing
and the hearing before the judgment.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import random

    from connectors.demo.court import EnforcementCase
    from schemas.admincase import AdmincaseFiled
    from schemas.bankruptcy import BankruptcyAccepted
    from schemas.debtor import DebtorListed

MEMORY: Final = 200
"""Open matters remembered per kind; older ones are simply left alone."""


class Step(StrEnum):
    ENFORCEMENT_QUERY = "enforcement_query"
    """A new enforcement case; its debtors are queried at tax and samr."""
    EQUITY_FREEZE = "equity_freeze"
    """samr is asked to freeze equity a debtor holds."""
    LISTING = "listing"
    """A debtor of an open case is listed as dishonest."""
    CORRECTION = "correction"
    DELISTING = "delisting"
    BANKRUPTCY_ACCEPTED = "bankruptcy_accepted"
    BANKRUPTCY_TERMINATED = "bankruptcy_terminated"
    ADMIN_CASE_FILED = "admin_case_filed"
    HEARING_SCHEDULED = "hearing_scheduled"
    ADMIN_CASE_JUDGED = "admin_case_judged"
    JUDICIAL_SUGGESTION = "judicial_suggestion"


WEIGHTS: Final = {
    Step.ENFORCEMENT_QUERY: 4,
    Step.EQUITY_FREEZE: 2,
    Step.LISTING: 2,
    Step.CORRECTION: 1,
    Step.DELISTING: 1,
    Step.BANKRUPTCY_ACCEPTED: 1,
    Step.BANKRUPTCY_TERMINATED: 1,
    Step.ADMIN_CASE_FILED: 1,
    Step.HEARING_SCHEDULED: 1,
    Step.ADMIN_CASE_JUDGED: 1,
    Step.JUDICIAL_SUGGESTION: 1,
}
"""Relative frequency of each step; enforcement dominates, as in a county court's work."""


def _memory() -> deque[Any]:
    return deque(maxlen=MEMORY)


@dataclass
class ScenarioState:
    """Open matters the next steps can build on."""

    enforcement: deque[EnforcementCase] = field(default_factory=_memory)
    """Enforcement cases whose debtors are not listed yet."""
    listings: deque[DebtorListed] = field(default_factory=_memory)
    corrected: set[str] = field(default_factory=set)
    """Listing ids already corrected once."""
    bankruptcies: deque[BankruptcyAccepted] = field(default_factory=_memory)
    filed: deque[AdmincaseFiled] = field(default_factory=_memory)
    """Administrative cases waiting for their hearing."""
    heard: deque[tuple[AdmincaseFiled, bool]] = field(default_factory=_memory)
    """Administrative cases heard, waiting for judgment, with whether the head was required."""

    def available(self) -> list[Step]:
        """The steps that make sense now, in `Step` order."""
        needs = {
            Step.EQUITY_FREEZE: self.enforcement,
            Step.LISTING: self.enforcement,
            Step.CORRECTION: [i for i in self.listings if i.listing_id not in self.corrected],
            Step.DELISTING: self.listings,
            Step.BANKRUPTCY_TERMINATED: self.bankruptcies,
            Step.HEARING_SCHEDULED: self.filed,
            Step.ADMIN_CASE_JUDGED: self.heard,
        }
        return [step for step in Step if step not in needs or needs[step]]


def choose_step(rng: random.Random, state: ScenarioState) -> Step:
    """The next step, drawn by `WEIGHTS` among the available ones."""
    steps = state.available()
    (step,) = rng.choices(steps, weights=[WEIGHTS[step] for step in steps])
    return step


def bad_record_due(step_number: int, every: int) -> bool:
    """Whether step `step_number` (from 1) sends a bad record instead; `every` ≤ 0: never."""
    return every > 0 and step_number % every == 0
