"""Deliveries planned with a cache are the deliveries planned without one: each projection and
due time is worked out once per event and remembered for the next, never mixed up between types,
days, recipients who owe a reply and those who do not, routing tables or policies."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bench import rig
from hub.routing.deadlines import DeadlinePolicy
from hub.routing.plan import PlanCache, plan_deliveries
from hub.routing.resolve import resolve_recipients
from tests.fixtures.corpus.loader import valid_samples
from tests.hubkit import router_context

MONDAY = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
INSTANTS = [
    MONDAY,
    MONDAY + timedelta(hours=15, minutes=59),  # 23:59 in China, the same day
    MONDAY + timedelta(hours=16),  # the next day in China
    datetime(2026, 12, 31, 15, 59, tzinfo=UTC),  # the last minute of 2026 in China
    datetime(2026, 12, 31, 16, 0, tzinfo=UTC),  # the first of 2027, a holiday
]


@pytest.fixture(scope="module")
def county() -> Any:
    with tempfile.TemporaryDirectory() as work:
        return router_context(rig.county_registry(Path(work), "411121"))


def routable(ctx: Any) -> list[tuple[Any, tuple[str, ...], dict[str, Any]]]:
    """Each valid sample's route, recipients and event, where the router would deliver it."""
    cases = []
    for sample in valid_samples():
        event = sample.event
        source = str(event["source"]).removeprefix("fy:unit:")
        route = ctx.table.route(event["type"])
        recipients = resolve_recipients(
            ctx.table,
            ctx.registry,
            source=source,
            event_type=event["type"],
            to=event.get("to"),
            original_sender="court.411121",
        )
        if route is None or not isinstance(recipients, tuple) or not recipients:
            continue
        try:  # answers here all go to the court, which not every answer's rule projects for
            uncached(ctx, (route, recipients, event), MONDAY)
        except LookupError:
            continue
        cases.append((route, recipients, event))
    return cases


def plan(ctx: Any, case: Any, at: datetime, cache: PlanCache | None, **options: Any) -> Any:
    route, recipients, event = case
    return plan_deliveries(
        route,
        recipients,
        payload=event["data"],
        routed_at=at,
        calendar=ctx.calendar,
        to=event.get("to"),
        policy=options.get("policy", ctx.deadlines),
        cache=cache,
    )


def uncached(ctx: Any, case: Any, at: datetime, **options: Any) -> Any:
    """Each recipient planned on its own, as if it were the only one: nothing shared."""
    route, recipients, event = case
    return tuple(plan(ctx, (route, (code,), event), at, None, **options)[0] for code in recipients)


def test_the_corpus_is_planned_alike_with_a_cache_on_every_day(county: Any) -> None:
    cache = PlanCache()
    cases = routable(county)
    assert len(cases) > 10
    for at in INSTANTS:
        for case in cases:
            assert plan(county, case, at, cache) == uncached(county, case, at)
    assert len(cache) > 0


def test_a_shortening_policy_runs_from_the_instant_not_the_day(county: Any) -> None:
    cache = PlanCache()
    quick = DeadlinePolicy(scale=0.001, receipt_override_s=60.0)
    for case in routable(county):
        for at in (MONDAY, MONDAY + timedelta(minutes=7)):
            got = plan(county, case, at, cache, policy=quick)
            assert got == uncached(county, case, at, policy=quick)


def test_a_cache_filled_for_one_table_does_not_answer_for_another(county: Any) -> None:
    cache = PlanCache()
    case = routable(county)[0]
    plan(county, case, MONDAY, cache)
    route, recipients, event = case
    changed = route.model_copy(update={"receipt_days": (route.receipt_days or 1) + 5})
    got = plan(county, (changed, recipients, event), MONDAY, cache)
    assert got == uncached(county, (changed, recipients, event), MONDAY)
    assert got != plan(county, case, MONDAY, cache)


def test_the_cache_stays_within_its_bound(county: Any) -> None:
    cache = PlanCache(max_entries=3)
    for day in range(30):
        for case in routable(county)[:5]:
            plan(county, case, MONDAY + timedelta(days=day), cache)
    assert len(cache) <= 6
