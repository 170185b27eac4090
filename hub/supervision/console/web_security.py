"""The console's defences as a web application: response headers on every answer, CSRF tokens,
the form parser, where a sign-in may send the browser next.

The pages run no script and load nothing from elsewhere, so the Content-Security-Policy allows
only the console's own stylesheet and forms; they are never framed, sniffed or cached (each
shows personal data).
"""

from __future__ import annotations

import hmac
import secrets
import urllib.parse
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS: Final = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("cache-control", "no-store"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS: Final = ("strict-transport-security", "max-age=31536000")
MAX_FORM_BYTES: Final = 8 * 1024
CSRF_FIELD: Final = "csrf"


class SecurityHeaders:
    """Adds `SECURITY_HEADERS` (and HSTS when served over HTTPS only) to every response of
    `app`, error pages included, replacing any of the same name."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        headers = (*SECURITY_HEADERS, HSTS) if https else SECURITY_HEADERS
        self.headers = [(name.encode(), value.encode()) for name, value in headers]
        self.names = {name for name, _ in self.headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() not in self.names
                ]
                message["headers"] = kept + self.headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def new_csrf_token() -> str:
    # Hex: one run of 64 letters and digits, which the pages' masking of 15-to-18-character
    # identifier-like runs never touches (URL-safe base64 could hold such a run between '-').
    return secrets.token_hex(32)


def csrf_matches(expected: object, given: str | None) -> bool:
    """Whether the form's token is the session's: both present, compared in constant time."""
    if not isinstance(expected, str) or not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


class FormError(ValueError):
    """A POST body that is not a small URL-encoded form."""


def parse_form(content_type: str | None, body: bytes) -> dict[str, str]:
    """The first value of each field of an `application/x-www-form-urlencoded` body."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        raise FormError(f"expected a URL-encoded form, not {media or 'no content type'}")
    if len(body) > MAX_FORM_BYTES:
        raise FormError(f"a form of more than {MAX_FORM_BYTES} bytes")
    try:
        text = body.decode("ascii")
        pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError) as error:
        raise FormError("a form that is not valid URL-encoded UTF-8") from error
    form: dict[str, str] = {}
    for name, value in pairs:
        form.setdefault(name, value)
    return form


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site, never another site (`//host`,
    `/\\host`, a scheme), else the home page."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    parsed = urllib.parse.urlsplit(target)
    if parsed.scheme or parsed.netloc or any(ord(c) < 0x20 for c in target):
        return "/"
    return target
