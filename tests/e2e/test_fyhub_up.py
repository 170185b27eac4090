"""`fyhub up` as an operator runs it: the hub, the office console and the demo linkage on the real
broker, steady traffic within minutes, a case whose trace shows the answers of tax and market
supervision, metrics and the console answering, Ctrl-C stopping everything cleanly, and in all
that time no traceback, no lock error and no partition list in what it printed."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.kafka.access import KafkaAccess
from hub.store.engine import build_engine
from hub.store.tables import DeliveryRow, EventRow
from tests.fixtures.console_login import ConsoleClient, Credentials
from tests.fixtures.journal import write_hub_key
from tests.fixtures.ports import free_port_block
from tests.hubkit import TOKEN_SECRET, kafka_env, random_region

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
FYHUB = Path(sys.executable).parent / "fyhub"
COUNTY = REPO / "deploy/units/wuyang-411121.yaml"
REGION = random_region()
"""The county's registry is run in a made-up region, so its topics are this run's own."""


def up_env(kafka: KafkaAccess, tmp_path: Path) -> dict[str, str]:
    registry = tmp_path / f"wuyang-{REGION}.yaml"
    registry.write_text(COUNTY.read_text(encoding="utf-8").replace("411121", REGION), "utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("FYHUB_")}
    return env | {
        **kafka_env(kafka),
        "FYHUB_REGISTRY": str(registry),
        "FYHUB_ROUTING": str(REPO / "deploy/routing.yaml"),
        "FYHUB_CALENDAR": str(REPO / "deploy/calendar"),
        "FYHUB_OBSERVABILITY__PORT": str(free_port_block()),
        "FYHUB_CONSOLE__PORT": str(free_port_block(1)),
        "FYHUB_DOCUMENTS__PORT": str(free_port_block(1)),
        # A configured broker is no local run: the hub's secrets are installed, not shipped.
        "FYHUB_SECURITY__TOKEN_SECRET": TOKEN_SECRET.decode(),
        "FYHUB_SECURITY__SIGNING_KEY_FILE": str(write_hub_key(tmp_path / "hub-signing.key")),
    }


async def answered_by_tax_and_samr(store_url: str) -> str | None:
    """The case number of an enforcement query both tax and samr have answered, if any."""
    engine = build_engine(store_url, read_only=True)
    try:
        async with engine.connect() as connection:
            query = (
                select(EventRow.case_no, DeliveryRow.recipient)
                .join(DeliveryRow, DeliveryRow.event_id == EventRow.event_id)
                .where(
                    EventRow.type == "enforcement.query.requested.v1",
                    DeliveryRow.replied_at.is_not(None),
                )
            )
            rows = (await connection.execute(query)).all()
    except Exception:
        return None
    finally:
        await engine.dispose()
    by_case: dict[str, set[str]] = {}
    for case_no, recipient in rows:
        by_case.setdefault(case_no, set()).add(recipient)
    wanted = {f"tax.{REGION}", f"samr.{REGION}"}
    return next((case for case, units in by_case.items() if wanted <= units), None)


async def receipted_by_members(store_url: str) -> set[str]:
    """The member units (neither court, tax nor samr) that have receipted a delivery."""
    engine = build_engine(store_url, read_only=True)
    try:
        async with engine.connect() as connection:
            query = select(DeliveryRow.recipient).where(DeliveryRow.receipt_at.is_not(None))
            recipients = set((await connection.execute(query)).scalars())
    finally:
        await engine.dispose()
    return recipients - {f"{dept}.{REGION}" for dept in ("court", "tax", "samr")}


def office_password(home: Path, said: str) -> str:
    """The office's console password, from the file `up` said it wrote, private to its owner
    like the session key."""
    password_file = home / ".fyhub/console-office.password"
    assert str(Path(".fyhub/console-office.password")) in said
    assert password_file.stat().st_mode & 0o077 == 0
    assert (home / ".fyhub/console-session.key").stat().st_mode & 0o077 == 0
    return password_file.read_text(encoding="utf-8").strip()


async def office_sees_liaisons(port: str, password: str) -> str:
    """The console's liaison page as the office sees it; nothing without a sign-in."""
    browser = ConsoleClient(f"http://127.0.0.1:{port}")
    assert urllib.parse.urlsplit((await browser.get("/liaisons")).url).path == "/login"
    signed_in = await browser.sign_in(Credentials("office", password), next_page="/liaisons")
    assert signed_in.status == 200, signed_in.body
    return signed_in.body


async def acl_plan(env: dict[str, str], cwd: Path) -> str:
    """What `fyhub acl plan` prints, once it has exited 0 (no difference from the plan)."""
    planned = await asyncio.create_subprocess_exec(
        FYHUB, "acl", "plan", cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(planned.communicate(), 60)
    assert planned.returncode == 0, out.decode()[-2000:]
    return out.decode()


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode()


async def test_fyhub_up_runs_the_linkage_until_ctrl_c(
    kafka_access: KafkaAccess, tmp_path: Path
) -> None:
    env = up_env(kafka_access, tmp_path)
    log = tmp_path / "up.log"
    with log.open("wb") as out:
        up = await asyncio.create_subprocess_exec(
            FYHUB, "up", cwd=tmp_path, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT
        )
    store_url = f"sqlite+aiosqlite:///{tmp_path / '.fyhub/fyhub.db'}"
    try:
        async with asyncio.timeout(240):
            while "fyhub is running" not in log.read_text(errors="replace"):
                assert up.returncode is None, log.read_text(errors="replace")
                await asyncio.sleep(0.5)
        case_no = None
        async with asyncio.timeout(300):
            while case_no is None:
                assert up.returncode is None, log.read_text(errors="replace")[-3000:]
                await asyncio.sleep(2)
                case_no = await answered_by_tax_and_samr(store_url)

        traced = await asyncio.create_subprocess_exec(
            FYHUB,
            "trace",
            case_no,
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(traced.communicate(), 60)
        shown = out.decode()
        assert traced.returncode == 0, err.decode()
        assert "enforcement.query.answered.v1" in shown
        assert f"tax.{REGION}" in shown
        assert f"samr.{REGION}" in shown

        # the other member units' connectors receipt what they are delivered
        async with asyncio.timeout(180):
            while not await receipted_by_members(store_url):
                assert up.returncode is None, log.read_text(errors="replace")[-3000:]
                await asyncio.sleep(2)

        metrics_port = env["FYHUB_OBSERVABILITY__PORT"]
        status, text = await asyncio.to_thread(get, f"http://127.0.0.1:{metrics_port}/metrics")
        assert status == 200
        assert f'fyhub_events_routed_total{{recipient="tax.{REGION}"' in text
        password = office_password(tmp_path, log.read_text(errors="replace"))
        liaisons = await office_sees_liaisons(env["FYHUB_CONSOLE__PORT"], password)
        assert "舞阳县人民法院" in liaisons

        # secured end to end: every service and connector ran as its own principal, under
        # exactly the ACLs the registry implies
        assert "The brokers hold exactly the planned ACLs." in await acl_plan(env, tmp_path)
        assert "Principals ready (" in log.read_text(errors="replace")
    finally:
        if up.returncode is None:
            up.send_signal(signal.SIGINT)
        stopped = await asyncio.wait_for(up.wait(), 90)
    said = log.read_text(errors="replace")
    assert stopped == 0, said[-3000:]
    # a quiet run: nothing failed loudly, and the frameworks' partition lists stayed at DEBUG
    assert "Traceback" not in said, said[-3000:]
    assert "database is locked" not in said
    assert "skipped: OperationalError" not in said
    assert [line[:200] for line in said.splitlines() if "assigned to partitions" in line] == []
