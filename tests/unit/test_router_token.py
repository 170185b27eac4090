import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from hub.router.token import DeliveryToken, InvalidDeliveryToken, issue_token, read_token

SECRET = b"hub-delivery-secret-0123456789"
CST = timezone(timedelta(hours=8))
TOKEN = DeliveryToken(
    event_id="01J9Z3Q4K5",
    source="court.411121",
    recipient="tax.411121",
    event_type="enforcement.query.requested.v1",
    receipt_by=datetime(2024, 5, 7, 17, 30, tzinfo=CST),
    reply_by=datetime(2024, 5, 9, 17, 30, tzinfo=CST),
)


def test_round_trip():
    text = issue_token(TOKEN, SECRET)
    assert read_token(text, SECRET) == TOKEN
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_round_trip_without_deadlines():
    token = DeliveryToken("e1", "court.411121", "justice.411121", "admincase.judged.v1")
    assert read_token(issue_token(token, SECRET), SECRET) == token


def test_deadline_offset_survives():
    token = read_token(issue_token(TOKEN, SECRET), SECRET)
    assert token.receipt_by is not None
    assert token.receipt_by.utcoffset() == timedelta(hours=8)
    assert token.receipt_by == datetime(2024, 5, 7, 9, 30, tzinfo=UTC)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_altered_payload_is_refused():
    payload, mac = issue_token(TOKEN, SECRET).split(".")
    content = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    content["rcpt"] = "samr.411121"
    with pytest.raises(InvalidDeliveryToken, match="not issued by this hub or was altered"):
        read_token(f"{_b64(json.dumps(content).encode())}.{mac}", SECRET)


@pytest.mark.parametrize("position", [0, 20, -1])
def test_altered_mac_is_refused(position):
    payload, mac = issue_token(TOKEN, SECRET).split(".")
    chars = list(mac)
    chars[position] = "B" if chars[position] == "A" else "A"
    with pytest.raises(InvalidDeliveryToken, match="not issued by this hub or was altered"):
        read_token(f"{payload}.{''.join(chars)}", SECRET)


def test_token_from_another_secret_is_refused():
    text = issue_token(TOKEN, b"another-hub-secret-0123456789")
    with pytest.raises(InvalidDeliveryToken, match="not issued by this hub"):
        read_token(text, SECRET)


@pytest.mark.parametrize(
    "text", ["", "garbage", "a.b.c", "!!!.???", "." * 2, "eyJ9." + "A" * 43, "x" * 5000]
)
def test_garbage_is_refused(text):
    with pytest.raises(InvalidDeliveryToken):
        read_token(text, SECRET)


def test_payload_signed_with_the_secret_but_unreadable_is_refused():
    # A correctly MACed payload from an incompatible issuer still fails cleanly.
    payload = _b64(b'{"eid": 1}')
    mac = _b64(hmac.new(SECRET, payload.encode(), hashlib.sha256).digest())
    with pytest.raises(InvalidDeliveryToken, match="unreadable"):
        read_token(f"{payload}.{mac}", SECRET)


def test_naive_deadlines_are_refused():
    with pytest.raises(ValueError, match="UTC offset"):
        DeliveryToken("e1", "court.411121", "tax.411121", "t.v1", receipt_by=datetime(2024, 5, 7))  # noqa: DTZ001


def test_short_secret_is_refused():
    with pytest.raises(ValueError, match="at least 16 bytes"):
        issue_token(TOKEN, b"short")


def _as_specified(token: DeliveryToken, secret: bytes) -> str:
    """The token format of the module's docstring, written out with the standard library."""
    content = {
        "eid": token.event_id,
        "src": token.source,
        "rcpt": token.recipient,
        "type": token.event_type,
        "rcptby": token.receipt_by.isoformat() if token.receipt_by else None,
        "replyby": token.reply_by.isoformat() if token.reply_by else None,
    }
    text = json.dumps(content, separators=(",", ":")).encode()
    payload = base64.urlsafe_b64encode(text).rstrip(b"=").decode()
    mac = hmac.new(secret, payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


@pytest.mark.parametrize(
    "event_id",
    ["01J9Z3Q4K5", "事件-1", "tab\there", "del\x7f", 'quote"and\\', "\u2028", "\ud800", "e" * 300],
)
def test_a_token_is_written_in_the_one_format_whatever_its_text(event_id: str) -> None:
    token = DeliveryToken(
        event_id, TOKEN.source, TOKEN.recipient, TOKEN.event_type, TOKEN.receipt_by
    )
    assert issue_token(token, SECRET) == _as_specified(token, SECRET)
