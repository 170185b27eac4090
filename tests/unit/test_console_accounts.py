"""Signing in to the console, pure: Argon2 hashes, the lockout after repeated failures, how long
a sign-in holds, what a login and a password may be."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hub.supervision.console.accounts import (
    MIN_PASSWORD_LENGTH,
    Account,
    Lockout,
    Role,
    hash_password,
    login_problem,
    new_password,
    password_matches,
    password_problem,
    signed_in_still,
)

NOW = datetime(2024, 3, 10, 4, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def account(**changes: object) -> Account:
    base = Account(
        login="office-wang",
        role=Role.OFFICE,
        unit=None,
        password_hash="-",
        disabled=False,
        failed_attempts=0,
        locked_until=None,
        created_at=NOW - timedelta(days=30),
        credentials_changed_at=NOW - timedelta(days=30),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_password_matches_its_argon2id_hash_and_nothing_else() -> None:
    hashed = hash_password(PASSWORD)

    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    assert password_matches(hashed, PASSWORD)
    assert not password_matches(hashed, PASSWORD + "!")
    assert not password_matches(hashed, "")


def test_the_same_password_hashes_differently_each_time() -> None:
    assert hash_password(PASSWORD) != hash_password(PASSWORD)


def test_a_hash_that_is_not_one_never_matches() -> None:
    assert not password_matches("not-a-hash", PASSWORD)
    assert not password_matches("", PASSWORD)


def test_failures_count_up_to_the_limit_then_lock_for_a_while() -> None:
    lockout = Lockout(max_failures=3, lock_for=timedelta(minutes=15))
    once = lockout.after_failure(account(), NOW)
    twice = lockout.after_failure(once, NOW)
    locked = lockout.after_failure(twice, NOW)

    assert (once.failed_attempts, once.locked(NOW)) == (1, False)
    assert (twice.failed_attempts, twice.locked(NOW)) == (2, False)
    assert locked.failed_attempts == 0  # the count starts again after the lock
    assert locked.locked_until == NOW + timedelta(minutes=15)
    assert locked.locked(NOW + timedelta(minutes=14, seconds=59))
    assert not locked.locked(NOW + timedelta(minutes=15))


def test_a_success_clears_the_failures_and_the_lock() -> None:
    troubled = account(failed_attempts=4, locked_until=NOW - timedelta(seconds=1))

    cleared = Lockout().after_success(troubled)

    assert (cleared.failed_attempts, cleared.locked_until) == (0, None)


def test_a_sign_in_holds_until_its_max_age() -> None:
    signed_in = NOW - timedelta(hours=1)
    max_age = timedelta(hours=8)

    assert signed_in_still(account(), signed_in, NOW, max_age)
    assert signed_in_still(
        account(), signed_in, signed_in + max_age - timedelta(seconds=1), max_age
    )
    assert not signed_in_still(account(), signed_in, signed_in + max_age, max_age)


def test_a_sign_in_ends_with_a_password_change_or_disabling() -> None:
    signed_in = NOW - timedelta(hours=1)
    max_age = timedelta(hours=8)
    changed = account(credentials_changed_at=NOW - timedelta(minutes=5))

    assert not signed_in_still(changed, signed_in, NOW, max_age)
    assert not signed_in_still(account(disabled=True), signed_in, NOW, max_age)
    # a change at the very moment of signing in ends it too
    assert not signed_in_still(changed, changed.credentials_changed_at, NOW, max_age)
    # signed in again after the change: holds
    assert signed_in_still(changed, NOW - timedelta(minutes=1), NOW, max_age)


def test_a_sign_in_dated_in_the_future_does_not_hold() -> None:
    assert not signed_in_still(account(), NOW + timedelta(minutes=1), NOW, timedelta(hours=8))


@pytest.mark.parametrize("login", ["office", "office-wang", "tax.411121.li", "a"])
def test_logins_that_can_be_one(login: str) -> None:
    assert login_problem(login) is None


@pytest.mark.parametrize("login", ["", "-office", "wang li", "王", "a" * 65, "x/y"])
def test_logins_that_cannot_be_one(login: str) -> None:
    assert login_problem(login) is not None


def test_a_password_needs_a_length_and_no_control_characters() -> None:
    assert password_problem("x" * (MIN_PASSWORD_LENGTH - 1)) is not None
    assert password_problem("x" * MIN_PASSWORD_LENGTH) is None
    assert password_problem(" " + PASSWORD) is not None
    assert password_problem(PASSWORD + "\n") is not None
    assert password_problem("x" * 257) is not None


def test_a_drawn_password_is_long_enough_and_new_each_time() -> None:
    drawn = {new_password() for _ in range(5)}

    assert len(drawn) == 5
    assert all(password_problem(p) is None for p in drawn)
