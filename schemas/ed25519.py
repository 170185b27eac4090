"""Ed25519 signing and verifying through libsodium (PyNaCl), for the keys the code holds as
`cryptography` objects.

Measured on the project's machine (docs/design.md §4, `bench/ed25519_bindings.py`), libsodium
verifies in about half the time `cryptography` (OpenSSL) takes and signs in about two thirds; the
router verifies every unit's signature and signs every batch's root, so those paths go through
here. The keys stay `cryptography` objects everywhere else (loading, PEM, the registry); only
their raw 32 bytes are handed to libsodium, and the libsodium key made from them is cached so
that it is made once per key, not once per signature. Both libraries implement RFC 8032:
the signatures are the same bytes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Final

import nacl.exceptions
import nacl.signing

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

_CACHED_KEYS: Final = 256
"""More than the hub ever holds at once (its keys, every unit's keys during a rotation)."""


def sign(private_key: Ed25519PrivateKey, data: bytes) -> bytes:
    """The 64-byte Ed25519 signature of `data` (the same bytes `private_key.sign` gives)."""
    return _signing_key(private_key.private_bytes_raw()).sign(data).signature


def verify(public_key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    """Whether `signature` is `public_key`'s over `data`."""
    try:
        _verify_key(public_key.public_bytes_raw()).verify(data, signature)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, TypeError):
        # BadSignatureError: does not verify; ValueError: not 64 bytes.
        return False
    return True


@lru_cache(maxsize=_CACHED_KEYS)
def _signing_key(seed: bytes) -> nacl.signing.SigningKey:
    return nacl.signing.SigningKey(seed)


@lru_cache(maxsize=_CACHED_KEYS)
def _verify_key(raw: bytes) -> nacl.signing.VerifyKey:
    return nacl.signing.VerifyKey(raw)
