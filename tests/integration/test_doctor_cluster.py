"""`fyhub doctor` run as an operator runs it, against the secured three-node cluster.

A deployment set up as planned (topics applied with the production profile: replication 3 and
min ISR 2; the registry's ACLs; a SQLite store at its head migration; a delivery-token secret
and a hub key of its own; a calendar for this year and the next) passes: exit 0. Then one ACL is
deleted, one inbox is made again with replication 1, and the shipped token secret is left in
force: doctor names all three and exits 1. Run as a principal that is not the brokers'
administrator, it says it could not read the ACLs. `fyhub topics apply` reports the replication
it cannot change and exits 1 too.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from aiokafka.admin import NewTopic

from hub.acl.broker import apply_acls, delete_acls
from hub.acl.plan import planned_acls
from hub.auditor.service import AUDITOR_GROUP
from hub.kafka.admin import admin_client
from hub.registry import load_registry
from hub.security.secret_files import write_private_file
from hub.settings import RouterSettings
from hub.store.migrate import upgrade
from schemas.identifiers import china_today
from schemas.signing import dump_private_key_raw, generate_keypair
from schemas.units import inbox_topic
from tests.fixtures.own_kafka import CLUSTER_PRINCIPAL
from tests.hubkit import ROUTING_TABLE, TEST_REGISTRY, kafka_env

if TYPE_CHECKING:
    from hub.devkit.local_kafka import LocalKafka
    from hub.kafka.access import KafkaAccess

pytestmark = [pytest.mark.kafka, pytest.mark.cluster, pytest.mark.slow]

FYHUB = Path(sys.executable).parent / "fyhub"


def calendar_folder(folder: Path, years: tuple[int, ...]) -> Path:
    """An arrangement file for each of `years` (the test's own, not a State Council notice)."""
    folder.mkdir()
    for year in years:
        (folder / f"{year}.yaml").write_text(
            f"year: {year}\nnotice:\n  title: test arrangement {year}\nholidays:\n"
            f"  - name: 元旦\n    start: {year}-01-01\n    end: {year}-01-01\n",
            encoding="utf-8",
        )
    return folder


def deployment_env(access: KafkaAccess, tmp: Path) -> dict[str, str]:
    """The settings of a deployment as its operators would write them, in `tmp`."""
    token, key, console = tmp / "token-secret", tmp / "keys" / "hub-1.key", tmp / "console.key"
    write_private_file(token, secrets.token_urlsafe(48) + "\n")
    write_private_file(key, dump_private_key_raw(generate_keypair()[0]) + "\n")
    write_private_file(console, secrets.token_urlsafe(48) + "\n")
    today = china_today()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FYHUB_")}
    return (
        env
        | kafka_env(access)
        | {
            "FYHUB_KAFKA__PROFILE": "production",
            "FYHUB_REGISTRY": str(TEST_REGISTRY),
            "FYHUB_ROUTING": str(ROUTING_TABLE),
            "FYHUB_CALENDAR": str(calendar_folder(tmp / "calendar", (today.year, today.year + 1))),
            "FYHUB_DB__URL": f"sqlite+aiosqlite:///{tmp / 'store.db'}",
            "FYHUB_SECURITY__TOKEN_SECRET_FILE": str(token),
            "FYHUB_SECURITY__SIGNING_KEY_FILE": str(key),
            "FYHUB_CONSOLE__SESSION_SECRET_FILE": str(console),
        }
    )


async def fyhub(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        str(FYHUB),
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=180)
    assert process.returncode is not None
    said = out.decode()
    print(f"$ fyhub {' '.join(args)}  (exit {process.returncode})\n{said}")
    return process.returncode, said


async def remade_with_one_replica(admin_access: KafkaAccess, topic: str) -> None:
    """`topic` deleted and created again with replication 1, as by hand without the plan."""
    async with admin_client(admin_access) as admin:
        await admin.delete_topics([topic])
        async with asyncio.timeout(60):
            while topic in await admin.list_topics():
                await asyncio.sleep(0.2)
            while True:
                response = await admin.create_topics([NewTopic(topic, 3, 1)])
                (created,) = response.to_object()["topic_errors"]
                if created["error_code"] == 0:
                    return
                await asyncio.sleep(0.5)  # the deletion has not reached every broker yet


async def test_doctor_passes_a_deployment_as_planned_and_names_what_was_broken(
    local_kafka_cluster: LocalKafka, kafka_cluster_access: KafkaAccess, tmp_path: Path
) -> None:
    env = deployment_env(kafka_cluster_access, tmp_path)
    units = sorted(load_registry(TEST_REGISTRY).units)
    plan = planned_acls(units, router_group=RouterSettings().group_id, auditor_group=AUDITOR_GROUP)

    code, applied = await fyhub("topics", "apply", env=env, cwd=tmp_path)
    assert code == 0, applied
    assert "profile production: replication 3, min.insync.replicas 2" in applied
    assert f"created {2 + 2 * len(units)} topic(s)" in applied
    await apply_acls(kafka_cluster_access, plan)
    await upgrade(env["FYHUB_DB__URL"])

    code, healthy = await fyhub("doctor", env=env, cwd=tmp_path)

    assert code == 0, healthy
    assert "FAIL" not in healthy
    assert "ok   brokers: 3 broker(s) answer" in healthy
    assert f"the brokers hold exactly the {len(plan)} planned ACLs" in healthy
    assert "All is well" in healthy

    removed, inbox = plan[0], inbox_topic(units[0])
    await delete_acls(kafka_cluster_access, [removed])
    await remade_with_one_replica(kafka_cluster_access, inbox)
    shipped = {k: v for k, v in env.items() if k != "FYHUB_SECURITY__TOKEN_SECRET_FILE"}

    code, broken = await fyhub("doctor", env=shipped, cwd=tmp_path)

    assert code == 1, broken
    assert f"missing ACL: {removed.describe()}" in broken
    assert f"topic {inbox} has replication 1, 3 planned" in broken
    assert "the delivery-token secret is the one fyhub ships for local runs" in broken
    assert "FAIL acls" in broken
    assert "FAIL topics" in broken
    assert "FAIL keys" in broken
    assert "ok   store" in broken
    assert "ok   calendar" in broken

    # A principal that is not the brokers' administrator logs in, but may not read the ACLs.
    unit = local_kafka_cluster.access(CLUSTER_PRINCIPAL)
    code, not_admin = await fyhub("doctor", env=env | kafka_env(unit), cwd=tmp_path)
    assert code == 1, not_admin
    assert "ok   brokers: 3 broker(s) answer" in not_admin
    assert "the brokers answered but did not list their ACLs" in not_admin
    assert "skip topics: not checked: only the brokers' administrator sees every topic" in not_admin

    code, reapplied = await fyhub("topics", "apply", env=env, cwd=tmp_path)
    assert code == 1, reapplied
    assert f"{inbox}: replication 1, planned 3: not changed" in reapplied
    assert f"{inbox}: set retention.ms={30 * 86_400_000} (was 604800000)" in reapplied
