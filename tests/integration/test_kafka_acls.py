"""The registry's ACLs on the real, secured broker: `apply_acls` makes the broker match the plan,
and a client with one unit's credentials is refused everything but its own outbox, inbox and
groups, for every ordered pair of units of the test registry and a sample of the county's."""

from __future__ import annotations

import itertools
import random
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hub.acl.broker import apply_acls, create_acls, present_acls
from hub.acl.plan import (
    Acl,
    Operation,
    PatternType,
    ResourceType,
    Service,
    planned_acls,
    unit_group_prefix,
)
from hub.acl.principals import ensure_credentials
from hub.bootstrap import load_settings
from hub.kafka import scram_admin
from hub.kafka.credentials import password_path, read_password
from hub.kafka.topics import apply_topics, planned_topics
from hub.registry import load_registry
from schemas.units import DLQ_TOPIC, JOURNAL_TOPIC, inbox_topic, outbox_topic
from tests.hubkit import TEST_REGISTRY, random_region, registry_in_region
from tests.integration.acl_probes import Client, Outcome, Tally

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from hub.kafka.access import KafkaAccess

pytestmark = pytest.mark.kafka

REPO = Path(__file__).resolve().parents[2]
COUNTY = REPO / "deploy/units/wuyang-411121.yaml"
REFUSED, ALLOWED = Outcome.REFUSED, Outcome.ALLOWED


class Region:
    """A registry moved to a region of its own on the suite's broker: its topics, a credential
    for each of its units and hub services, and the ACLs its plan implies (removed afterwards)."""

    def __init__(self, admin: KafkaAccess, units: list[str], region: str) -> None:
        self.admin, self.units, self.region = admin, units, region
        self.router_group = f"fyhub.router.{region}"
        self.auditor_group = f"fyhub.auditor.{region}"
        self.plan = planned_acls(
            units, router_group=self.router_group, auditor_group=self.auditor_group
        )
        self.passwords = {
            principal: secrets.token_urlsafe(24)
            for principal in [
                *units,
                *(self._service(s) for s in Service if s is not Service.ADMIN),
            ]
        }

    def _service(self, service: Service) -> str:
        # the hub's services of this region: the plan's names, scoped to the test's region
        return f"{service.value}.{self.region}"

    def as_unit(self, unit: str) -> KafkaAccess:
        return self.admin.as_user(unit, self.passwords[unit])

    def as_service(self, service: Service) -> KafkaAccess:
        name = self._service(service)
        return self.admin.as_user(name, self.passwords[name])

    def managed(self, acl: Acl) -> bool:
        return acl.principal in self.passwords

    def scoped_plan(self) -> list[Acl]:
        """The plan with the hub's services renamed to this region's principals."""
        renamed = {s.value: self._service(s) for s in Service}
        return sorted(
            Acl(
                renamed.get(acl.principal, acl.principal),
                acl.resource_type,
                acl.resource_name,
                acl.pattern,
                acl.operation,
            )
            for acl in self.plan
        )


async def _region(admin: KafkaAccess, tmp: Path, registry: Path) -> Region:
    region = random_region()
    moved = registry_in_region(tmp, region, registry)
    units = sorted(load_registry(moved).units)
    made = Region(admin, units, region)
    await apply_topics(admin, planned_topics(units, load_settings().kafka))
    for principal, password in made.passwords.items():
        await scram_admin.upsert_credential(admin, principal, password)
    # the controller applies them in order: once the last logs in everywhere, all do
    last = list(made.passwords)[-1]
    await scram_admin.wait_until_login(admin.as_user(last, made.passwords[last]))
    return made


@pytest.fixture
async def small_region(kafka_access: KafkaAccess, tmp_path: Path) -> AsyncIterator[Region]:
    region = await _region(kafka_access, tmp_path, TEST_REGISTRY)
    await apply_acls(kafka_access, region.scoped_plan(), managed=region.managed)
    yield region
    await _remove(region)


@pytest.fixture
async def county_region(kafka_access: KafkaAccess, tmp_path: Path) -> AsyncIterator[Region]:
    region = await _region(kafka_access, tmp_path, COUNTY)
    await apply_acls(kafka_access, region.scoped_plan(), managed=region.managed)
    yield region
    await _remove(region)


async def _remove(region: Region) -> None:
    await apply_acls(region.admin, [], managed=region.managed)
    for principal in region.passwords:
        await scram_admin.delete_credential(region.admin, principal)


async def test_apply_creates_the_plan_deletes_what_it_no_longer_implies_and_is_idempotent(
    kafka_access: KafkaAccess, tmp_path: Path
) -> None:
    region = await _region(kafka_access, tmp_path, TEST_REGISTRY)
    plan = region.scoped_plan()
    police = next(unit for unit in region.units if unit.startswith("police."))
    tax = next(unit for unit in region.units if unit.startswith("tax."))
    # a right the registry no longer implies: police once read tax's inbox
    withdrawn = Acl(
        police, ResourceType.TOPIC, inbox_topic(tax), PatternType.LITERAL, Operation.READ
    )
    try:
        await create_acls(kafka_access, [withdrawn])

        first = await apply_acls(kafka_access, plan, managed=region.managed)
        again = await apply_acls(kafka_access, plan, managed=region.managed)
        held = [acl for acl in await present_acls(kafka_access) if region.managed(acl)]

        assert sorted(first.missing) == plan
        assert first.extra == (withdrawn,)
        assert again.empty
        assert held == plan
    finally:
        await _remove(region)


async def test_every_unit_is_refused_all_but_its_own_topics_and_groups(
    small_region: Region,
) -> None:
    began = time.monotonic()
    tally = await _probe_pairs(small_region, list(itertools.permutations(small_region.units, 2)))
    seconds = time.monotonic() - began

    pairs = len(small_region.units) * (len(small_region.units) - 1)
    print(f"\nACL probes, test registry: {len(small_region.units)} units, {pairs} ordered pairs")
    print("\n".join(tally.lines()))
    print(
        f"  refused {tally.total(REFUSED)}, allowed {tally.total(ALLOWED)} (own topics and"
        f" groups only), in {seconds:.1f} s"
    )
    assert tally.unexpected == []
    assert tally.total(REFUSED) == pairs * 4 + len(small_region.units) * 8
    assert tally.total(ALLOWED) == len(small_region.units) * 3


COUNTY_SAMPLE = 15
"""Ordered pairs of the county's units probed; every pair of the test registry is probed above,
and a probe of the county costs about 3 s (a SASL_SSL login per client)."""


async def test_a_sample_of_the_countys_pairs_is_refused_the_same(county_region: Region) -> None:
    units = county_region.units
    pairs = random.Random(11).sample(list(itertools.permutations(units, 2)), COUNTY_SAMPLE)
    tally = await _probe_pairs(county_region, pairs)

    print(f"\nACL probes, county registry: {len(units)} units, {COUNTY_SAMPLE} sampled pairs")
    print("\n".join(tally.lines()))
    assert tally.unexpected == []
    assert tally.total(REFUSED) >= COUNTY_SAMPLE * 4


async def test_the_hubs_services_hold_only_their_own_rights(small_region: Region) -> None:
    region, tally = small_region, Tally()
    court = next(unit for unit in region.units if unit.startswith("court."))
    async with Client(region.as_service(Service.AUDITOR)) as auditor:
        tally.record(
            "auditor reads journal",
            "",
            await auditor.read(JOURNAL_TOPIC, region.auditor_group),
            ALLOWED,
        )
        tally.record("auditor writes journal", "", await auditor.write(JOURNAL_TOPIC), REFUSED)
        tally.record(
            "auditor reads outbox",
            court,
            await auditor.read(outbox_topic(court), region.auditor_group),
            REFUSED,
        )
    async with Client(region.as_service(Service.TRACKER)) as tracker:
        tally.record(
            "tracker writes inbox", court, await tracker.write(inbox_topic(court)), ALLOWED
        )
        tally.record(
            "tracker writes outbox", court, await tracker.write(outbox_topic(court)), REFUSED
        )
        tally.record(
            "tracker joins router",
            "",
            await tracker.join(region.router_group, JOURNAL_TOPIC),
            REFUSED,
        )
    async with Client(region.as_service(Service.ROUTER)) as router:
        tally.record(
            "router reads outbox",
            court,
            await router.read(outbox_topic(court), region.router_group),
            ALLOWED,
        )
        tally.record(
            "router reads inbox",
            court,
            await router.read(inbox_topic(court), region.router_group),
            REFUSED,
        )
        tally.record("router deletes topic", "", await router.delete_topic(JOURNAL_TOPIC), REFUSED)
    async with Client(region.as_service(Service.CONSOLE)) as console:
        tally.record("console writes journal", "", await console.write(JOURNAL_TOPIC), REFUSED)
        tally.record(
            "console reads journal",
            "",
            await console.read(JOURNAL_TOPIC, region.auditor_group),
            REFUSED,
        )
    assert tally.unexpected == []


async def _probe_pairs(region: Region, pairs: list[tuple[str, str]]) -> Tally:
    """For each unit A in `pairs`: its own rights (allowed) and what no unit may do (refused);
    for each pair (A, B): B's topics and groups (refused)."""
    tally = Tally()
    others: dict[str, list[str]] = {}
    for a, b in pairs:
        others.setdefault(a, []).append(b)
    for a, bs in others.items():
        own_group = f"{unit_group_prefix(a)}probe"
        async with Client(region.as_unit(a)) as client:
            # positive controls: the unit's own outbox, inbox and groups work
            tally.record("write own outbox", a, await client.write(outbox_topic(a)), ALLOWED)
            tally.record("read own inbox", a, await client.read(inbox_topic(a), own_group), ALLOWED)
            tally.record("join own group", a, await client.join(own_group, inbox_topic(a)), ALLOWED)
            # what no unit may do
            tally.record("write own inbox", a, await client.write(inbox_topic(a)), REFUSED)
            tally.record("write journal", a, await client.write(JOURNAL_TOPIC), REFUSED)
            tally.record("write DLQ", a, await client.write(DLQ_TOPIC), REFUSED)
            tally.record("read journal", a, await client.read(JOURNAL_TOPIC, own_group), REFUSED)
            tally.record(
                "join router group",
                a,
                await client.join(region.router_group, inbox_topic(a)),
                REFUSED,
            )
            tally.record(
                "join auditor group",
                a,
                await client.join(region.auditor_group, inbox_topic(a)),
                REFUSED,
            )
            tally.record("create topic", a, await client.create_topic(), REFUSED)
            tally.record("delete topic", a, await client.delete_topic(outbox_topic(a)), REFUSED)
            for b in bs:
                what = f"{a} → {b}"
                tally.record(
                    "read B's inbox", what, await client.read(inbox_topic(b), own_group), REFUSED
                )
                tally.record("write B's outbox", what, await client.write(outbox_topic(b)), REFUSED)
                tally.record("write B's inbox", what, await client.write(inbox_topic(b)), REFUSED)
                tally.record(
                    "join B's group",
                    what,
                    await client.join(f"{unit_group_prefix(b)}connector", inbox_topic(a)),
                    REFUSED,
                )
    return tally


async def test_credentials_are_created_kept_and_rotated_with_their_files(
    kafka_access: KafkaAccess, tmp_path: Path
) -> None:
    region = random_region()
    first, second = f"tax.{region}", f"samr.{region}"
    folder = tmp_path / "credentials"
    try:
        created = await ensure_credentials(kafka_access, [first, second], folder)
        kept = await ensure_credentials(kafka_access, [first, second], folder)
        old = read_password(password_path(folder, second))
        password_path(folder, first).unlink()  # a file lost: its password cannot be recovered
        rotated = await ensure_credentials(kafka_access, [first, second], folder, rotate=[second])

        assert (created.created, created.kept) == ([first, second], [])
        assert (kept.created, kept.rotated, kept.kept) == ([], [], [first, second])
        assert set(rotated.rotated) == {first, second}
        assert oct(password_path(folder, first).stat().st_mode & 0o777) == "0o600"
        for principal in (first, second):
            access = kafka_access.as_user(
                principal, read_password(password_path(folder, principal))
            )
            await scram_admin.wait_until_login(access)
        await scram_admin.wait_until_refused(kafka_access.as_user(second, old))
        again = await ensure_credentials(kafka_access, [first, "admin"], folder)
        assert again.kept == [first]  # the administrator's own credential is never touched
        with pytest.raises(ValueError, match="not principals of this registry"):
            await ensure_credentials(kafka_access, [first], folder, rotate=["police.1"])
    finally:
        for principal in (first, second):
            await scram_admin.delete_credential(kafka_access, principal)
