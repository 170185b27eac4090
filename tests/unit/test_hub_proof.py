"""The hub's copy trees (`schemas.hub_proof`): RFC 6962's shape, one signature per tree, each
copy verifiable alone, and every way a copy can fail to be the hub's refused with its reason."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from schemas.hub_proof import (
    DOMAIN,
    HUBPROOF,
    MAX_DEPTH,
    Step,
    build_tree,
    check_hub_signature,
    copy_bytes,
    fold,
    leaf_hash,
    node_hash,
    proof_text,
    proof_texts,
    read_proof,
    sign_canonical,
    sign_copies,
    signed_root,
    verify_hub_signature,
)
from schemas.signing import (
    SignatureError,
    canonical_signing_bytes,
    dump_public_key,
    generate_keypair,
    sign_event,
    verify_event,
)

HUB_KEY, HUB_PUBLIC = generate_keypair()
KEYS = {"hub-1": HUB_PUBLIC}
DESIGN = Path(__file__).parents[2] / "docs" / "design.md"


def copies(n: int) -> list[dict[str, Any]]:
    return [{"id": "e1", "hubdelivery": f"token-{i}", "data": {"n": i}} for i in range(n)]


def rfc6962_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 MTH, as written there: split at the largest power of two below n."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(rfc6962_root(leaves[:k]), rfc6962_root(leaves[k:]))


# --- the tree -----------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [*range(1, 20), 31, 32, 33, 64, 100])
def test_the_tree_is_rfc_6962s_and_every_path_leads_to_its_root(n: int) -> None:
    leaves = [hashlib.sha256(bytes([i % 256, i // 256])).digest() for i in range(n)]
    tree = build_tree(leaves)
    assert tree.root == rfc6962_root(leaves)
    assert len(tree.paths) == n
    for leaf, path in zip(leaves, tree.paths, strict=True):
        assert fold(leaf, path) == tree.root
        assert len(path) <= max(1, n - 1).bit_length()


@pytest.mark.parametrize("n", [*range(1, 20), 31, 32, 33, 64, 100, 1000])
def test_the_paths_spelt_for_the_router_are_the_tree_s_and_read_back_to_its_root(n: int) -> None:
    leaves = [hashlib.sha256(bytes([i % 256, i // 256])).digest() for i in range(n)]
    tree = build_tree(leaves)
    root, texts = proof_texts(leaves)
    assert root == tree.root == rfc6962_root(leaves)
    assert texts == [proof_text(path) for path in tree.paths]
    assert all(
        fold(leaf, read_proof(text)) == root for leaf, text in zip(leaves, texts, strict=True)
    )


def test_a_tree_of_one_is_its_leaf_with_an_empty_path() -> None:
    leaf = leaf_hash(b'{"id":"e1"}')
    tree = build_tree([leaf])
    assert (tree.root, tree.paths) == (leaf, ((),))
    assert proof_text(()) == "v1"


def test_an_unpaired_node_is_promoted_not_duplicated() -> None:
    # CVE-2012-2459: with duplication [a, b, c] and [a, b, c, c] share a root.
    a, b, c = (hashlib.sha256(x).digest() for x in (b"a", b"b", b"c"))
    assert build_tree([a, b, c]).root == node_hash(node_hash(a, b), c)
    assert build_tree([a, b, c]).root != build_tree([a, b, c, c]).root
    assert build_tree([a, b, c]).paths[2] == (Step("L", node_hash(a, b)),)


def test_a_leaf_cannot_pass_for_a_node() -> None:
    a, b = hashlib.sha256(b"a").digest(), hashlib.sha256(b"b").digest()
    assert leaf_hash(a + b) != node_hash(a, b)  # 0x00 and 0x01 prefixes


def test_a_tree_needs_a_leaf() -> None:
    with pytest.raises(ValueError, match="at least one leaf"):
        build_tree([])


# --- signing and verifying ----------------------------------------------------------------------


@given(st.integers(min_value=1, max_value=40))
def test_one_signature_signs_every_copy_and_each_verifies_alone(n: int) -> None:
    signed = sign_copies(copies(n), HUB_KEY, "hub-1")
    assert len({copy["sig"] for copy in signed}) == 1
    for original, copy in zip(copies(n), signed, strict=True):
        check_hub_signature(copy, KEYS)
        assert {k: v for k, v in copy.items() if k not in {"sig", "sigkey", HUBPROOF}} == original


def test_canonical_bytes_are_signed_as_the_dicts_are_and_stay_valid_json() -> None:
    as_dicts = sign_copies(copies(3), HUB_KEY, "hub-1")
    as_bytes = sign_copies([copy_bytes(copy) for copy in copies(3)], HUB_KEY, "hub-1")
    assert [json.loads(value) for value in as_bytes] == as_dicts  # Ed25519 is deterministic
    for value in as_bytes:
        check_hub_signature(json.loads(value), KEYS)


def test_the_bytes_form_is_the_canonical_copy_with_the_three_attributes_at_the_end() -> None:
    (value,) = sign_canonical([b'{"id":"e1"}'], HUB_KEY.sign, 'key "1"')
    assert value.startswith(b'{"id":"e1","hubproof":"v1","sig":"')
    assert value.endswith(b'","sigkey":"key \\"1\\""}')
    with pytest.raises(ValueError, match="non-empty JSON object"):
        sign_canonical([b"{}"], HUB_KEY.sign, "hub-1")


def test_a_signature_over_one_leaf_is_over_the_domain_and_the_leaf() -> None:
    (copy,) = sign_copies(copies(1), HUB_KEY, "hub-1")
    leaf = leaf_hash(canonical_signing_bytes(copies(1)[0]))
    HUB_PUBLIC.verify(base64.b64decode(copy["sig"]), DOMAIN + leaf)
    assert signed_root(leaf) == b"fyhub copy tree v1\n" + leaf


def test_a_copy_without_its_hubproof_is_refused() -> None:
    (copy,) = sign_copies(copies(1), HUB_KEY, "hub-1")
    del copy[HUBPROOF]
    with pytest.raises(SignatureError, match="no hubproof"):
        check_hub_signature(copy, KEYS)


def test_a_copy_signed_as_an_event_is_not_a_copy_of_a_tree() -> None:
    # The old form (one JCS signature per copy) carries no proof; nor does it verify as a root.
    signed = sign_event(copies(1)[0], HUB_KEY, "hub-1")
    with pytest.raises(SignatureError, match="no hubproof"):
        check_hub_signature(signed, KEYS)
    with pytest.raises(SignatureError, match="root signature does not verify"):
        check_hub_signature(signed | {HUBPROOF: "v1"}, KEYS)


def test_a_root_signature_is_no_event_signature() -> None:
    (copy,) = sign_copies(copies(1), HUB_KEY, "hub-1")
    assert not verify_event(copy, KEYS)


@pytest.mark.parametrize(
    ("proof", "reason"),
    [
        ("", "must start with 'v1'"),
        ("v2", "must start with 'v1'"),
        (["v1"], "not a string"),
        ("v1 ", "step 1 is not L:<hash> or R:<hash>"),
        ("v1 X:" + "A" * 43 + "=", "step 1 is not L:<hash> or R:<hash>"),
        ("v1 L" + "A" * 44, "step 1 is not L:<hash> or R:<hash>"),
        ("v1 L:not*base64", "step 1 is not base64"),
        ("v1 L:" + base64.b64encode(b"x" * 31).decode(), "step 1 is not 32 bytes"),
        ("v1  L:" + "A" * 43 + "=", "step 1 is not L:<hash> or R:<hash>"),
        ("v1 " + " ".join(["L:" + "A" * 43 + "="] * (MAX_DEPTH + 1)), "deeper than 64"),
    ],
)
def test_a_malformed_path_is_refused_naming_what_is_wrong(proof: object, reason: str) -> None:
    (copy,) = sign_copies(copies(1), HUB_KEY, "hub-1")
    with pytest.raises(SignatureError, match=re.escape(reason)):
        check_hub_signature(copy | {HUBPROOF: proof}, KEYS)


def test_a_path_of_the_deepest_tree_reads() -> None:
    steps = " ".join(["R:" + "A" * 43 + "="] * MAX_DEPTH)
    assert len(read_proof(f"v1 {steps}")) == MAX_DEPTH


def test_a_wrong_leaf_path_does_not_verify() -> None:
    first, second, third = sign_copies(copies(3), HUB_KEY, "hub-1")
    for wrong in (
        second[HUBPROOF],  # another copy's path
        first[HUBPROOF].replace("R:", "L:", 1),  # the sibling on the wrong side
        "v1",  # the path cut short
        third[HUBPROOF] + " R:" + "A" * 43 + "=",  # a step too many
    ):
        with pytest.raises(SignatureError, match="root signature does not verify with hub key"):
            check_hub_signature(first | {HUBPROOF: wrong}, KEYS)
    check_hub_signature(first, KEYS)


def test_a_wrong_root_signature_does_not_verify() -> None:
    (mine,) = sign_copies(copies(1), HUB_KEY, "hub-1")
    (other,) = sign_copies(copies(2)[1:], HUB_KEY, "hub-1")  # the same key, another tree
    with pytest.raises(SignatureError, match="root signature does not verify"):
        check_hub_signature(mine | {"sig": other["sig"]}, KEYS)
    with pytest.raises(SignatureError, match="sig is not base64"):
        check_hub_signature(mine | {"sig": "not base64!"}, KEYS)
    with pytest.raises(SignatureError, match="root signature does not verify"):
        check_hub_signature(mine | {"sig": base64.b64encode(b"short").decode()}, KEYS)


def test_a_copy_altered_after_signing_does_not_verify() -> None:
    copy, _ = sign_copies(copies(2), HUB_KEY, "hub-1")
    for altered in (
        copy | {"data": {"n": 99}},
        copy | {"hubdelivery": "token-1"},  # the sibling's token: still not the sibling's copy
        copy | {"extra": True},
    ):
        with pytest.raises(SignatureError, match="root signature does not verify"):
            check_hub_signature(altered, KEYS)
    # Re-serialised (other key order, whitespace) it is the same JSON value, and verifies.
    check_hub_signature(json.loads(json.dumps(dict(reversed(copy.items())), indent=2)), KEYS)


def test_a_copy_signed_with_an_unknown_key_is_refused() -> None:
    (copy,) = sign_copies(copies(1), HUB_KEY, "hub-1")
    _, other_public = generate_keypair()
    with pytest.raises(SignatureError, match="'hub-1' is not one of the hub's keys"):
        check_hub_signature(copy, {"hub-2": HUB_PUBLIC})
    with pytest.raises(SignatureError, match="root signature does not verify"):
        check_hub_signature(copy, {"hub-1": other_public})
    assert not verify_hub_signature(copy, {"hub-1": other_public})
    assert verify_hub_signature(copy, KEYS)


@pytest.mark.parametrize(("drop", "reason"), [("sig", "no sig"), ("sigkey", "no sigkey")])
def test_a_copy_without_sig_or_sigkey_is_refused(drop: str, reason: str) -> None:
    (copy,) = sign_copies(copies(1), HUB_KEY, "hub-1")
    del copy[drop]
    with pytest.raises(SignatureError, match=reason):
        check_hub_signature(copy, KEYS)


# --- the worked example of docs/design.md -------------------------------------------------------

EXAMPLE_SEED = bytes(range(32))
EXAMPLE_PUBLIC = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
EXAMPLE_COPIES = [
    {"id": "e1", "hubdelivery": "t-tax", "data": {"n": 1}},
    {"id": "e1", "hubdelivery": "t-samr", "data": {"n": 1}},
    {"id": "e1", "hubdelivery": "t-police", "data": {"n": 1}},
]
EXAMPLE_JCS = [
    '{"data":{"n":1},"hubdelivery":"t-tax","id":"e1"}',
    '{"data":{"n":1},"hubdelivery":"t-samr","id":"e1"}',
    '{"data":{"n":1},"hubdelivery":"t-police","id":"e1"}',
]
EXAMPLE_LEAVES = [
    "a95293ad2939dce7b728b087ef6c4dadf3a78d4b8cb787bd08ced2682f87133e",
    "7ef5494fdc25afe7d71ce074b513a9d65fb714d70a7f4c54d388e602a6fda905",
    "35a5d55f15cef098aaa090bf93fa865c09febb8b78d7de4806c5575eeb27db46",
]
EXAMPLE_NODE_01 = "b1728ce15c6f36b74fd7e958d4399bfb50598cfad5429f356e1d1fcdbbdbd579"
EXAMPLE_ROOT = "c39d1aa35307be4ff311a49153fa470cdfd2cff1076d03d1521febbc502a46a5"
EXAMPLE_SIG = (
    "8UqkEFiDrVReRwqVNJsSlJBslnmeW6uI6pN/DUnlYSQwLzfP07mOWrFj8YymaLMov3k2mVFHitDSTUrVlJ/2Dw=="
)
EXAMPLE_PROOFS = [
    (
        "v1 R:fvVJT9wlr+fXHOB0tROp1l+3FNcKf0xU04jmAqb9qQU="
        " R:NaXVXxXO8JiqoJC/k/qGXAn+u4t4195IBsVXXusn20Y="
    ),
    (
        "v1 L:qVKTrSk53Oe3KLCH72xNrfOnjUuMt4e9CM7SaC+HEz4="
        " R:NaXVXxXO8JiqoJC/k/qGXAn+u4t4195IBsVXXusn20Y="
    ),
    "v1 L:sXKM4VxvNrdP1+lY1Dmb+1BZjPrVQp81bh0fzbvb1Xk=",
]


def test_the_worked_example_is_what_the_hub_signs() -> None:
    key = Ed25519PrivateKey.from_private_bytes(EXAMPLE_SEED)
    assert dump_public_key(key.public_key()) == EXAMPLE_PUBLIC
    assert [copy_bytes(c).decode() for c in EXAMPLE_COPIES] == EXAMPLE_JCS
    leaves = [leaf_hash(copy_bytes(c)) for c in EXAMPLE_COPIES]
    assert [leaf.hex() for leaf in leaves] == EXAMPLE_LEAVES
    assert node_hash(leaves[0], leaves[1]).hex() == EXAMPLE_NODE_01
    assert build_tree(leaves).root.hex() == EXAMPLE_ROOT
    signed = sign_copies(EXAMPLE_COPIES, key, "hub-example")
    assert [copy[HUBPROOF] for copy in signed] == EXAMPLE_PROOFS
    assert {copy["sig"] for copy in signed} == {EXAMPLE_SIG}


def test_the_worked_example_is_the_one_in_the_design_document() -> None:
    text = DESIGN.read_text(encoding="utf-8")
    for value in (
        EXAMPLE_PUBLIC,
        *EXAMPLE_JCS,
        *EXAMPLE_LEAVES,
        EXAMPLE_NODE_01,
        EXAMPLE_ROOT,
        EXAMPLE_SIG,
        *EXAMPLE_PROOFS,
    ):
        assert value in text, f"docs/design.md lacks {value}"
