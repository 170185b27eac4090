"""The console's defences as a web application, pure: CSRF tokens, the form parser, where a
sign-in may send the browser, the response headers."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.responses import PlainTextResponse

from hub.supervision.console.web_security import (
    CONTENT_SECURITY_POLICY,
    MAX_FORM_BYTES,
    FormError,
    SecurityHeaders,
    csrf_matches,
    new_csrf_token,
    parse_form,
    safe_next,
)
from schemas.identifiers import mask_identifiers

FORM = "application/x-www-form-urlencoded"


def test_a_csrf_token_matches_only_itself() -> None:
    token = new_csrf_token()

    assert csrf_matches(token, token)
    assert not csrf_matches(token, new_csrf_token())
    assert not csrf_matches(token, None)
    assert not csrf_matches(token, "")
    assert not csrf_matches(None, token)
    assert not csrf_matches("", "")


def test_csrf_tokens_survive_the_pages_masking() -> None:
    tokens = [new_csrf_token() for _ in range(200)]

    assert all(mask_identifiers(token) == token for token in tokens)
    assert len(set(tokens)) == 200


def test_a_form_gives_the_first_value_of_each_field() -> None:
    body = b"login=wang&password=a%26b%3Dc+d&login=again&empty="

    assert parse_form(f"{FORM}; charset=utf-8", body) == {
        "login": "wang",
        "password": "a&b=c d",
        "empty": "",
    }


def test_a_form_keeps_chinese_text() -> None:
    body = urlencode({"next": "/trace?q=（2024）豫1121执123号"}).encode()

    assert parse_form(FORM, body)["next"] == "/trace?q=（2024）豫1121执123号"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (None, b"login=wang"),
        ("multipart/form-data; boundary=x", b"login=wang"),
        ("application/json", b'{"login": "wang"}'),
        (FORM, b"x=" + b"a" * MAX_FORM_BYTES),
        (FORM, "login=王".encode()),  # not percent-encoded
        (FORM, b"login=%ff"),  # not UTF-8
    ],
)
def test_what_is_not_a_small_url_encoded_form_is_refused(
    content_type: str | None, body: bytes
) -> None:
    with pytest.raises(FormError):
        parse_form(content_type, body)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/trace?q=x", "/trace?q=x"),
        ("/overdue", "/overdue"),
        (None, "/"),
        ("", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("overdue", "/"),
        ("/x\r\nset-cookie: a=b", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_a_sign_in_only_sends_the_browser_within_the_console(
    target: str | None, expected: str
) -> None:
    assert safe_next(target) == expected


def headers_of(*, https: bool, status: int = 200) -> dict[str, str]:
    """The headers of a response of `status` from a page behind `SecurityHeaders`, called as
    an ASGI server would."""
    page = PlainTextResponse("x", status_code=status, headers={"x-frame-options": "ALLOW"})
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
    asyncio.run(SecurityHeaders(page, https=https)(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == status
    return {k.decode(): v.decode() for k, v in start["headers"]}


def test_every_response_carries_the_security_headers() -> None:
    for status in (200, 404, 500):
        headers = headers_of(https=False, status=status)

        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert headers["x-frame-options"] == "DENY"  # the page's own value replaced
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"
        assert headers["referrer-policy"] == "no-referrer"
        assert "strict-transport-security" not in headers


def test_https_adds_hsts() -> None:
    assert "max-age" in headers_of(https=True)["strict-transport-security"]


def test_the_policy_allows_no_script_no_inline_style_and_no_framing() -> None:
    policy = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))

    assert policy["default-src"] == "'none'"
    assert "script-src" not in policy
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
