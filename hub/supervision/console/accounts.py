"""Who signs in to the console, and the rules of signing in: Argon2 password hashes, the lockout
after repeated failures, how long a sign-in lasts. Pure (hashing is CPU only; callers run it off
the event loop); times are arguments.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

if TYPE_CHECKING:
    from datetime import datetime

MIN_PASSWORD_LENGTH: Final = 12
MAX_PASSWORD_LENGTH: Final = 256
_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_PASSWORD_HASHER: Final = PasswordHasher()
"""argon2-cffi's defaults: Argon2id with RFC 9106's low-memory parameters (t=3, 64 MiB, p=4)."""


class Role(StrEnum):
    OFFICE = "office"
    """The joint-meeting office's staff: every page, every unit, the record of trace views."""
    LIAISON = "liaison"
    """A member unit's liaison officer: only what involves the unit."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person a page is shown to."""

    login: str
    role: Role
    unit: str | None = None
    """The liaison's unit; None for the office."""

    @property
    def is_office(self) -> bool:
        return self.role is Role.OFFICE


@dataclass(frozen=True, slots=True)
class Account:
    login: str
    role: Role
    unit: str | None
    password_hash: str
    disabled: bool
    failed_attempts: int
    locked_until: datetime | None
    created_at: datetime
    credentials_changed_at: datetime

    @property
    def viewer(self) -> Viewer:
        return Viewer(self.login, self.role, self.unit)

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


@dataclass(frozen=True, slots=True)
class Lockout:
    """After `max_failures` failed sign-ins in a row the account is locked for `lock_for`; the
    count starts again after a lock and after a success."""

    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)

    def after_failure(self, account: Account, now: datetime) -> Account:
        failures = account.failed_attempts + 1
        if failures < self.max_failures:
            return replace(account, failed_attempts=failures)
        return replace(account, failed_attempts=0, locked_until=now + self.lock_for)

    @staticmethod
    def after_success(account: Account) -> Account:
        return replace(account, failed_attempts=0, locked_until=None)


def login_problem(login: str) -> str | None:
    if _LOGIN.fullmatch(login):
        return None
    return "a login has 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"a password has at most {MAX_PASSWORD_LENGTH} characters"
    if password != password.strip() or not password.isprintable():
        return "a password has no leading or trailing spaces and no control characters"
    return None


def hash_password(password: str) -> str:
    return _PASSWORD_HASHER.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _PASSWORD_HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """A random password for an account an operator did not choose one for (`fyhub up`)."""
    return secrets.token_urlsafe(18)


def signed_in_still(
    account: Account, signed_in_at: datetime, now: datetime, max_age: timedelta
) -> bool:
    """Whether a sign-in at `signed_in_at` still holds: the account enabled, its password not
    changed since, and not older than `max_age`."""
    if account.disabled or signed_in_at <= account.credentials_changed_at:
        return False
    return signed_in_at <= now < signed_in_at + max_age
