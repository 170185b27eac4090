import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.signing import (
    SignatureError,
    canonical_signing_bytes,
    check_signature,
    dump_private_key_pem,
    dump_private_key_raw,
    dump_public_key,
    generate_keypair,
    load_private_key_pem,
    load_private_key_raw,
    load_public_key,
    sign_event,
    verify_event,
)

EVENT = {
    "specversion": "1.0",
    "id": "01J9Z3Q4K5",
    "source": "fy:unit:court.411121",
    "type": "enforcement.query.requested.v1",
    "time": "2024-05-06T09:30:00+08:00",
    "data": {"case_no": "（2024）豫1121执123号", "amount": 1234500, "subjects": [{"name": "张三"}]},
}


@pytest.fixture(scope="module")
def keys():
    private_key, public_key = generate_keypair()
    return private_key, {"court-2024": public_key}


def test_round_trip(keys):
    private_key, public_keys = keys
    signed = sign_event(EVENT, private_key, "court-2024")
    assert signed["sigkey"] == "court-2024"
    assert verify_event(signed, public_keys)
    assert "sig" not in EVENT


def test_changed_field_fails(keys):
    private_key, public_keys = keys
    signed = sign_event(EVENT, private_key, "court-2024")
    tampered = signed | {"data": {**signed["data"], "amount": 1234501}}
    assert not verify_event(tampered, public_keys)
    with pytest.raises(SignatureError, match="does not verify"):
        check_signature(tampered, public_keys)


def test_reordered_event_still_verifies(keys):
    private_key, public_keys = keys
    signed = sign_event(EVENT, private_key, "court-2024")
    reordered = dict(reversed(list(signed.items())))
    reordered["data"] = dict(reversed(list(signed["data"].items())))
    assert list(reordered) != list(signed)
    assert verify_event(reordered, public_keys)


def test_canonical_bytes_ignore_signature_and_key_order():
    assert canonical_signing_bytes(EVENT | {"sig": "x", "sigkey": "k"}) == canonical_signing_bytes(
        dict(reversed(list(EVENT.items())))
    )


def test_wrong_key_fails(keys):
    private_key, _ = keys
    _, other_public_key = generate_keypair()
    signed = sign_event(EVENT, private_key, "court-2024")
    assert not verify_event(signed, {"court-2024": other_public_key})


def test_unknown_key_id_fails(keys):
    private_key, public_keys = keys
    signed = sign_event(EVENT, private_key, "court-2023")
    with pytest.raises(SignatureError, match="'court-2023' is not registered"):
        check_signature(signed, public_keys)


@pytest.mark.parametrize(
    ("remove", "reason"), [("sig", "event has no sig"), ("sigkey", "event has no sigkey")]
)
def test_missing_signature_fails(keys, remove, reason):
    private_key, public_keys = keys
    signed = sign_event(EVENT, private_key, "court-2024")
    del signed[remove]
    assert not verify_event(signed, public_keys)
    with pytest.raises(SignatureError, match=reason):
        check_signature(signed, public_keys)


def test_garbled_signature_fails(keys):
    private_key, public_keys = keys
    signed = sign_event(EVENT, private_key, "court-2024") | {"sig": "not base64!"}
    with pytest.raises(SignatureError, match="not base64"):
        check_signature(signed, public_keys)


def test_resigning_replaces_the_old_signature(keys):
    private_key, public_keys = keys
    hub_private_key, hub_public_key = generate_keypair()
    signed = sign_event(EVENT, private_key, "court-2024")
    resigned = sign_event(signed, hub_private_key, "hub-1")
    assert verify_event(resigned, {"hub-1": hub_public_key})
    assert not verify_event(resigned, public_keys)


def test_uncanonicalisable_event_is_a_signature_error(keys):
    _, public_keys = keys
    with pytest.raises(SignatureError, match="RFC 8785"):
        check_signature(EVENT | {"n": 2**60, "sig": "AAAA", "sigkey": "court-2024"}, public_keys)


def test_keys_survive_dump_and_load(keys):
    private_key, public_keys = keys
    signed = sign_event(EVENT, load_private_key_pem(dump_private_key_pem(private_key)), "k")
    assert verify_event(signed, {"k": load_public_key(dump_public_key(public_keys["court-2024"]))})
    again = sign_event(EVENT, load_private_key_raw(dump_private_key_raw(private_key)), "k")
    assert again["sig"] == signed["sig"]  # Ed25519 signatures are deterministic


@pytest.mark.parametrize(
    ("text", "reason"), [("AAAA", "32 raw bytes, got 3"), ("@@", "not base64")]
)
def test_bad_public_keys_are_refused(text, reason):
    with pytest.raises(ValueError, match=reason):
        load_public_key(text)


@settings(max_examples=300)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.text(),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=6), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_canonical_bytes_match_the_rfc8785_reference(value: object) -> None:
    event = {"data": value, "id": "x"}
    try:
        expected = rfc8785.dumps(event)
    except (rfc8785.CanonicalizationError, TypeError, UnicodeEncodeError):
        with pytest.raises(SignatureError):
            canonical_signing_bytes(event)
        return
    assert canonical_signing_bytes(event) == expected
