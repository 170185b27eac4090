"""A hub started outside a local run (brokers configured) with what a local run may use refuses
to start, naming what is wrong, before it connects to anything: exit 2, never a traceback."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from schemas.signing import dump_private_key_raw

REPO = Path(__file__).resolve().parents[2]
FYHUB = Path(sys.executable).parent / "fyhub"


def _start_router(cwd: Path, **more: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FYHUB_")}
    env |= {
        "FYHUB_KAFKA__BOOTSTRAP": "broker.county.example:9093",  # never reached
        "FYHUB_KAFKA__USERNAME": "fyhub.router",
        "FYHUB_KAFKA__PASSWORD": "not-used",
        "FYHUB_REGISTRY": str(REPO / "deploy/units/wuyang-411121.yaml"),
        "FYHUB_ROUTING": str(REPO / "deploy/routing.yaml"),
        "FYHUB_CALENDAR": str(REPO / "deploy/calendar"),
        **more,
    }
    return subprocess.run(
        [str(FYHUB), "run", "router"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _installed_key(folder: Path) -> Path:
    key = folder / "hub-signing.key"
    key.write_text(dump_private_key_raw(Ed25519PrivateKey.generate()) + "\n", encoding="utf-8")
    key.chmod(0o600)
    return key


def test_a_missing_signing_key_is_refused_at_start_and_not_made(tmp_path: Path) -> None:
    started = _start_router(tmp_path)

    assert started.returncode == 2, started.stderr
    assert "refusing to start" in started.stderr
    assert "signing key" in started.stderr
    assert "Traceback" not in started.stderr
    assert not (tmp_path / ".fyhub").exists()


def test_the_shipped_token_secret_is_refused_at_start(tmp_path: Path) -> None:
    key = _installed_key(tmp_path)
    started = _start_router(tmp_path, FYHUB_SECURITY__SIGNING_KEY_FILE=str(key))

    assert started.returncode == 2, started.stderr
    assert "refusing to start" in started.stderr
    assert "token secret" in started.stderr
    assert "Traceback" not in started.stderr


def test_a_token_secret_others_may_read_is_refused_at_start(tmp_path: Path) -> None:
    key = _installed_key(tmp_path)
    secret = tmp_path / "token.secret"
    secret.write_text(base64.b64encode(os.urandom(32)).decode(), encoding="utf-8")
    secret.chmod(0o644)
    started = _start_router(
        tmp_path,
        FYHUB_SECURITY__SIGNING_KEY_FILE=str(key),
        FYHUB_SECURITY__TOKEN_SECRET_FILE=str(secret),
    )

    assert started.returncode == 2, started.stderr
    assert "0600" in started.stderr or "permissions" in started.stderr, started.stderr
