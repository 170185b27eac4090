"""The secrets the hub refuses to start with: the shipped delivery-token secret and a missing
signing key outside a local run, and secret files or key folders others may read, in any run;
the store's own file made private."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from hub import bootstrap
from hub.security.secret_files import SHIPPED_TOKEN_SECRET, file_mode_problem, folder_mode_problem
from hub.settings import SettingsError
from hub.store.engine import build_engine
from schemas.signing import dump_public_key, generate_keypair
from tests.fixtures.journal import HUB_KEY_ID, HUB_SIGNER, write_hub_key
from tests.hubkit import TEST_REGISTRY

if TYPE_CHECKING:
    from pathlib import Path

    from hub.settings import Settings

REMOTE = {"bootstrap": "broker-1:9093"}
"""Any configured broker: not a local run."""


@pytest.fixture(autouse=True)
def _no_hub_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # A broker configured for the test session would make every run here "not local".
    for name in [name for name in os.environ if name.startswith("FYHUB_")]:
        monkeypatch.delenv(name)


def settings(tmp_path: Path, *, kafka: dict[str, Any] | None = None, **security: Any) -> Settings:
    values: dict[str, Any] = {"signing_key_file": tmp_path / "hub.key"} | security
    return bootstrap.load_settings(kafka=kafka or {}, security=values, registry=TEST_REGISTRY)


def problem_of(error: pytest.ExceptionInfo[SettingsError]) -> str:
    (problem,) = error.value.problems
    return problem


def private_file(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


# --- the delivery-token secret --------------------------------------------------------------------


def test_the_shipped_token_secret_is_refused_outside_a_local_run(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        bootstrap.delivery_token_secret(settings(tmp_path, kafka=REMOTE))
    assert "the one fyhub ships for local runs" in problem_of(refused)
    assert SHIPPED_TOKEN_SECRET not in problem_of(refused)


def test_the_shipped_token_secret_serves_a_local_run(tmp_path: Path) -> None:
    assert bootstrap.delivery_token_secret(settings(tmp_path)) == SHIPPED_TOKEN_SECRET.encode()


def test_a_token_secret_of_ones_own_serves_anywhere(tmp_path: Path) -> None:
    configured = settings(tmp_path, kafka=REMOTE, token_secret="a secret of our own")
    assert bootstrap.delivery_token_secret(configured) == b"a secret of our own"


def test_the_token_secret_is_read_from_a_private_file(tmp_path: Path) -> None:
    secret = private_file(tmp_path / "token.secret", "from the file\n")
    configured = settings(tmp_path, kafka=REMOTE, token_secret_file=secret)
    assert bootstrap.delivery_token_secret(configured) == b"from the file"


def test_a_token_secret_file_others_may_read_is_refused(tmp_path: Path) -> None:
    secret = private_file(tmp_path / "token.secret", "from the file\n", 0o644)
    with pytest.raises(SettingsError) as refused:
        bootstrap.delivery_token_secret(settings(tmp_path, token_secret_file=secret))
    assert f"{secret} is mode 644" in problem_of(refused)
    assert "from the file" not in problem_of(refused)


def test_a_token_secret_set_twice_is_refused(tmp_path: Path) -> None:
    secret = private_file(tmp_path / "token.secret", "from the file\n")
    both = settings(tmp_path, token_secret="another", token_secret_file=secret)
    with pytest.raises(SettingsError, match="set one of"):
        bootstrap.delivery_token_secret(both)


def test_the_local_broker_that_fyhub_up_fills_in_is_still_a_local_run(tmp_path: Path) -> None:
    for local in ("127.0.0.1:19092", "127.0.0.1:29091,127.0.0.1:29092,127.0.0.1:29093"):
        assert bootstrap.is_local_run(settings(tmp_path, kafka={"bootstrap": local}))
    for remote in ("127.0.0.1:9092", "127.0.0.1:19092,broker-1:9093", "localhost:19092"):
        assert not bootstrap.is_local_run(settings(tmp_path, kafka={"bootstrap": remote}))


# --- the signing key ------------------------------------------------------------------------------


def test_a_missing_signing_key_is_refused_outside_a_local_run_and_not_made(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        bootstrap.load_hub_signing_key(settings(tmp_path, kafka=REMOTE))
    assert f"the hub's signing key {tmp_path / 'hub.key'} is missing" in problem_of(refused)
    assert not (tmp_path / "hub.key").exists()


def test_a_local_run_makes_its_key_private_in_private_folders(tmp_path: Path) -> None:
    key_file = tmp_path / "state" / "keys" / "hub.key"
    made = bootstrap.load_hub_signing_key(settings(tmp_path, signing_key_file=key_file))
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) & 0o077 == 0
    again = bootstrap.load_hub_signing_key(settings(tmp_path, signing_key_file=key_file))
    assert dump_public_key(again.public_key()) == dump_public_key(made.public_key())


def test_a_signing_key_others_may_read_is_refused(tmp_path: Path) -> None:
    key_file = write_hub_key(tmp_path / "hub.key")
    key_file.chmod(0o640)
    with pytest.raises(SettingsError) as refused:
        bootstrap.load_hub_signing_key(settings(tmp_path))
    assert f"{key_file} is mode 640" in problem_of(refused)


def test_the_key_is_taken_from_the_keys_folder_by_its_id(tmp_path: Path) -> None:
    folder = tmp_path / "hub-keys"
    folder.mkdir(mode=0o700)
    write_hub_key(folder / f"{HUB_KEY_ID}.key")
    configured = settings(
        tmp_path, kafka=REMOTE, signing_keys_dir=folder, signing_key_id=HUB_KEY_ID
    )
    signer = bootstrap.load_hub_signer(configured)
    assert signer.key_id == HUB_KEY_ID
    assert dump_public_key(signer.private_key.public_key()) == dump_public_key(
        HUB_SIGNER.private_key.public_key()
    )


def test_a_keys_folder_others_may_enter_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "hub-keys"
    folder.mkdir()
    folder.chmod(0o755)
    write_hub_key(folder / f"{HUB_KEY_ID}.key")
    configured = settings(tmp_path, signing_keys_dir=folder, signing_key_id=HUB_KEY_ID)
    with pytest.raises(SettingsError) as refused:
        bootstrap.load_hub_signing_key(configured)
    assert f"{folder} is mode 755" in problem_of(refused)


def test_a_file_that_is_no_key_is_refused_by_name(tmp_path: Path) -> None:
    private_file(tmp_path / "hub.key", "not a key\n")
    with pytest.raises(SettingsError, match=r"the hub.s signing key .*hub\.key: .*not base64"):
        bootstrap.load_hub_signing_key(settings(tmp_path))


def test_the_pure_mode_checks() -> None:
    regular, folder = stat.S_IFREG, stat.S_IFDIR
    assert file_mode_problem(TEST_REGISTRY, regular | 0o600) is None
    assert file_mode_problem(TEST_REGISTRY, regular | 0o400) is None
    assert file_mode_problem(TEST_REGISTRY, regular | 0o604) is not None
    assert file_mode_problem(TEST_REGISTRY, folder | 0o600) is not None
    assert folder_mode_problem(TEST_REGISTRY, folder | 0o700) is None
    assert folder_mode_problem(TEST_REGISTRY, folder | 0o750) is not None


# --- the keys the journal is checked with ---------------------------------------------------------


def test_the_auditor_trusts_the_listed_hub_keys_without_holding_the_private_one(
    tmp_path: Path,
) -> None:
    _, next_public = generate_keypair()
    listed = [
        {
            "key_id": HUB_KEY_ID,
            "public": dump_public_key(HUB_SIGNER.private_key.public_key()),
            "until": "2027-01-01T00:00:00+08:00",
        },
        {"key_id": "hub-2", "public": dump_public_key(next_public), "since": "2026-12-01T00:00Z"},
    ]
    trust = bootstrap.build_journal_trust(settings(tmp_path, kafka=REMOTE, hub_keys=listed))
    assert set(trust.hub_keys.keys) == {HUB_KEY_ID, "hub-2"}
    assert set(trust.hub_keys.valid_at(datetime(2027, 6, 1, tzinfo=UTC))) == {"hub-2"}
    assert "court.411121" in trust.unit_keys


def test_a_listed_hub_key_contradicting_the_signing_key_is_refused(tmp_path: Path) -> None:
    write_hub_key(tmp_path / "hub.key")
    _, other = generate_keypair()
    listed = [{"key_id": HUB_KEY_ID, "public": dump_public_key(other)}]
    configured = settings(tmp_path, kafka=REMOTE, signing_key_id=HUB_KEY_ID, hub_keys=listed)
    with pytest.raises(SettingsError, match="another public key"):
        bootstrap.build_journal_trust(configured)


def test_with_no_hub_key_listed_nor_held_the_auditor_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="is missing"):
        bootstrap.build_journal_trust(settings(tmp_path, kafka=REMOTE))


# --- the store ------------------------------------------------------------------------------------


async def test_the_sqlite_store_is_made_private_in_private_folders(tmp_path: Path) -> None:
    database = tmp_path / "state" / "fyhub.db"
    engine = build_engine(f"sqlite+aiosqlite:///{database}")
    await engine.dispose()
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(database.parent.stat().st_mode) & 0o077 == 0
