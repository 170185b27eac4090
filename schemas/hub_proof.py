"""The hub's signature on what it delivers: one Ed25519 signature per batch, over a hash tree of
the batch's copies, each copy carrying the path from its leaf to the root. Pure, no I/O.

X-Road signs a batch of messages this way; so does the hub: the router signs each batch's root
once instead of every copy (a broadcast to 19 units was 19 signatures), and each recipient still
verifies its own copy alone (docs/design.md §4, "The hub's signature").

The tree is RFC 6962's (Certificate Transparency), SHA-256:

    leaf  = SHA-256(0x00 || JCS(copy without `sig`, `sigkey`, `hubproof`))
    node  = SHA-256(0x01 || left || right)

built level by level, pairing neighbours left to right; the last node of a level with an odd
count is promoted to the next level as it is, never paired with itself (the duplication of
CVE-2012-2459 lets two different lists of leaves share a root). This is the same tree as RFC
6962's MTH, which splits at the largest power of two below the count. The 0x00/0x01 prefixes keep
a leaf from passing for a node. The signed bytes are

    b"fyhub copy tree v1\\n" || root          (19 + 32 bytes)

which cannot be mistaken for anything else the hub signs: an event's JCS starts with `{`, a
journal seal with `fyhub journal seal v1\\n`.

Each signed copy carries three attributes:

- `sig`: base64 (RFC 4648 §4, padded) of the 64-byte signature over the root;
- `sigkey`: the id of the hub key that made it;
- `hubproof`: its leaf's path, `v1` then one step per level from the leaf up, separated by single
  spaces: `L:<base64 of 32 bytes>` when the sibling is on the left, `R:<...>` when on the right.
  A tree of one leaf has the path `v1` (the root is the leaf).

The path is a string, not a JSON list: a CloudEvents extension attribute has no list type (the
envelope admits strings, integers and booleans), and the Java and Go CloudEvents SDKs would not
carry a list through. The leading `v1` keeps the attribute never empty (an SDK may drop an empty
attribute) and names the syntax should it change.

What a copy's siblings tell its recipient: nothing about the other copies. Every copy holds its
own `hubdelivery` token, an HMAC under the hub's secret over the recipient and the deadlines, so
each sibling is the hash of a text holding 32 bytes the recipient cannot guess; neither who the
other recipients are nor what they were sent can be tested against a sibling. The recipient does
learn how many levels its tree had (the batch's size within a factor of two), which a broker
reader sees anyway.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, overload

from schemas import ed25519
from schemas.signing import SIG, SIGKEY, SignatureError, canonical_signing_bytes

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

HUBPROOF: Final = "hubproof"
DOMAIN: Final = b"fyhub copy tree v1\n"
"""Prefixes the root in the signed bytes (domain separation, see the module's docstring)."""
PATH_VERSION: Final = "v1"
LEFT: Final = "L"
RIGHT: Final = "R"
MAX_DEPTH: Final = 64
"""No tree is deeper: 2**64 copies. A longer path is refused unread."""
_UNSIGNED = frozenset({SIG, SIGKEY, HUBPROOF})
_HASH_BYTES: Final = 32
_STEP_CHARS: Final = 2 + 44  # "L:" and the padded base64 of 32 bytes
_LEAF_PREFIX: Final = b"\x00"
_NODE_PREFIX: Final = b"\x01"

Side = Literal["L", "R"]
Sign = Callable[[bytes], bytes]
"""Makes the Ed25519 signature of the bytes given (the hub's key)."""


@dataclass(frozen=True, slots=True)
class Step:
    """One level of a leaf's path: the sibling's hash, and on which side of the pair it is."""

    side: Side
    sibling: bytes

    def text(self) -> str:
        return f"{self.side}:{base64.b64encode(self.sibling).decode('ascii')}"


@dataclass(frozen=True, slots=True)
class Tree:
    root: bytes
    paths: tuple[tuple[Step, ...], ...]
    """One per leaf, in the leaves' order; each from the leaf up to (not including) the root."""


# --- the tree -----------------------------------------------------------------------------------


def leaf_hash(canonical: bytes) -> bytes:
    """The leaf of a copy whose JCS (without `sig`, `sigkey`, `hubproof`) is `canonical`."""
    return hashlib.sha256(_LEAF_PREFIX + canonical).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def build_tree(leaves: Sequence[bytes]) -> Tree:
    """The tree over `leaves` (leaf hashes) and every leaf's path; at least one leaf."""
    if not leaves:
        raise ValueError("a tree needs at least one leaf")
    paths: list[list[Step]] = [[] for _ in leaves]
    # Which node of the current level each leaf is under.
    under = list(range(len(leaves)))
    level = list(leaves)
    while len(level) > 1:
        for leaf, index in enumerate(under):
            if index % 2 == 1:
                paths[leaf].append(Step(LEFT, level[index - 1]))
            elif index + 1 < len(level):
                paths[leaf].append(Step(RIGHT, level[index + 1]))
            # else: the unpaired last node, promoted as it is; no step at this level
            under[leaf] = index // 2
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        level = [*paired, level[-1]] if len(level) % 2 else paired
    return Tree(level[0], tuple(tuple(path) for path in paths))


def proof_texts(leaves: Sequence[bytes]) -> tuple[bytes, list[str]]:
    """The root of the tree over `leaves` and every leaf's `hubproof` text: `build_tree`'s root
    and its paths as `proof_text` spells them, made without a `Step` per leaf and level. A node's
    base64 is spelt once, not once per leaf under its sibling: a broadcast batch has a thousand
    leaves ten levels deep."""
    if not leaves:
        raise ValueError("a tree needs at least one leaf")
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        level = levels[-1]
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        levels.append([*paired, level[-1]] if len(level) % 2 else paired)
    # A node at an even index is its right neighbour's left sibling, and the other way round.
    spelt = [
        [f"{RIGHT if i % 2 else LEFT}:{_b64(node)}" for i, node in enumerate(level)]
        for level in levels[:-1]
    ]
    texts: list[str] = []
    for leaf in range(len(leaves)):
        parts, index = [PATH_VERSION], leaf
        for steps in spelt:
            sibling = index ^ 1
            if sibling < len(steps):  # else the unpaired last node, promoted: no step
                parts.append(steps[sibling])
            index //= 2
        texts.append(" ".join(parts))
    return levels[-1][0], texts


def fold(leaf: bytes, path: Sequence[Step]) -> bytes:
    """The root that `path` leads to from `leaf`."""
    node = leaf
    for step in path:
        node = node_hash(step.sibling, node) if step.side == LEFT else node_hash(node, step.sibling)
    return node


def signed_root(root: bytes) -> bytes:
    """The bytes the hub signs for a tree."""
    return DOMAIN + root


# --- the path as text ---------------------------------------------------------------------------


def proof_text(path: Sequence[Step]) -> str:
    return " ".join([PATH_VERSION, *(step.text() for step in path)])


_STEPS_REMEMBERED: Final = 4096
"""The distinct steps of a few batches' paths."""


def read_proof(text: object) -> tuple[Step, ...]:
    """The steps of a `hubproof`; SignatureError, naming what is wrong, when it is not one."""
    if not isinstance(text, str):
        raise SignatureError("hubproof is not a string")
    if len(text) > len(PATH_VERSION) + MAX_DEPTH * (1 + _STEP_CHARS):
        raise SignatureError(f"hubproof is malformed: deeper than {MAX_DEPTH} levels")
    version, *steps = text.split(" ")
    if version != PATH_VERSION:
        raise SignatureError(f"hubproof is malformed: it must start with {PATH_VERSION!r}")
    return tuple(_step(position, step) for position, step in enumerate(steps, start=1))


@functools.lru_cache(maxsize=_STEPS_REMEMBERED)
def _step(position: int, text: str) -> Step:
    # Remembered: the paths of one batch's records share their upper levels (a tree of 500
    # leaves has some 1,000 nodes, and its 500 paths 4,500 steps), and whoever checks a batch
    # reads every path of it. A step is immutable, and a malformed one raises, which is not kept.
    side, colon, encoded = text[:1], text[1:2], text[2:]
    if side not in {LEFT, RIGHT} or colon != ":":
        raise SignatureError(f"hubproof is malformed: step {position} is not L:<hash> or R:<hash>")
    try:
        sibling = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise SignatureError(f"hubproof is malformed: step {position} is not base64") from error
    if len(sibling) != _HASH_BYTES or base64.b64encode(sibling).decode("ascii") != encoded:
        # Only the one padded spelling of 32 bytes: a path reads one way in every language.
        raise SignatureError(f"hubproof is malformed: step {position} is not 32 bytes in base64")
    return Step(LEFT if side == LEFT else RIGHT, sibling)


# --- signing and verifying copies ----------------------------------------------------------------


def copy_bytes(copy: Mapping[str, Any]) -> bytes:
    """The JCS a copy's leaf is made of: the copy without `sig`, `sigkey`, `hubproof`."""
    return canonical_signing_bytes({k: v for k, v in copy.items() if k not in _UNSIGNED})


@overload
def sign_copies(
    copies: Sequence[Mapping[str, Any]], private_key: Ed25519PrivateKey, key_id: str
) -> list[dict[str, Any]]: ...
@overload
def sign_copies(
    copies: Sequence[bytes], private_key: Ed25519PrivateKey, key_id: str
) -> list[bytes]: ...
def sign_copies(
    copies: Sequence[Mapping[str, Any]] | Sequence[bytes],
    private_key: Ed25519PrivateKey,
    key_id: str,
) -> list[dict[str, Any]] | list[bytes]:
    """`copies` signed together, with one signature: each dict gets `sig`, `sigkey` and its
    `hubproof`; each canonical form (the JCS of `copy_bytes`, a non-empty object) becomes those
    bytes with the three attributes added at the end (valid JSON, no longer canonical, which
    the verifier does not need: it canonicalises again)."""
    if not copies:
        return []
    if all(isinstance(copy, bytes) for copy in copies):
        canonical = [copy for copy in copies if isinstance(copy, bytes)]
        return sign_canonical(canonical, lambda data: ed25519.sign(private_key, data), key_id)
    dicts = [copy for copy in copies if not isinstance(copy, bytes)]
    if len(dicts) != len(copies):
        raise TypeError("copies must be all mappings or all canonical bytes")
    tree = build_tree([leaf_hash(copy_bytes(copy)) for copy in dicts])
    sig = _b64(ed25519.sign(private_key, signed_root(tree.root)))
    unsigned = [{k: v for k, v in copy.items() if k not in _UNSIGNED} for copy in dicts]
    return [
        copy | {HUBPROOF: proof_text(path), SIG: sig, SIGKEY: key_id}
        for copy, path in zip(unsigned, tree.paths, strict=True)
    ]


def sign_canonical(canonical: Sequence[bytes], sign: Sign, key_id: str) -> list[bytes]:
    """`sign_copies` for canonical forms, with `sign` making the root's signature (the hub's
    signer): the bytes of each copy as it is written."""
    if not canonical:
        return []
    if any(not (c.startswith(b"{") and c.endswith(b"}")) or c == b"{}" for c in canonical):
        raise ValueError("a copy's canonical form is a non-empty JSON object")
    root, paths = proof_texts([leaf_hash(copy) for copy in canonical])
    sig = _b64(sign(signed_root(root)))
    tail = f'","{SIG}":"{sig}","{SIGKEY}":{json.dumps(key_id, ensure_ascii=False)}}}'.encode()
    head = f',"{HUBPROOF}":"'.encode()
    return [
        b"".join((copy[:-1], head, path.encode("ascii"), tail))
        for copy, path in zip(canonical, paths, strict=True)
    ]


def check_hub_signature(
    event: Mapping[str, Any], public_keys: Mapping[str, Ed25519PublicKey]
) -> None:
    """Raise SignatureError, naming the reason, unless `event` is a copy the hub signed with one
    of `public_keys`: its leaf, folded along its `hubproof`, gives a root whose signature
    verifies."""
    sig, key_id, proof = event.get(SIG), event.get(SIGKEY), event.get(HUBPROOF)
    if not isinstance(sig, str) or not sig:
        raise SignatureError("copy has no sig")
    if not isinstance(key_id, str) or not key_id:
        raise SignatureError("copy has no sigkey")
    if proof is None:
        raise SignatureError("copy has no hubproof: it is not signed as one of a tree of copies")
    public_key = public_keys.get(key_id)
    if public_key is None:
        raise SignatureError(f"hub key {key_id!r} is not one of the hub's keys")
    path = read_proof(proof)
    try:
        signature = base64.b64decode(sig, validate=True)
    except ValueError as error:  # binascii.Error, or text that is not even ASCII
        raise SignatureError("sig is not base64") from error
    try:
        leaf = leaf_hash(copy_bytes(event))
    except (ValueError, TypeError) as error:
        raise SignatureError("the copy has no RFC 8785 canonical form to verify") from error
    if not ed25519.verify(public_key, signature, signed_root(fold(leaf, path))):
        raise SignatureError(
            f"root signature does not verify with hub key {key_id!r}: the copy, or its "
            "hubproof, is not what the hub signed"
        )


def verify_hub_signature(
    event: Mapping[str, Any], public_keys: Mapping[str, Ed25519PublicKey]
) -> bool:
    try:
        check_hub_signature(event, public_keys)
    except SignatureError:
        return False
    return True


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
