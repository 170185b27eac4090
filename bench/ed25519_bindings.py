"""Ed25519 sign and verify: `cryptography` against PyNaCl (libsodium), on this machine.

Run: `.venv/bin/python -m bench.ed25519_bindings` (about half a minute). Each figure is the best of
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

from schemas import ed25519
from schemas.hub_proof import copy_bytes, sign_canonical
from tests.hubkit import corpus_event

if TYPE_CHECKING:
    from collections.abc import Callable

N = 5_000
REPEATS = 7
MESSAGE = b"x" * 300


def per_op(fn: Callable[[], object], n: int = N) -> tuple[float, float]:
    runs = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append((time.perf_counter() - start) / n * 1e6)
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
    broadcast(private)


def broadcast(private: Ed25519PrivateKey) -> None:
    """A `debtor.listed.v1` to 19 units: a signature per copy (as before) against one tree."""
    copies = [
        corpus_event("debtor.listed.v1") | {"hubdelivery": f"token-{i:040d}"} for i in range(19)
    ]
    canonical = [copy_bytes(copy) for copy in copies]
    cases = {
        "19 copies: JCS of each": lambda: [copy_bytes(copy) for copy in copies],
        "19 copies: a signature each (cryptography)": lambda: [
            private.sign(jcs) for jcs in canonical
        ],
        "19 copies: tree, one signature, paths": lambda: sign_canonical(
            canonical, lambda data: ed25519.sign(private, data), "hub-1"
        ),
    }
    for name, fn in cases.items():
        best, median = per_op(fn, n=200)
        print(f"{name:45s} best {best:6.0f} µs  median {median:6.0f} µs")


if __name__ == "__main__":
    main()
