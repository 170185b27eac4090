"""RFC 8785 (JCS) canonical JSON, fast where orjson already writes it. Pure.

JCS writes a JSON value compactly, with object members sorted by the UTF-16 code units of their
names, strings escaping only `"`, `\\` and the control characters (as `\\b \\t \\n \\f \\r`, else
`\\u00xx`), and numbers as ECMAScript prints them. orjson with sorted keys writes the same bytes for
every value made of strings, integers within ±(2**53 - 1), booleans, null, arrays and objects whose
member names hold no character beyond U+D7FF (where UTF-16 order, which puts U+10000 and above
before U+E000, parts from the code-point order orjson sorts by). Everything else (floats, bigger
integers, lone surrogates, other names, other types) goes to the reference implementation
(`rfc8785`), several times slower, which also refuses what has no canonical form.

`tests/unit/test_canonical.py` holds the RFC's own vectors and compares the two on random values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import orjson
import rfc8785

if TYPE_CHECKING:
    from collections.abc import Callable

CanonicalizationError = rfc8785.CanonicalizationError
_SORTED: Final = orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER
"""OPT_STRICT_INTEGER: orjson refuses integers beyond ±(2**53 - 1), which go to `rfc8785`."""
_LAST_BEFORE_SURROGATES: Final = "\ud7ff"
_LEAVES: Final = frozenset({str, int, bool, type(None)})


def canonical_json(value: Any, *, vouched: bool = False) -> bytes:
    """The RFC 8785 bytes of `value`; raises `CanonicalizationError` (a ValueError) or TypeError
    where it has none (a NaN, an integer beyond 2**53, a lone surrogate, a set). `vouched`: the
    caller knows `writes_as_jcs(value)` (it made `value` of parts it checked), and the walk is
    skipped."""
    if vouched or _orjson_writes_jcs(value):
        try:
            return orjson.dumps(value, option=_SORTED)
        except orjson.JSONEncodeError:  # a big integer or a lone surrogate: the reference decides
            pass
    canonical: bytes = rfc8785.dumps(value)
    return canonical


def writes_as_jcs(value: object) -> bool:
    """Whether `canonical_json` writes `value` with orjson: what a caller checks once to vouch
    for the values it makes of `value`'s parts and of ASCII text."""
    return _orjson_writes_jcs(value)


def _orjson_writes_jcs(value: object) -> bool:
    """Whether orjson's sorted form of `value` is its JCS form, but for what orjson refuses."""
    return plain_json(value, names=_sorts_as_utf16)


def plain_json(value: object, *, names: Callable[[str], bool] | None = None) -> bool:
    """Whether `value` is made of dicts, lists, strings, integers, booleans and None only,
    exactly those types (no float, no subclass, no tuple), and, given `names`, each object's
    member names joined pass it. What orjson writes of such a value, other JSON writers write
    alike, but for the integers beyond 64 bits, lone surrogates and names that are no strings
    orjson refuses."""
    stack = [value]
    pop, push = stack.pop, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind in _LEAVES:
            continue
        if kind is dict:
            if names is not None:
                try:
                    joined = "".join(item)  # type: ignore[arg-type]
                except TypeError:  # a name that is no string: the reference refuses it
                    return False
                if not names(joined):
                    return False
            push(item.values())  # type: ignore[attr-defined]
        elif kind is list:
            push(item)  # type: ignore[arg-type]
        else:  # floats print differently; tuples, subclasses and the rest are someone else's
            return False
    return True


def _sorts_as_utf16(names: str) -> bool:
    return names.isascii() or max(names) <= _LAST_BEFORE_SURROGATES
