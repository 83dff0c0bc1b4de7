"""Keyset cursors: where the next page starts, as an opaque URL-safe string.

A cursor holds the sort order it was made for, the last row's sort-key values
and its id (the final tie-break of every order), so the next page is "the rows
after this key" rather than "skip N rows": a deep page costs no more than the
first, and a write between two pages neither repeats nor skips a row that
stayed. Stores may put any JSON values in ``values``; only the store that made
a cursor reads it back.

>>> text = encode_cursor([("date", True)], [1701993600], "t-embassy-1208")
>>> decode_cursor(text, [("date", True)])
([1701993600], 't-embassy-1208')
"""

from __future__ import annotations

import base64
import binascii

import orjson

from geo.errors import InvalidParameterValue

_VERSION = 1


def _order_text(sortby: list[tuple[str, bool]]) -> str:
    return ",".join(("-" if descending else "") + name for name, descending in sortby)


def encode_cursor(sortby: list[tuple[str, bool]], values: list, fid: str) -> str:
    """The cursor after the row whose sort keys are ``values`` and whose id is ``fid``."""
    payload = orjson.dumps({"v": _VERSION, "s": _order_text(sortby), "k": values, "id": fid})
    return base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=")


def decode_cursor(text: str, sortby: list[tuple[str, bool]]) -> tuple[list, str]:
    """``(values, id)`` of a cursor made for this sort order; 400 for anything else."""
    bad = InvalidParameterValue(f"cursor is not one this server made: {text[:80]!r}")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        payload = orjson.loads(raw)
    except (binascii.Error, ValueError):
        raise bad from None
    if not isinstance(payload, dict) or payload.get("v") != _VERSION or not isinstance(payload.get("id"), str):
        raise bad
    values = payload.get("k")
    if not isinstance(values, list) or len(values) != len(sortby) \
            or not all(v is None or isinstance(v, (int, float, str)) for v in values):
        raise bad
    if payload.get("s") != _order_text(sortby):
        raise InvalidParameterValue(
            f"cursor was made for sortby={payload.get('s')!r}, not {_order_text(sortby)!r}; "
            "keep the other parameters of the page it came from")
    return values, payload["id"]
