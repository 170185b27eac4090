"""The console's session secret: read from its file, or the console refuses to start naming the
setting (missing, readable by others, too short)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from hub.bootstrap import load_console_session_secret, load_settings
from hub.settings import SettingsError

if TYPE_CHECKING:
    from pathlib import Path

    from hub.settings import Settings

SECRET = "k" * 48


def settings_with(secret_file: Path) -> Settings:
    return load_settings(console={"session_secret_file": secret_file})


def written(path: Path, text: str, mode: int) -> Path:
    path.write_text(text + "\n", encoding="utf-8")
    path.chmod(mode)
    return path


def test_the_secret_is_read_from_its_file(tmp_path: Path) -> None:
    secret_file = written(tmp_path / "console-session.key", SECRET, 0o600)

    assert load_console_session_secret(settings_with(secret_file)) == SECRET


@pytest.mark.parametrize(
    ("text", "mode", "said"),
    [
        (None, 0o600, "cannot be read"),
        (SECRET, 0o644, "readable by others"),
        (SECRET, 0o640, "readable by others"),
        ("short", 0o600, "fewer than 32 characters"),
        ("", 0o600, "fewer than 32 characters"),
    ],
)
def test_without_a_usable_secret_the_console_refuses_to_start(
    tmp_path: Path, text: str | None, mode: int, said: str
) -> None:
    secret_file = tmp_path / "console-session.key"
    if text is not None:
        written(secret_file, text, mode)

    with pytest.raises(SettingsError) as refused:
        load_console_session_secret(settings_with(secret_file))

    [problem] = refused.value.problems
    assert problem.startswith("FYHUB_CONSOLE__SESSION_SECRET_FILE")
    assert said in problem
    assert SECRET not in problem
