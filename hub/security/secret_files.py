"""The hub's secrets: what it refuses to start with, and how the files holding them must be kept.

Pure checks (`*_problem`), each returning what is wrong in one sentence naming the file or the
setting, never the secret; `read_secret_file`, the one reader, which checks the file before
reading it; and `write_private_file`, which makes one private from the start. `hub.bootstrap`
turns problems into a refusal to start.

- Outside a local run (`hub.bootstrap.is_local_run`: brokers configured other than the local
  one of `fyhub kafka up`) the shipped delivery-token secret is refused, and so is a signing key
  that is missing: it is not made on the spot, since the units and the auditor must already know
  its public half.
- A file holding a secret or a private key must be readable by its owner only (0600 or
  stricter); a folder of keys, only enterable by its owner (0700 or stricter). A looser one is
  refused, in any run: another local account could read it.
"""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from pathlib import Path

SHIPPED_TOKEN_SECRET: Final = "fyhub-local-delivery-token-secret"  # noqa: S105 - refused, not used
"""The delivery-token secret a local run uses when none is set; refused anywhere else."""
_GROUP_OR_OTHER: Final = 0o077


class SecretFileError(ValueError):
    """A secret the hub refuses to start with; the message names the file or setting."""


def file_mode_problem(path: Path, mode: int) -> str | None:
    """Why a secret file with `mode` (from `stat`) may not be used, or None."""
    if not stat.S_ISREG(mode):
        return f"{path} is not a regular file"
    if mode & _GROUP_OR_OTHER:
        shown = f"{stat.S_IMODE(mode):o}"
        return f"{path} is mode {shown}: others may read it; make it 0600 (chmod 600 {path})"
    return None


def folder_mode_problem(path: Path, mode: int) -> str | None:
    """Why a folder of keys with `mode` may not be used, or None."""
    if not stat.S_ISDIR(mode):
        return f"{path} is not a folder"
    if mode & _GROUP_OR_OTHER:
        shown = f"{stat.S_IMODE(mode):o}"
        return f"{path} is mode {shown}: others may list it; make it 0700 (chmod 700 {path})"
    return None


def token_secret_problem(secret: str | None, *, local_run: bool) -> str | None:
    """Why the delivery-token secret may not be used, or None (`secret` None: none was set)."""
    if local_run:
        return None
    if secret is None:
        return (
            "no delivery-token secret: set FYHUB_SECURITY__TOKEN_SECRET_FILE (a 0600 file) "
            "outside a local run"
        )
    if secret == SHIPPED_TOKEN_SECRET:
        return (
            "the delivery-token secret is the one fyhub ships for local runs: anyone could "
            "forge delivery tokens; set FYHUB_SECURITY__TOKEN_SECRET_FILE to a secret of your own"
        )
    return None


def missing_key_problem(path: Path, *, exists: bool, local_run: bool) -> str | None:
    """Why a missing signing key is refused (outside a local run), or None."""
    if exists or local_run:
        return None
    return (
        f"the hub's signing key {path} is missing; outside a local run it is not made on the "
        "spot: install the key whose public half the units and the auditor know"
    )


def read_secret_file(path: Path) -> str:
    """The text of a secret file (stripped), once its mode is checked; raises `SecretFileError`."""
    try:
        problem = file_mode_problem(path, path.stat().st_mode)
        if problem is None:
            text = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise SecretFileError(f"{path} cannot be read: {error.strerror}") from None
    if problem is not None:
        raise SecretFileError(problem)
    if not text:
        raise SecretFileError(f"{path} is empty")
    return text


def write_private_file(path: Path, text: str) -> None:
    """Create `path` (it must not exist) holding `text`, mode 0600 from its creation on, and
    its missing folders 0700."""
    for folder in reversed([path.parent, *path.parent.parents]):
        if not folder.exists():
            folder.mkdir(mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def check_folder(path: Path) -> None:
    """Raise `SecretFileError` unless `path` is a folder only its owner may enter."""
    try:
        problem = folder_mode_problem(path, path.stat().st_mode)
    except OSError as error:
        raise SecretFileError(f"{path} cannot be read: {error.strerror}") from None
    if problem is not None:
        raise SecretFileError(problem)
