"""Limits on what one stored feature may carry beyond the model's own properties.

Properties the model does not know are kept as they are (data from other tools
passes through), so without limits one writer could store a value nested
hundreds of levels deep (which JSON encoders refuse to write back out: orjson
stops at 254 levels, so the history of such a feature could never be read) or
megabytes of keys. Every path that stores a feature (the API, ``import``,
``ingest``, restores) validates it through :mod:`geo.model`, which calls
:func:`check_unknown_properties`; a breach is a ValidationError naming the
property and the limit (HTTP 400, or one line on the command line).

The walk is iterative: no input, however deep, makes it recurse.
"""

from __future__ import annotations

import math
import reprlib
from typing import Any

import orjson

from geo.errors import ValidationError

MAX_DEPTH = 16  # levels of objects and arrays inside one unknown property's value
MAX_KEYS = 1_000  # object keys in all unknown properties together, nested ones included
MAX_BYTES = 64 * 1024  # the unknown properties written as JSON
MAX_SOURCES = 500  # sources of one incident
_INT_RANGE = (-(2**63), 2**64 - 1)  # what JSON readers and writers (orjson, PostgreSQL) keep exactly

_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother = 3, 60, 60


def short_repr(value: Any) -> str:
    """A short text of ``value`` for an error message, whatever its depth or size."""
    return _SHORT.repr(value)


class _Quoted(str):
    """A ready-made description that error messages show as it is."""

    def __repr__(self) -> str:
        return str(self)


def _fail(where: str, value: Any, problem: str) -> ValidationError:
    return ValidationError(where, value if isinstance(value, _Quoted) else _Quoted(short_repr(value)), problem)


def _check_leaf(where: str, value: Any) -> None:
    if value is None or isinstance(value, (str, bool)):
        return
    if isinstance(value, int):
        if not _INT_RANGE[0] <= value <= _INT_RANGE[1]:
            raise _fail(where, value, "a whole number must lie within -2**63..2**64-1 to be stored exactly")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _fail(where, value, "a number must be finite")
        return
    raise _fail(where, value, f"{type(value).__name__} is not a JSON value")


def check_unknown_properties(extra: dict, where: str = "properties") -> None:
    """Raise ValidationError when the properties the model does not know break a limit:
    nesting deeper than MAX_DEPTH, more than MAX_KEYS keys in all, more than MAX_BYTES of JSON,
    or values JSON cannot hold exactly (non-finite numbers, integers past 64 bits)."""
    if not extra:
        return
    keys = len(extra)
    if keys > MAX_KEYS:
        raise _fail(where, _Quoted(f"{keys} unknown properties"), f"at most {MAX_KEYS} unknown property keys "
                    "(nested ones included) may be stored with one feature")
    try:  # cheap first: a large value is refused before it is walked
        size: int | None = len(orjson.dumps(extra))
    except TypeError:  # too deep for orjson, or a value it cannot write: the walk says which
        size = None
    if size is not None and size > MAX_BYTES:
        raise _fail(where, _Quoted(f"{size:,} bytes of unknown properties"),
                    f"unknown properties may take at most {MAX_BYTES:,} bytes of JSON per feature")
    # (top-level property, value, levels of objects and arrays around the value)
    stack: list[tuple[str, Any, int]] = [(f"{where}.{name}", value, 0) for name, value in extra.items()]
    while stack:
        top, value, level = stack.pop()
        if isinstance(value, dict):
            children = value.values()
            keys += len(value)
            if keys > MAX_KEYS:
                raise _fail(top, value, f"at most {MAX_KEYS} unknown property keys (nested ones included) "
                            "may be stored with one feature")
            if any(not isinstance(k, str) for k in value):
                raise _fail(top, value, "object keys must be strings")
        elif isinstance(value, (list, tuple)):
            children = value
        else:
            _check_leaf(top, value)
            continue
        if level + 1 > MAX_DEPTH:
            raise _fail(top, value, f"unknown properties may nest at most {MAX_DEPTH} levels of objects "
                        "and arrays; this one goes deeper")
        stack.extend((top, child, level + 1) for child in children)
    if size is None:
        raise _fail(where, extra, "cannot be written as JSON")
