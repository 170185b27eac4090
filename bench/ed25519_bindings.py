"""Ed25519 sign and verify: `cryptography` against PyNaCl (libsodium), on this machine.

Run: `.venv/bin/python bench/ed25519_bindings.py` (about half a minute). Each figure is the best of
`REPEATS` runs of `N` operations over a 300-byte message (the size of a copy's JCS, roughly), in
microseconds per operation; the best run is the least disturbed by the other processes sharing
the cores.
"""

from __future__ import annotations

import statistics
import time
from typing import TYPE_CHECKING

import nacl.signing
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

if TYPE_CHECKING:
    from collections.abc import Callable

N = 5_000
REPEATS = 7
MESSAGE = b"x" * 300


def per_op(fn: Callable[[], object]) -> tuple[float, float]:
    runs = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(N):
            fn()
        runs.append((time.perf_counter() - start) / N * 1e6)
    return min(runs), statistics.median(runs)


def main() -> None:
    private = Ed25519PrivateKey.generate()
    public = private.public_key()
    seed = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    signature = private.sign(MESSAGE)
    nacl_signing = nacl.signing.SigningKey(seed)
    nacl_verify = nacl.signing.VerifyKey(raw_public)
    assert nacl_signing.sign(MESSAGE).signature == signature  # Ed25519 is deterministic

    cases = {
        "cryptography sign": lambda: private.sign(MESSAGE),
        "pynacl sign": lambda: nacl_signing.sign(MESSAGE),
        "cryptography verify": lambda: public.verify(signature, MESSAGE),
        "pynacl verify": lambda: nacl_verify.verify(MESSAGE, signature),
        "cryptography verify, key loaded each time": lambda: Ed25519PublicKey.from_public_bytes(
            raw_public
        ).verify(signature, MESSAGE),
    }
    for name, fn in cases.items():
        best, median = per_op(fn)
        print(f"{name:45s} best {best:6.1f} µs  median {median:6.1f} µs")


if __name__ == "__main__":
    main()
