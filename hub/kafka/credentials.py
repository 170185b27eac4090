"""Password files of SCRAM principals: `<folder>/<principal>.password`, one secret a file, 0600.

The local broker's manager keeps its principals' passwords this way under its home, and
`hub.bootstrap.kafka_access` finds them there; an operator can keep a production principal's
password the same way (`FYHUB_KAFKA__PASSWORD_FILE`). Passwords are drawn with `secrets`, never
shipped: 32 random bytes, URL-safe base64, so they need no quoting in Kafka's `--add-scram`
bracket syntax or in a JAAS line.
"""

from __future__ import annotations

import os
import re
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

_PRINCIPAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class CredentialError(ValueError):
    """A principal name that cannot be one, or a password file that cannot be read."""


def checked_principal(name: str) -> str:
    """`name`, if it can be a SCRAM username and a file name: letters, digits, `.`, `_`, `-`."""
    if not _PRINCIPAL.fullmatch(name):
        raise CredentialError(
            f"{name!r} cannot be a Kafka principal here: use letters, digits, '.', '_' and '-' "
            "(at most 128, starting with a letter or digit)"
        )
    return name


def password_path(folder: Path, principal: str) -> Path:
    return folder / f"{checked_principal(principal)}.password"


def new_password() -> str:
    return secrets.token_urlsafe(32)


def read_password(path: Path) -> str:
    try:
        password = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise CredentialError(f"no password file at {path}") from None
    if not password:
        raise CredentialError(f"the password file {path} is empty")
    return password


def write_password(path: Path, password: str) -> None:
    """Replace the file at `path` (folder 0700, file 0600 from its creation) with `password`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    temporary.replace(path)


def ensure_password(folder: Path, principal: str) -> tuple[str, bool]:
    """The principal's password from its file, drawn and written first if there is none; the
    password and whether it was new."""
    path = password_path(folder, principal)
    if path.exists():
        return read_password(path), False
    password = new_password()
    write_password(path, password)
    return password, True
