"""`fyhub hub-key`: the hub's public key, made once and then the same, matching its private key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from schemas.signing import load_private_key_raw, load_public_key, sign_event, verify_event

FYHUB = Path(sys.executable).parent / "fyhub"


def hub_key(key_file: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FYHUB_")}
    env["FYHUB_SECURITY__SIGNING_KEY_FILE"] = str(key_file)
    env["FYHUB_SECURITY__SIGNING_KEY_ID"] = "hub-7"
    shown = subprocess.run(
        [FYHUB, "hub-key"], env=env, capture_output=True, text=True, check=True, timeout=60
    )
    return shown.stdout.strip()


def test_the_printed_key_is_made_once_and_verifies_what_the_hub_signs(tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "hub.key"
    first = hub_key(key_file)
    assert hub_key(key_file) == first
    key_id, public_text = first.split(" ")
    assert key_id == "hub-7"
    assert key_file.stat().st_mode & 0o077 == 0  # private to its owner
    private = load_private_key_raw(key_file.read_text().strip())
    signed = sign_event({"id": "e1", "data": {"n": 1}}, private, key_id)
    assert verify_event(signed, {key_id: load_public_key(public_text)})
    assert not verify_event(signed | {"data": {"n": 2}}, {key_id: load_public_key(public_text)})


def test_the_key_prints_as_an_entry_of_the_hub_keys(tmp_path: Path) -> None:
    key_file = tmp_path / "hub.key"
    key_id, public_text = hub_key(key_file).split(" ")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FYHUB_")}
    env["FYHUB_SECURITY__SIGNING_KEY_FILE"] = str(key_file)
    env["FYHUB_SECURITY__SIGNING_KEY_ID"] = "hub-7"
    shown = subprocess.run(
        [FYHUB, "hub-key", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(shown.stdout) == {"key_id": key_id, "public": public_text}
