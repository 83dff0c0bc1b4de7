"""JSON documents as bytes, whatever the store holds inside them."""

from __future__ import annotations

import json

import orjson


def to_json(value: object) -> bytes:
    """``value`` as compact JSON (orjson, fast). A document orjson refuses (it stops at 254 levels
    of nesting: a history entry wrapping a deep feature stored before geo.bounds limited depth
    is one) is written by the standard library's encoder instead, which goes about four times as
    deep as anything orjson ever stored, so every document of stored data can be answered."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
