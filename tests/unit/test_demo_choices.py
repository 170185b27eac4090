"""The demo scenario's choice of the next step: only steps the open matters allow."""

import datetime as dt
import random

import pytest

from connectors.demo.choices import (
    MEMORY,
    WEIGHTS,
    ScenarioState,
    Step,
    bad_record_due,
    choose_step,
)
from connectors.demo.court import CourtDemo
from schemas.common import UnitRef

TODAY = dt.date(2026, 5, 11)
INDEPENDENT = {
    Step.ENFORCEMENT_QUERY,
    Step.BANKRUPTCY_ACCEPTED,
    Step.ADMIN_CASE_FILED,
    Step.JUDICIAL_SUGGESTION,
}


def test_with_nothing_open_only_new_matters_can_start() -> None:
    state = ScenarioState()
    assert set(state.available()) == INDEPENDENT
    rng = random.Random(0)
    assert {choose_step(rng, state) for _ in range(300)} == INDEPENDENT


def test_each_follow_up_step_becomes_available_with_its_matter() -> None:
    demo = CourtDemo(random.Random(1), TODAY)
    state = ScenarioState()
    case = demo.enforcement_case()
    state.enforcement.append(case)
    assert {Step.EQUITY_FREEZE, Step.LISTING} <= set(state.available())
    listing = demo.listing(case)
    state.listings.append(listing)
    assert {Step.CORRECTION, Step.DELISTING} <= set(state.available())
    state.corrected.add(listing.listing_id)
    assert Step.CORRECTION not in state.available()  # one correction per listing
    filed = demo.admin_case(UnitRef(unit="tax.411121", name="国家税务总局舞阳县税务局"))
    state.filed.append(filed)
    assert Step.HEARING_SCHEDULED in state.available()
    assert Step.ADMIN_CASE_JUDGED not in state.available()  # no judgment before the hearing
    state.heard.append((filed, True))
    state.bankruptcies.append(demo.bankruptcy())
    assert set(state.available()) == set(Step) - {Step.CORRECTION}
    state.listings.append(demo.listing(demo.enforcement_case()))
    assert set(state.available()) == set(Step)


def test_every_step_has_a_weight() -> None:
    assert set(WEIGHTS) == set(Step)
    assert all(weight > 0 for weight in WEIGHTS.values())


def test_the_same_seed_chooses_the_same_steps() -> None:
    state = ScenarioState()
    first = [choose_step(random.Random(9), state) for _ in range(5)]
    assert first == [choose_step(random.Random(9), state) for _ in range(5)]


def test_open_matters_are_remembered_up_to_a_bound() -> None:
    demo = CourtDemo(random.Random(2), TODAY)
    state = ScenarioState()
    for _ in range(MEMORY + 5):
        state.bankruptcies.append(demo.bankruptcy())
    assert len(state.bankruptcies) == MEMORY
    assert state.bankruptcies[0].case_no.endswith("破6号")


@pytest.mark.parametrize(
    ("step", "every", "due"),
    [
        (50, 50, True),
        (100, 50, True),
        (49, 50, False),
        (1, 1, True),
        (10, 0, False),
        (10, -1, False),
    ],
)
def test_a_bad_record_replaces_every_nth_step(step: int, every: int, due: bool) -> None:
    assert bad_record_due(step, every) is due
