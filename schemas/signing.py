"""Ed25519 signatures over the RFC 8785 (JCS) canonical JSON of an event.

The signed bytes are the event without its `sig` and `sigkey` attributes, canonicalised, so the
signature survives any re-serialisation that keeps the JSON value (key order, whitespace).
Public keys travel as base64 of their raw 32 bytes (the unit registry's YAML); private keys as PEM
(PKCS#8) or base64 of their raw 32 bytes.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any, Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from schemas import ed25519
from schemas.canonical import CanonicalizationError, canonical_json

if TYPE_CHECKING:
    from collections.abc import Mapping

SIG: Final = "sig"
SIGKEY: Final = "sigkey"
_RAW_KEY_BYTES: Final = 32


class SignatureError(Exception):
    """An event's signature is missing, malformed, made with an unknown key, or does not verify."""


def canonical_signing_bytes(event: Mapping[str, Any]) -> bytes:
    """The JCS bytes that are signed: the event without `sig` and `sigkey`."""
    unsigned = {name: value for name, value in event.items() if name not in {SIG, SIGKEY}}
    try:
        return canonical_json(unsigned)
    except (CanonicalizationError, TypeError) as error:
        raise SignatureError(f"event cannot be canonicalised (RFC 8785): {error}") from error


def sign_event(
    event: Mapping[str, Any], private_key: Ed25519PrivateKey, key_id: str
) -> dict[str, Any]:
    """A copy of `event` carrying `sig` (base64) and `sigkey` (= `key_id`)."""
    signature = ed25519.sign(private_key, canonical_signing_bytes(event))
    unsigned = {name: value for name, value in event.items() if name not in {SIG, SIGKEY}}
    return unsigned | {SIG: base64.b64encode(signature).decode("ascii"), SIGKEY: key_id}


def check_signature(event: Mapping[str, Any], public_keys: Mapping[str, Ed25519PublicKey]) -> None:
    """Raise SignatureError, naming the reason, unless `event` is signed by one of `public_keys`."""
    sig, key_id = event.get(SIG), event.get(SIGKEY)
    if not isinstance(sig, str) or not sig:
        raise SignatureError("event has no sig")
    if not isinstance(key_id, str) or not key_id:
        raise SignatureError("event has no sigkey")
    public_key = public_keys.get(key_id)
    if public_key is None:
        raise SignatureError(f"signing key {key_id!r} is not registered for this source")
    try:
        signature = base64.b64decode(sig, validate=True)
    except ValueError as error:  # binascii.Error, or text that is not even ASCII
        raise SignatureError("sig is not base64") from error
    try:
        signed = canonical_signing_bytes(event)
    except (ValueError, TypeError) as error:
        # RFC 8785 has no form for it (an integer beyond 2**53, say): nothing can have signed it.
        raise SignatureError("the event has no RFC 8785 canonical form to verify") from error
    if not ed25519.verify(public_key, signature, signed):
        raise SignatureError(f"signature does not verify with key {key_id!r}")


def verify_event(event: Mapping[str, Any], public_keys: Mapping[str, Ed25519PublicKey]) -> bool:
    try:
        check_signature(event, public_keys)
    except SignatureError:
        return False
    return True


# --- keys ----------------------------------------------------------------------------------------


def generate_keypair() -> tuple[Ed25519PrivateKey, Ed25519PublicKey]:
    private_key = Ed25519PrivateKey.generate()
    return private_key, private_key.public_key()


def dump_public_key(public_key: Ed25519PublicKey) -> str:
    """Base64 of the raw 32-byte public key, as written in the unit registry."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def load_public_key(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_raw_key(text, "public"))


def dump_private_key_pem(private_key: Ed25519PrivateKey) -> str:
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem.decode("ascii")


def load_private_key_pem(pem: str | bytes) -> Ed25519PrivateKey:
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise TypeError(f"expected an Ed25519 private key, got {type(key).__name__}")
    return key


def dump_private_key_raw(private_key: Ed25519PrivateKey) -> str:
    """Base64 of the raw 32-byte private key (the seed), e.g. for an environment variable."""
    raw = private_key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return base64.b64encode(raw).decode("ascii")


def load_private_key_raw(text: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_raw_key(text, "private"))


def _raw_key(text: str, kind: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except binascii.Error as error:
        raise ValueError(f"Ed25519 {kind} key is not base64") from error
    if len(raw) != _RAW_KEY_BYTES:
        raise ValueError(f"Ed25519 {kind} key must be {_RAW_KEY_BYTES} raw bytes, got {len(raw)}")
    return raw
