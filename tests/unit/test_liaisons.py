"""The office's liaison list: the registry overlaid with the changes units announced, and what the
auditor keeps of each change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hub.auditor.liaisons import (
    REGISTRY,
    LiaisonChange,
    OfficerState,
    liaison_change,
    liaison_list,
    liaisons_text,
    officers,
)
from hub.journal.reading import event_facts
from hub.registry import load_registry
from tests.hubkit import TEST_REGISTRY, corpus_event, fresh_id

TAX = "tax.411121"
T0 = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)
XU_WEN = {"name": "许文", "post": "法制股股长", "phone": "0395-7235325"}
SUN_LI = {"name": "孙丽", "post": "法制股副股长", "phone": "0395-7235326"}
ZHAO = {"name": "赵强", "post": "征管科科长", "phone": "0395-7235327"}
REGISTRY_UNITS = load_registry(TEST_REGISTRY)


def change(
    n: int,
    new: dict[str, str],
    old: dict[str, str] | None = None,
    *,
    unit: str = TAX,
    effective_on: date = date(2026, 9, 1),
) -> LiaisonChange:
    return LiaisonChange(
        event_source=f"fy:unit:{unit}",
        event_id=f"E{n}",
        unit=unit,
        changed_at=T0 + timedelta(hours=n),
        effective_on=effective_on,
        old=old,
        new=new,
    )


def tax_rows(received: list[Any]) -> list[tuple[str, str, str]]:
    return [
        (row.name, row.phone, row.source) for row in liaison_list(REGISTRY_UNITS, received, TAX)
    ]


def test_a_routed_liaison_change_is_read_from_its_event() -> None:
    event = fresh_id(corpus_event("unit.liaison.changed.v1"))
    found = liaison_change(event_facts(event), T0)
    assert found is not None
    assert (found.unit, found.event_id, found.changed_at, found.effective_on) == (
        TAX,
        event["id"],
        T0,
        date(2026, 9, 1),
    )
    assert (found.old, found.new) == (XU_WEN, SUN_LI)


def test_other_types_and_unreadable_payloads_are_no_liaison_change() -> None:
    listing = corpus_event("debtor.listed.v1")
    assert liaison_change(event_facts(listing), T0) is None
    broken = corpus_event("unit.liaison.changed.v1")
    broken["data"] = {"unit": TAX}
    assert liaison_change(event_facts(broken), T0) is None


def test_without_changes_the_list_is_the_registry() -> None:
    assert tax_rows([]) == [("许文", "0395-7235325", REGISTRY)]


def test_a_replacement_takes_the_registry_entrys_place() -> None:
    found = officers([change(1, SUN_LI, XU_WEN)])
    assert {key: o.state for key, o in found.items()} == {
        (TAX, "许文"): OfficerState.REPLACED,
        (TAX, "孙丽"): OfficerState.CURRENT,
    }
    assert tax_rows(list(found.values())) == [("孙丽", "0395-7235326", "E1")]


def test_a_change_without_old_adds_an_officer_after_the_registrys() -> None:
    found = officers([change(1, ZHAO)])
    assert tax_rows(list(found.values())) == [
        ("许文", "0395-7235325", REGISTRY),
        ("赵强", "0395-7235327", "E1"),
    ]


def test_a_new_phone_for_the_same_officer_overrides_the_registry() -> None:
    moved = {**XU_WEN, "phone": "13903951234"}
    found = officers([change(1, moved, XU_WEN)])
    assert {key: o.state for key, o in found.items()} == {(TAX, "许文"): OfficerState.CURRENT}
    assert tax_rows(list(found.values())) == [("许文", "13903951234", "E1")]


def test_the_last_change_naming_an_officer_wins() -> None:
    found = officers([change(1, SUN_LI, XU_WEN), change(2, XU_WEN, SUN_LI)])
    assert found[(TAX, "孙丽")].state is OfficerState.REPLACED
    assert (found[(TAX, "许文")].state, found[(TAX, "许文")].event_id) == (
        OfficerState.CURRENT,
        "E2",
    )
    assert tax_rows(list(found.values())) == [("许文", "0395-7235325", "E2")]


def test_changes_of_one_unit_leave_the_others_as_registered() -> None:
    found = officers([change(1, SUN_LI, XU_WEN)])
    everyone = liaison_list(REGISTRY_UNITS, list(found.values()))
    assert everyone[0].unit == "justice.411121"
    others = [row for row in everyone if row.unit != TAX]
    assert all(row.source == REGISTRY for row in others)
    assert len(everyone) == sum(len(u.liaisons) for u in REGISTRY_UNITS.units.values())


def test_the_text_lists_the_officers_with_their_source_then_the_history() -> None:
    history = [change(1, SUN_LI, XU_WEN)]
    text = liaisons_text(
        liaison_list(REGISTRY_UNITS, list(officers(history).values()), TAX), history
    )
    lines = text.splitlines()
    assert lines[0] == "liaison officers (联络员):"
    assert "孙丽  法制股副股长  0395-7235326  since 2026-09-01  (change E1," in lines[1]
    assert lines[2] == "changes received:"
    assert "许文 (法制股股长, 0395-7235325) -> 孙丽 (法制股副股长, 0395-7235326)" in lines[3]
    assert "event E1" in lines[3]
