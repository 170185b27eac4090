"""SCRAM credentials and the two Kafka requests that manage them (pure, no I/O).

A broker stores a SCRAM-SHA-512 credential as a salt, an iteration count and the *salted
password* `Hi(password, salt, i)` of RFC 5802 (PBKDF2 with HMAC-SHA-512, 64 bytes; Kafka
normalizes the password to its UTF-8 bytes and nothing more). The client computes that itself,
so the password never travels, not even to the administrator's own broker; the same triple is
what `kafka-storage format --add-scram 'SCRAM-SHA-512=[name=…,salt=…,saltedpassword=…]'`
accepts, which keeps passwords off command lines.

The requests (Kafka protocol, KIP-554), both flexible versions from v0, with aiokafka's protocol
classes:

- DescribeUserScramCredentials (key 50): which mechanisms and iteration counts a user has;
- AlterUserScramCredentials (key 51): upsert or delete credentials; brokers forward it to the
  active controller, and each broker's credential cache follows the metadata log afterwards,
  asynchronously.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import (
    CompactArray,
    CompactBytes,
    CompactString,
    Int8,
    Int16,
    Int32,
    Schema,
    TaggedFields,
)

SCRAM_SHA_512: Final = 2
"""The mechanism's number in both requests (SCRAM-SHA-256 is 1)."""
MIN_ITERATIONS: Final = 4096
MAX_ITERATIONS: Final = 16384
DEFAULT_ITERATIONS: Final = 8192
SALT_BYTES: Final = 32

ERROR_RESOURCE_NOT_FOUND: Final = 91
"""DescribeUserScramCredentials' answer for a user without credentials."""


class ScramError(ValueError):
    """A credential Kafka would refuse, or a request Kafka refused (message says which)."""


@dataclass(frozen=True)
class ScramCredential:
    """What the broker keeps of one user's SCRAM-SHA-512 password."""

    user: str
    salt: bytes
    iterations: int
    salted_password: bytes = field(repr=False)

    def storage_argument(self) -> str:
        """The `--add-scram` value of `kafka-storage format` for this credential."""
        salt = base64.b64encode(self.salt).decode()
        salted = base64.b64encode(self.salted_password).decode()
        return (
            f'SCRAM-SHA-512=[name={self.user},iterations={self.iterations},salt="{salt}",'
            f'saltedpassword="{salted}"]'
        )


def salted_password(password: str, salt: bytes, iterations: int) -> bytes:
    """RFC 5802's `Hi()` for SCRAM-SHA-512, as Kafka's `ScramFormatter` computes it."""
    return hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)


def credential(
    user: str, password: str, *, iterations: int = DEFAULT_ITERATIONS, salt: bytes | None = None
) -> ScramCredential:
    """A credential for `user` from `password`, with a fresh random salt unless one is given."""
    if not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
        raise ScramError(
            f"Kafka accepts {MIN_ITERATIONS}…{MAX_ITERATIONS} SCRAM iterations, not {iterations}"
        )
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    return ScramCredential(user, salt, iterations, salted_password(password, salt, iterations))


# --- AlterUserScramCredentials (key 51) ----------------------------------------------------


class AlterUserScramCredentialsResponse_v0(Response):  # type: ignore[misc]  # noqa: N801
    API_KEY = 51
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "results",
            CompactArray(
                ("user", CompactString("utf-8")),
                ("error_code", Int16),
                ("error_message", CompactString("utf-8")),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class AlterUserScramCredentialsRequest_v0(RequestStruct):  # type: ignore[misc]  # noqa: N801
    FLEXIBLE_VERSION = True
    API_KEY = 51
    API_VERSION = 0
    RESPONSE_TYPE = AlterUserScramCredentialsResponse_v0
    SCHEMA = Schema(
        (
            "deletions",
            CompactArray(
                ("name", CompactString("utf-8")),
                ("mechanism", Int8),
                ("tags", TaggedFields),
            ),
        ),
        (
            "upsertions",
            CompactArray(
                ("name", CompactString("utf-8")),
                ("mechanism", Int8),
                ("iterations", Int32),
                ("salt", CompactBytes),
                ("salted_password", CompactBytes),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class AlterUserScramCredentialsRequest(Request[AlterUserScramCredentialsRequest_v0]):  # type: ignore[misc]
    API_KEY: ClassVar[int] = 51

    def __init__(
        self, upsertions: list[ScramCredential], deletions: list[str] | None = None
    ) -> None:
        self._upsertions: list[tuple[Any, ...]] = [
            (c.user, SCRAM_SHA_512, c.iterations, c.salt, c.salted_password, {}) for c in upsertions
        ]
        self._deletions: list[tuple[Any, ...]] = [
            (user, SCRAM_SHA_512, {}) for user in deletions or []
        ]

    def build(self, request_struct_class: type[Any]) -> Any:
        return request_struct_class(self._deletions, self._upsertions, {})


# --- DescribeUserScramCredentials (key 50) -------------------------------------------------


class DescribeUserScramCredentialsResponse_v0(Response):  # type: ignore[misc]  # noqa: N801
    API_KEY = 50
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        ("error_code", Int16),
        ("error_message", CompactString("utf-8")),
        (
            "results",
            CompactArray(
                ("user", CompactString("utf-8")),
                ("error_code", Int16),
                ("error_message", CompactString("utf-8")),
                (
                    "credential_infos",
                    CompactArray(
                        ("mechanism", Int8),
                        ("iterations", Int32),
                        ("tags", TaggedFields),
                    ),
                ),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class DescribeUserScramCredentialsRequest_v0(RequestStruct):  # type: ignore[misc]  # noqa: N801
    FLEXIBLE_VERSION = True
    API_KEY = 50
    API_VERSION = 0
    RESPONSE_TYPE = DescribeUserScramCredentialsResponse_v0
    SCHEMA = Schema(
        ("users", CompactArray(("name", CompactString("utf-8")), ("tags", TaggedFields))),
        ("tags", TaggedFields),
    )


class DescribeUserScramCredentialsRequest(Request[DescribeUserScramCredentialsRequest_v0]):  # type: ignore[misc]
    API_KEY: ClassVar[int] = 50

    def __init__(self, users: list[str] | None) -> None:
        """`users` None asks for every user that has a credential."""
        self._users: list[tuple[Any, ...]] | None = (
            None if users is None else [(user, {}) for user in users]
        )

    def build(self, request_struct_class: type[Any]) -> Any:
        return request_struct_class(self._users, {})


# --- reading the answers -------------------------------------------------------------------


def alter_errors(answer: dict[str, Any]) -> dict[str, str]:
    """User → error of each upsertion or deletion Kafka refused (empty when all succeeded)."""
    return {
        result["user"]: f"error {result['error_code']}: {result['error_message'] or ''}".strip()
        for result in answer["results"]
        if result["error_code"] != 0
    }


def described_iterations(answer: dict[str, Any]) -> dict[str, int]:
    """User → iterations of their SCRAM-SHA-512 credential, for the users that have one.

    A user asked for by name who has none comes back with RESOURCE_NOT_FOUND and is left out;
    any other error is raised."""
    if answer["error_code"] != 0:
        raise ScramError(
            f"DescribeUserScramCredentials failed: error {answer['error_code']} "
            f"{answer['error_message'] or ''}".strip()
        )
    described: dict[str, int] = {}
    for result in answer["results"]:
        if result["error_code"] == ERROR_RESOURCE_NOT_FOUND:
            continue
        if result["error_code"] != 0:
            raise ScramError(
                f"DescribeUserScramCredentials failed for {result['user']}: error "
                f"{result['error_code']} {result['error_message'] or ''}".strip()
            )
        for info in result["credential_infos"]:
            if info["mechanism"] == SCRAM_SHA_512:
                described[result["user"]] = int(info["iterations"])
    return described
