"""SCRAM credentials, their password files, and the two requests that manage them."""

from __future__ import annotations

import base64
import hashlib
import hmac
from io import BytesIO
from typing import TYPE_CHECKING

import pytest

from hub.bootstrap import kafka_access, load_settings
from hub.kafka.access import KafkaAccessError
from hub.kafka.credentials import (
    CredentialError,
    checked_principal,
    ensure_password,
    password_path,
    read_password,
    write_password,
)
from hub.kafka.scram import (
    AlterUserScramCredentialsRequest,
    AlterUserScramCredentialsResponse_v0,
    DescribeUserScramCredentialsRequest,
    DescribeUserScramCredentialsResponse_v0,
    ScramError,
    alter_errors,
    credential,
    described_iterations,
    salted_password,
)

if TYPE_CHECKING:
    from pathlib import Path


def test_the_salted_password_is_rfc5802_hi_with_hmac_sha512() -> None:
    salt, iterations = b"salt-bytes", 4096
    # Hi(str, salt, i): U1 = HMAC(str, salt + INT(1)), Ui = HMAC(str, Ui-1), XOR of all.
    u = hmac.digest(b"pencil", salt + b"\0\0\0\1", "sha512")
    result = bytearray(u)
    for _ in range(iterations - 1):
        u = hmac.digest(b"pencil", u, "sha512")
        result = bytearray(a ^ b for a, b in zip(result, u, strict=True))
    assert salted_password("pencil", salt, iterations) == bytes(result)
    assert len(bytes(result)) == hashlib.sha512().digest_size


def test_a_credential_gets_a_fresh_salt_and_iterations_kafka_accepts() -> None:
    one, two = credential("bob", "pw"), credential("bob", "pw")
    assert one.salt != two.salt
    assert one.iterations == 8192
    with pytest.raises(ScramError, match="4096…16384"):
        credential("bob", "pw", iterations=4095)
    with pytest.raises(ScramError):
        credential("bob", "pw", iterations=16385)


def test_the_storage_argument_carries_no_password() -> None:
    made = credential("fy.hub.router", "the-password", salt=b"\1\2\3", iterations=4096)
    argument = made.storage_argument()
    assert "the-password" not in argument
    assert argument.startswith('SCRAM-SHA-512=[name=fy.hub.router,iterations=4096,salt="AQID"')
    assert f'saltedpassword="{base64.b64encode(made.salted_password).decode()}"]' in argument
    assert "the-password" not in repr(made)
    assert made.salted_password.hex() not in repr(made)


def test_the_alter_request_is_flexible_v0_with_the_upsertion() -> None:
    made = credential("bob", "pw", salt=b"s", iterations=4096)
    struct = AlterUserScramCredentialsRequest([made], ["alice"]).prepare({51: (0, 0)})
    assert (struct.API_KEY, struct.API_VERSION, struct.FLEXIBLE_VERSION) == (51, 0, True)
    decoded = type(struct).SCHEMA.decode(BytesIO(struct.encode()))
    deletions, upsertions, _ = decoded
    assert deletions == [("alice", 2, {})]
    assert upsertions == [("bob", 2, 4096, b"s", made.salted_password, {})]


def test_the_describe_request_asks_for_named_users_or_everyone() -> None:
    named = DescribeUserScramCredentialsRequest(["bob"]).prepare({50: (0, 0)})
    assert type(named).SCHEMA.decode(BytesIO(named.encode()))[0] == [("bob", {})]
    everyone = DescribeUserScramCredentialsRequest(None).prepare({50: (0, 0)})
    assert everyone.encode() == b"\x00\x00"  # a null compact array, no tagged fields


def test_answers_are_read_into_errors_and_iterations() -> None:
    alter = AlterUserScramCredentialsResponse_v0(
        0, [("bob", 0, None, {}), ("eve", 68, "unsupported", {})], {}
    )
    assert alter_errors(alter.to_object()) == {"eve": "error 68: unsupported"}
    describe = DescribeUserScramCredentialsResponse_v0(
        0,
        0,
        None,
        [("bob", 0, None, [(1, 4096, {}), (2, 8192, {})], {}), ("nobody", 91, "none", [], {})],
        {},
    )
    assert described_iterations(describe.to_object()) == {"bob": 8192}
    failed = DescribeUserScramCredentialsResponse_v0(0, 31, "not allowed", [], {})
    with pytest.raises(ScramError, match="error 31"):
        described_iterations(failed.to_object())


def test_password_files_are_private_and_random(tmp_path: Path) -> None:
    folder = tmp_path / "credentials"
    first, new = ensure_password(folder, "admin")
    assert new
    assert len(first) >= 40
    assert ensure_password(folder, "admin") == (first, False)
    assert ensure_password(folder, "fy.hub.router")[0] != first
    path = password_path(folder, "admin")
    assert path.stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700
    write_password(path, "rotated")
    assert read_password(path) == "rotated"
    assert path.stat().st_mode & 0o777 == 0o600


def test_principal_names_that_could_break_a_file_name_or_the_format_syntax_are_refused() -> None:
    assert checked_principal("fy.unit.tax-411121_1") == "fy.unit.tax-411121_1"
    for bad in ("", "../admin", "a,b", "a=b", "[x]", ".hidden", "a b"):
        with pytest.raises(CredentialError):
            checked_principal(bad)


def test_the_local_broker_is_reached_as_admin_with_its_homes_files(tmp_path: Path) -> None:
    home = tmp_path / "kafka"
    write_password(home / "broker" / "credentials" / "admin.password", "local-secret")
    settings = load_settings(local_kafka={"home": home, "port": 19999})

    access = kafka_access(settings)

    assert (access.bootstrap, access.protocol) == ("127.0.0.1:19999", "SASL_SSL")
    assert (access.username, access.password) == ("admin", "local-secret")
    assert access.ca_file == home / "broker" / "tls" / "ca.crt"


def test_a_named_principal_of_the_local_broker_reads_its_own_file(tmp_path: Path) -> None:
    home = tmp_path / "kafka"
    write_password(home / "broker" / "credentials" / "fy.hub.router.password", "router-secret")
    settings = load_settings(local_kafka={"home": home}, kafka={"username": "fy.hub.router"})
    assert kafka_access(settings).password == "router-secret"


def test_no_local_password_file_says_to_start_the_broker(tmp_path: Path) -> None:
    settings = load_settings(local_kafka={"home": tmp_path / "kafka"})
    with pytest.raises(KafkaAccessError, match="fyhub kafka up"):
        kafka_access(settings)


def test_plaintext_needs_no_files(tmp_path: Path) -> None:
    settings = load_settings(
        local_kafka={"home": tmp_path / "kafka"}, kafka={"security_protocol": "PLAINTEXT"}
    )
    assert kafka_access(settings).client_options() == {"bootstrap_servers": ["127.0.0.1:19092"]}
